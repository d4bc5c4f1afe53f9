"""Named entities (person, location, organisation) from capitalised spans and their cues.

No model: a span is a run of capitalised words (with `dan`/`of`/`bin`... inside names that
allow them). Each span is read left to right against word lists (`worker/pipeline/data`):
titles and ranks (`Kapolres`, `AKBP`) announce a person whose name is the plain capitalised
run that follows them; organisation heads and tails (`PT`, `Kementerian`, `Tbk`, `Airlines`)
and place heads (`Kabupaten`, `Pelabuhan`) mark organisations and places; a gazetteer knows
countries, provinces and cities. Spans without such cues are typed by their context:
`di`/`ke`/`dari` before a place, an age `(21)` or a speech verb (`kata Agus`, `Agus
mengatakan`) around a person. Short mentions are merged into the fullest written form
(`Putin` -> `Vladimir Putin`, `Kejaksaan Agung (Kejagung)` -> one entry) and entities are
ranked by mentions, then by first position.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final, Literal

from worker.pipeline.data import entries, words
from worker.pipeline.model import Entities, Entity

Kind = Literal["person", "location", "organization"]

#: Most entities reported per type (labels hold at most 6; a few more help recall).
MAX_PER_TYPE: Final = 8

_STOP: Final = words("stopwords_id") | words("stopwords_en")
_TITLES: Final = words("person_titles")
_TITLE_FILL: Final = words("title_words")
_ORG_HEADS: Final = words("org_heads")
_ORG_TAILS: Final = words("org_tails")
_LOC_HEADS: Final = words("location_heads")
_EXTENDERS: Final = words("place_extenders")
_NOT_ENTITY: Final = words("non_entity_acronyms")
_PLACES: Final = frozenset(p.casefold() for p in entries("places"))

_UPPER: Final = "A-ZÀ-ÖØ-Þ"
_TOKEN: Final = rf"(?:[{_UPPER}][\w'’]*(?:-[\w'’]+)*(?:\.com|\.co\.id|\.id)?\.?|[{_UPPER}]\.)"
_CONNECTOR: Final = r"(?:dan|of|the|de|del|van|von|der|bin|binti|al|el|da|&)"
_SPAN_RE: Final = re.compile(rf"{_TOKEN}(?: (?:{_CONNECTOR} )*{_TOKEN})*")
_CAMEL_RE: Final = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")
_AGE_RE: Final = re.compile(r"\s*\(\d{1,3}\)")
_LOC_BEFORE_RE: Final = re.compile(
    r"(?:\b(?:di|ke|dari|asal|menuju|wilayah|kawasan|perairan|daerah|negara|in|at|from|to)"
    r"\s+)$"
)
_PERSON_BEFORE_RE: Final = re.compile(
    r"\b(?:bernama|kata|ujar|ungkap|jelas|tutur|tegas|imbuh|tambah|ucap|beber|sanjang|"
    r"menurut|asuhan|dijaga|dipimpin oleh|absennya|said|by|pengamat \w+|sosok|saudara|"
    r"sdr\.?)\s+$",
    re.IGNORECASE,
)
_SPEECH_AFTER_RE: Final = re.compile(
    r"^,?\s+(?:juga\s+|pun\s+|kemudian\s+|lantas\s+|sebelumnya\s+)?(?:mengatakan|menyatakan|"
    r"menjelaskan|menambahkan|mengungkapkan|menegaskan|menyebut|menyebutkan|menyampaikan|"
    r"menilai|mengaku|berkata|menuturkan|memastikan|membenarkan|mendesak|said|says|told|"
    r"added)\b"
)


@dataclass(frozen=True, slots=True)
class Mention:
    """Where a person is named: paragraph index, character offsets, canonical name."""

    paragraph: int
    start: int
    end: int
    name: str
    speaks: bool  # followed by a speech verb (`X mengatakan`) or after one (`kata X`)


@dataclass(frozen=True, slots=True)
class EntityAnalysis:
    """Entities plus the person mentions that quote attribution resolves against."""

    entities: Entities
    person_mentions: tuple[Mention, ...]


@dataclass(slots=True)
class _Candidate:
    kind: Kind
    text: str
    first: int
    count: int = 1
    aliases: set[str] = field(default_factory=set)


def _fold(token: str) -> str:
    return token.rstrip(".").casefold()


def _is_acronym(token: str) -> bool:
    letters = token.replace("-", "")
    return len(letters) >= 2 and letters.isupper() and letters.isalpha()


def _is_plain(token: str) -> bool:
    """A token that may be part of a person's name."""
    folded = _fold(token)
    return (
        token[0].isupper()
        and not _is_acronym(token)
        and folded not in _STOP
        and folded not in _TITLES
        and folded not in _TITLE_FILL
        and folded not in _ORG_HEADS
        and folded not in _LOC_HEADS
        and folded not in _PLACES
    )


