"""Word lists and word tests shared by entity span parsing and merging.

All sets are built once at import from `worker/pipeline/data` and hold casefolded words
(immutable frozensets); `fold` gives the form they are looked up by. `span_tokens` splits
a capitalised span into the words the span parser reads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal, TypeVar

from worker.pipeline.data import entries, words

Kind = Literal["person", "location", "organization"]

#: Capital letters that start a name (Latin-1 capitals included).
UPPER: Final = "A-ZÀ-ÖØ-Þ"

STOP: Final = words("stopwords_id") | words("stopwords_en")
TITLES: Final = words("person_titles")
FILL: Final = words("title_words")
ORG_HEADS: Final = words("org_heads")
ORG_TAILS: Final = words("org_tails")
LOC_HEADS: Final = words("location_heads")
EXTENDERS: Final = words("place_extenders")
COMMON: Final = words("common_words")
NOT_ENTITY: Final = words("non_entity_acronyms")
PLACES: Final = frozenset(p.casefold() for p in entries("places"))
# `Sumut = Sumatera Utara`: short place names newsrooms use inside organisation names.
PLACE_ALIASES: Final = MappingProxyType(
    {k.strip().casefold(): v.strip() for k, v in (e.split("=") for e in entries("place_aliases"))}
)
KNOWN_ORGS: Final = frozenset(o.casefold() for o in entries("known_organizations"))
_PLACE_FIRST_WORDS: Final = frozenset(p.split()[0] for p in PLACES if " " in p)
_ORG_FIRST_WORDS: Final = frozenset(o.split()[0] for o in KNOWN_ORGS if " " in o)
# Folded words that can start a gazetteer place or a known organisation: any other word
# makes `place_length` and `known_org_length` 0.
GAZETTEER_STARTS: Final = PLACES | _PLACE_FIRST_WORDS | KNOWN_ORGS | _ORG_FIRST_WORDS
HEADS: Final = ORG_HEADS | LOC_HEADS
HEAD_WORDS: Final = TITLES | HEADS
TITLE_WORDS: Final = TITLES | FILL
PLACES_OR_STOP: Final = PLACES | STOP
NOT_PLAIN: Final = STOP | TITLES | FILL | ORG_HEADS | LOC_HEADS | COMMON | PLACES
# Capitalised words that end an organisation or place name (`Kota Bekasi Selasa`).
BREAKS: Final = words("stopwords_dates")
# Administrative units: `Kabupaten Banyuwangi` and `Banyuwangi` are one place.
ADMIN_HEADS: Final = frozenset(
    ("kota", "kabupaten", "kab", "provinsi", "kecamatan", "kelurahan", "desa", "dusun")
)
NAME_LINKS: Final = frozenset(("bin", "binti", "van", "von", "de", "der", "al", "el"))


# `[\W_]` is exactly what str.isalnum rejects; one C-level pass instead of a generator.
_NOT_ALNUM_RE: Final = re.compile(r"[\W_]+")


# Memos of pure functions of a word or name (news repeats them all day); each is emptied
# when it holds MEMO_LIMIT entries, so that a long-running worker stays bounded (all the
# entity memos together, span parse plans included: ~45 MB at most, ~750 bytes per
# memoised span or plan).
MEMO_LIMIT: Final = 20_000

_Key = TypeVar("_Key")
_Value = TypeVar("_Value")


def remember(memo: dict[_Key, _Value], key: _Key, value: _Value) -> _Value:
    """Store `value` under `key` in one of these memos (emptied first when full); `value`."""
    if len(memo) >= MEMO_LIMIT:
        memo.clear()
    memo[key] = value
    return value


_FORMS_MEMO: dict[str, tuple[str, tuple[str, ...]]] = {}  # `alnum` and `words` by text
_TOKEN_MEMO: dict[str, tuple[str, bool, bool]] = {}


@dataclass(slots=True, init=False)
class Candidate:
    """One entity as collected so far: kind, first written form, mentions, aliases."""

    kind: Kind
    text: str
    first: int
    count: int
    cued: bool
    aliases: set[str]
    alnum: str  # letters and digits only: `Al Jazeera` == `Al-Jazeera`
    words: tuple[str, ...]

    # Written out, not generated: a few candidates per article, and the generated
    # `__init__` with a `__post_init__` costs half as much again.
    def __init__(self, kind: Kind, text: str, first: int) -> None:
        self.kind = kind
        self.text = text
        self.first = first
        self.count = 0
        self.cued = False
        self.aliases = set()
        forms = _FORMS_MEMO.get(text)
        if forms is None:
            alnum = _NOT_ALNUM_RE.sub("", text.casefold())
            forms = remember(_FORMS_MEMO, text, (alnum, tuple(text.split())))
        self.alnum, self.words = forms


def fold(token: str) -> str:
    return token.rstrip(".").casefold()


def is_acronym(token: str) -> bool:
    letters = token.replace("-", "")
    return len(letters) >= 2 and letters.isupper() and letters.isalpha()


def is_plain(token: str, folded: str | None = None) -> bool:
    """A token that may be part of a person's name (`folded`: its `fold`, when known)."""
    return (
        not is_acronym(token)
        and (fold(token) if folded is None else folded) not in NOT_PLAIN
        and (token.isalpha() or not any(ch.isdigit() for ch in token))
    )


