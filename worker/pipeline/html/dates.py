"""Normalise the timestamps pages declare into ISO 8601.

Meta tags and JSON-LD almost always carry ISO 8601 already, sometimes with a space instead
of ``T``, a ``Z`` suffix, a ``+0700`` offset, or in RFC 2822 form (``Tue, 19 Nov 2019 10:43:00
GMT``). Those are rewritten as ``datetime.isoformat()``; values that are not dates at all are
dropped; anything else that looks like a date is kept as found (the brief: "as found/normalised").
"""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Final

_MAX_CHARS: Final = 64
_COMPACT_OFFSET: Final = re.compile(r"([+-]\d{2})(\d{2})$")
_HAS_YEAR: Final = re.compile(r"(?:19|20)\d{2}")
_DATE_ONLY: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# RFC 2822 with a zone the email parser knows; other "day month year time ZONE" strings (say
# "14:30 WIB") would parse with the zone silently dropped, so they are kept as found.
_RFC_2822: Final = re.compile(
    r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s[A-Za-z]{3}\s\d{4}\s\d{1,2}:\d{2}(?::\d{2})?"
    r"\s(?:[+-]\d{4}|GMT|UTC|UT|Z|[ECMP][SD]T)$"
)


def normalize_time(value: str | None) -> str | None:
    """An ISO 8601 string for `value`, the trimmed value if unparseable, or None if no date."""
    if value is None:
        return None
    text = value.strip()
    if not text or len(text) > _MAX_CHARS or _HAS_YEAR.search(text) is None:
        return None
    if _DATE_ONLY.match(text):
        return text
    candidate = text.replace(" ", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2} ", text) else text
    candidate = _COMPACT_OFFSET.sub(r"\1:\2", candidate)
    try:
        return datetime.fromisoformat(candidate).isoformat()
    except ValueError:
        pass
    if _RFC_2822.match(text) is None:
        return text
    try:
        return parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError):
        return text