def _split_camel(token: str) -> list[str]:
    """`JakartaPramono` -> [`Jakarta`, `Pramono`] when the left part is a known word."""
    parts = _CAMEL_RE.split(token)
    if len(parts) > 1 and (_fold(parts[0]) in _PLACES or _fold(parts[0]) in _STOP):
        return parts
    return [token]


def _place_length(tokens: list[str], start: int) -> int:
    """How many tokens from `start` form a gazetteer place (with extenders), or 0."""
    for size in (3, 2, 1):
        if (
            start + size <= len(tokens)
            and " ".join(_fold(t) for t in tokens[start : start + size]) in _PLACES
        ):
            end = start + size
            while end < len(tokens) and _fold(tokens[end]) in _EXTENDERS:
                end += 1
            return end - start
    return 0


@dataclass(slots=True)
class _Reader:
    """Types the spans of one text and collects candidates and person mentions."""

    found: dict[str, _Candidate] = field(default_factory=dict)
    mentions: list[tuple[int, int, int, str, bool]] = field(default_factory=list)
    order: int = 0

    def add(self, kind: Kind, text: str, paragraph: int = -1, start: int = -1,
            speaks: bool = False) -> None:  # fmt: skip
        text = text.strip(" ,.")
        if len(text) < 2 or _fold(text) in _STOP or text.upper() in _NOT_ENTITY:
            return
        key = text.casefold()
        self.order += 1
        if key in self.found:
            self.found[key].count += 1
        else:
            self.found[key] = _Candidate(kind, text, self.order)
        if kind == "person" and paragraph >= 0:
            self.mentions.append((paragraph, start, start + len(text), text, speaks))

    def read(self, paragraph: int, text: str) -> None:
        for match in _SPAN_RE.finditer(text):
            before = text[max(0, match.start() - 40) : match.start()]
            after = text[match.end() : match.end() + 40]
            self._span(paragraph, match.start(), match.group(0), before, after)

    def _span(self, paragraph: int, offset: int, span: str, before: str, after: str) -> None:
        tokens = [part for token in span.split(" ") for part in _split_camel(token)]
        # Offsets of each token inside the span (camel parts are contiguous).
        starts, position = [], 0
        for token in tokens:
            position = span.index(token, position)
            starts.append(position)
            position += len(token)
        i = 0
        while (
            i < len(tokens)
            and _fold(tokens[i]) in _STOP
            and _fold(tokens[i]) not in (_TITLES | _ORG_HEADS | _LOC_HEADS)
        ):
            i += 1
        if i == len(tokens):
            return
        self._typed(paragraph, offset, tokens, starts, i, span, before, after)

    def _typed(self, paragraph: int, offset: int, tokens: list[str], starts: list[int],
               i: int, span: str, before: str, after: str) -> None:  # fmt: skip
        def text_of(a: int, b: int) -> str:
            return span[starts[a] : starts[b - 1] + len(tokens[b - 1])]

        n = len(tokens)
        person_cue = bool(_PERSON_BEFORE_RE.search(before)) and i == 0
        while i < n:
            folded = _fold(tokens[i])
            if folded in _TITLES and not (folded == "pak" and i + 1 < n and False):
                j = i + 1
                while j < n and (_fold(tokens[j]) in _TITLES or _fold(tokens[j]) in _TITLE_FILL
                                 or tokens[j] in ("dan", "&")):  # fmt: skip
                    j += 1
                i, person_cue = j, True
                continue
            if folded in _ORG_HEADS or (folded == "the" and i + 1 < n):
                j = i + 1
                while j < n and not (person_cue and _is_plain(tokens[j]) and j > i + 1
                                     and _fold(tokens[j - 1]) not in _ORG_HEADS
                                     and (_is_acronym(tokens[j - 1]) or _place_length(
                                         tokens, j - 1) == 1)):  # fmt: skip
                    if _fold(tokens[j]) in _TITLES and j > i + 1:
                        break
                    j += 1
                if j > i + 1:
                    self.add("organization", text_of(i, j))
                i = j
                continue
            if folded in _LOC_HEADS and i + 1 < n and _fold(tokens[i + 1]) not in _STOP:
                j = i + 2
                while j < n and (_fold(tokens[j]) in _EXTENDERS or (
                        not person_cue and _is_plain(tokens[j]))):  # fmt: skip
                    j += 1
                self.add("location", text_of(i, j))
                i = j
                continue
            size = _place_length(tokens, i)
            if size:
                self.add("location", text_of(i, i + size))
                i += size
                continue
            if _is_acronym(tokens[i]):
                j = i + 1
                if j < n and _fold(tokens[j]) in _ORG_TAILS:
                    j += 1
                if tokens[i].upper() not in _NOT_ENTITY:
                    self.add("organization", text_of(i, j))
                i = j
                continue
            j = i
            while j < n and (_is_plain(tokens[j]) or (j > i and tokens[j] in (
                    "bin", "binti", "van", "von", "de", "der", "al", "el"))):  # fmt: skip
                j += 1
            if j == i:
                i += 1
                continue
            if j < n and _fold(tokens[j]) in _ORG_TAILS:
                self.add("organization", text_of(i, j + 1))
                i = j + 1
                continue
            name = text_of(i, j)
            tail = span[starts[j - 1] + len(tokens[j - 1]) :] + after if j == n else ""
            speaks = j == n and bool(_SPEECH_AFTER_RE.match(after))
            if person_cue or speaks or (j == n and _AGE_RE.match(after)):
                self.add("person", name, paragraph, offset + starts[i], speaks or person_cue)
            elif i == 0 and _LOC_BEFORE_RE.search(before):
                self.add("location", name)
            elif j - i >= 2 and not tail.startswith(" ("):
                self.add("person", name, paragraph, offset + starts[i])
            i = j