def token_info(token: str) -> tuple[str, bool, bool]:
    """`fold`, `is_acronym` and `is_plain` of a token (memoised; the three inlined)."""
    info = _TOKEN_MEMO.get(token)
    if info is None:
        folded = token.rstrip(".").casefold()
        letters = token.replace("-", "")
        acronym = len(letters) >= 2 and letters.isupper() and letters.isalpha()
        plain = (
            not acronym
            and folded not in NOT_PLAIN
            and (token.isalpha() or not any(ch.isdigit() for ch in token))
        )
        info = remember(_TOKEN_MEMO, token, (folded, acronym, plain))
    return info


def place_length(folded: Sequence[str], start: int) -> int:
    """How many tokens from `start` form a gazetteer place (with extenders), or 0.

    `folded` holds the span's tokens as `fold` gives them (folded once per span).
    """
    size = _gazetteer_length(folded, start, PLACES, _PLACE_FIRST_WORDS)
    if size:
        end = start + size
        while end < len(folded) and folded[end] in EXTENDERS:
            end += 1
        return end - start
    return 0


def known_org_length(folded: Sequence[str], start: int) -> int:
    """How many folded tokens from `start` form a well-known organisation, or 0."""
    return _gazetteer_length(folded, start, KNOWN_ORGS, _ORG_FIRST_WORDS)


def _gazetteer_length(
    folded: Sequence[str], start: int, names: frozenset[str], first_words: frozenset[str]
) -> int:
    """Longest entry of `names` (up to 3 words) starting at `folded[start]`, or 0."""
    first = folded[start]
    if first in first_words:  # only then can a two- or three-word entry start here
        for size in (3, 2):
            if start + size <= len(folded) and " ".join(folded[start : start + size]) in names:
                return size
    return 1 if first in names else 0


# Words glued to a preceding name by scrapers (`Anungmengaku`, `Jayayang`).
GLUED: Final = (
    "mengatakan", "mengaku", "menyebut", "menjelaskan", "mengungkapkan", "menegaskan",
    "menyampaikan", "merupakan", "menjadi", "bersama", "sebagai", "dengan", "kepada",
    "selaku", "dalam", "untuk", "telah", "sudah", "juga", "tidak", "bahwa", "yang",
)  # fmt: skip

_GLUED_RE: Final = re.compile(rf"^[{UPPER}]\w{{2,}}?(?=(?:{'|'.join(GLUED)})$)")
_CAMEL_RE: Final = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")


def span_tokens(span: str) -> list[tuple[str, int]]:
    """Tokens of a span with their offsets; possessives dropped, glued words cut off."""
    out: list[tuple[str, int]] = []
    offset = 0
    for raw in span.split(" "):
        if raw.isalpha() and raw[1:].islower() and not raw.endswith(GLUED):
            # The usual word: no possessive, no glued word, no inner capital to split at.
            out.append((raw, offset))
            offset += len(raw) + 1
            continue
        token = raw[:-2] if raw.endswith(("'s", "\u2019s")) else raw
        # The regex only matches a token ending in a glued word: test the ending first.
        glued = _GLUED_RE.match(token) if token.endswith(GLUED) else None
        if glued is not None and fold(token) not in PLACES:
            token = glued.group(0)
        else:
            glued = None
        parts = _CAMEL_RE.split(token) if token[1:] != token[1:].lower() else [token]
        if len(parts) > 1 and fold(parts[0]) in PLACES_OR_STOP:
            out.extend((part, offset + token.index(part)) for part in parts)
        else:
            out.append((token, offset))
        if glued is not None:
            break
        offset += len(raw) + 1
    return out
