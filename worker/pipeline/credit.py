"""Source credit: the wire or sister outlet a story is credited to.

Explicit credit lines (`sumber : Antara`, `Artikel ini telah naik di detikJabar.`) are found
by the line step; this module reads in-text attributions (`seperti diberitakan Channel News
Asia`, `dilansir Kompas.com`) from the body, using the rules' `credit_phrases`. The
publisher's own name never counts as a credit (`saat dihubungi Kompas.com`).
"""

from __future__ import annotations

from collections.abc import Iterable

from worker.pipeline.rules import CleaningRules
from worker.pipeline.title import alnum_key

__all__ = ["pick_credit"]


def pick_credit(
    line_credits: Iterable[str],
    paragraphs: Iterable[str],
    publisher: str | None,
    rules: CleaningRules,
) -> str | None:
    """The first credit line's outlet, else the first in-text attribution, else None."""
    own = alnum_key(publisher) if publisher else ""
    for credit in line_credits:
        cleaned = credit.strip().rstrip(".,")
        if cleaned and alnum_key(cleaned) != own:
            return cleaned
    # One search per phrase over the whole body, then the earliest hit wins.
    body = "\n".join(paragraphs)
    hits: list[tuple[int, str]] = []
    for pattern in rules.credit_phrases:
        for m in pattern.finditer(body):
            cleaned = m.group("credit").strip().rstrip(".,")
            if cleaned and alnum_key(cleaned) != own:
                hits.append((m.start(), cleaned))
                break
    return min(hits)[1] if hits else None