def find_entities(title: str | None, paragraphs: tuple[str, ...]) -> EntityAnalysis:
    """Entities of the body (counted over body and title) and the person mentions."""
    reader = _Reader()
    for index, paragraph in enumerate(paragraphs):
        reader.read(index, paragraph)
    merged = _merge(reader.found)
    mentions = tuple(
        Mention(p, s, e, merged.get(name.casefold(), name), speaks)
        for p, s, e, name, speaks in reader.mentions
    )
    body = "\n".join(paragraphs)
    by_kind: dict[Kind, list[_Candidate]] = {"person": [], "location": [], "organization": []}
    for candidate in reader.found.values():
        if candidate.text.casefold() in merged:
            continue
        count = _count(candidate, body, title)
        by_kind[candidate.kind].append(
            _Candidate(candidate.kind, candidate.text, candidate.first, max(count, 1))
        )
    return EntityAnalysis(
        entities=Entities(
            person=_ranked(by_kind["person"]),
            location=_ranked(by_kind["location"]),
            organization=_ranked(by_kind["organization"]),
        ),
        person_mentions=mentions,
    )


def _merge(found: dict[str, _Candidate]) -> dict[str, str]:
    """Short forms mapped to the fullest form of the same entity (casefolded key)."""
    merged: dict[str, str] = {}
    persons = [c for c in found.values() if c.kind == "person"]
    for short in found.values():
        short_tokens = short.text.split()
        for full in persons if short.kind == "person" else found.values():
            if full is short or len(full.text) <= len(short.text):
                continue
            full_tokens = full.text.split()
            if short.kind == "person" and (
                short_tokens == full_tokens[: len(short_tokens)]
                or short_tokens == full_tokens[-len(short_tokens) :]
            ):
                merged[short.text.casefold()] = full.text
                full.aliases.add(short.text)
                break
            if (
                short.kind != "person"
                and short.kind == full.kind
                and full.text.endswith(" " + short.text)
                and _fold(full_tokens[0]) in (_LOC_HEADS | _ORG_HEADS)
            ):
                merged[short.text.casefold()] = full.text
                full.aliases.add(short.text)
                break
    return merged


def _count(candidate: _Candidate, body: str, title: str | None) -> int:
    """Mentions of the entity or its aliases in body and title (whole-word matches)."""
    names = sorted({candidate.text, *candidate.aliases}, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)")
    return len(pattern.findall(body)) + len(pattern.findall(title or ""))


def _ranked(candidates: list[_Candidate]) -> tuple[Entity, ...]:
    ordered = sorted(candidates, key=lambda c: (-c.count, c.first))
    return tuple(Entity(text=c.text, count=c.count) for c in ordered[:MAX_PER_TYPE])


def iter_person_names(analysis: EntityAnalysis) -> Iterator[str]:
    """Person names, fullest forms, most mentioned first."""
    return (entity.text for entity in analysis.entities.person)
