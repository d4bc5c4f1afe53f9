"""Named entities (person, location, organisation) from capitalised spans and their cues.

No model. A span is a run of capitalised words (with `dan`/`of`/`bin`... inside names).
Each span is read left to right against word lists (`worker/pipeline/data`):

- titles and ranks (`Kapolres`, `AKBP`, `Menteri`) announce a person: the name is the run of
  plain capitalised words after the title and its fillers (`Kabid Humas Polda Sumut Kombes
  Ferry Walintukan` -> org `Polda Sumut`, person `Ferry Walintukan`);
- organisation heads/tails (`PT`, `Kementerian`, `Tbk`, `Airlines`), well-known
  organisations and non-trivial acronyms mark organisations; place heads (`Kabupaten`,
  `Pelabuhan`) and a gazetteer of countries, provinces and cities mark places;
- a run of plain words is typed by its context: a speech verb (`kata Agus`, `Agus
  mengatakan`), `bernama`, an age `(21)`, or a name used as a speaker elsewhere -> person;
  `di`/`ke`/`dari` before it -> place; otherwise two or more plain words -> person.

Short mentions are merged into the fullest written form (`Putin` -> `Vladimir Putin`,
`Kejaksaan Agung (Kejagung)`, `Fakar Suhartami Pratama atau Fakarich` -> one entry) and
entities are ranked by mentions (body and title), then by first position.

Modules: `entity_lexicon` (word lists), `entity_context` (cues around a span, speaker
anchors), `entity_words` (a span's words and word tests, memoised), `entity_spans` (span
reader and candidates), `entity_parse` (the parser for spans of several words),
`entity_merge` (short forms, aliases, mention counts); this one wires them. The memos hold
pure results only (bounded), so they change speed, never output.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from typing import Final

from worker.pipeline.entity_context import anchor_tokens
from worker.pipeline.entity_lexicon import MEMO_LIMIT, Candidate, Kind
from worker.pipeline.entity_merge import count_mentions, merge
from worker.pipeline.entity_spans import Reader
from worker.pipeline.model import Entities, Entity

__all__ = ["MAX_PER_TYPE", "EntityAnalysis", "Mention", "find_entities"]

#: Most entities reported per type (labels hold at most 6; precision is pooled).
MAX_PER_TYPE: Final = 6


# Immutable by their `Final` fields rather than `frozen=True`: compiled, a frozen
# dataclass is built by its generated `__init__` in Python (~1 us a call, several calls
# per article), a written-out one natively.
@dataclass(slots=True, init=False)
class Mention:
    """Where a person is named: paragraph index, character offsets, canonical name."""

    paragraph: Final[int]
    start: Final[int]
    end: Final[int]
    name: Final[str]
    speaks: Final[bool]  # named as a speaker (`kata X`, `X mengatakan`) or with an age

    def __init__(self, paragraph: int, start: int, end: int, name: str, speaks: bool) -> None:
        self.paragraph = paragraph
        self.start = start
        self.end = end
        self.name = name
        self.speaks = speaks


@dataclass(slots=True, init=False)
class EntityAnalysis:
    """Entities plus the person mentions that quote attribution resolves against."""

    entities: Final[Entities]
    person_mentions: Final[tuple[Mention, ...]]

    def __init__(self, entities: Entities, person_mentions: tuple[Mention, ...]) -> None:
        self.entities = entities
        self.person_mentions = person_mentions


def find_entities(title: str | None, paragraphs: tuple[str, ...]) -> EntityAnalysis:
    """Entities of the body (counted over body and title) and the person mentions."""
    reader = Reader(anchors=anchor_tokens(paragraphs))
    for index, paragraph in enumerate(paragraphs):
        reader.read(index, paragraph)
    if title:
        reader.read(-1, title, title=True)
    canonical = merge(reader)
    # One text to count mentions in: a newline ends a word like either end of a text.
    text = "\n".join((*paragraphs, title)) if title else "\n".join(paragraphs)
    by_kind: dict[Kind, list[Candidate]] = {"person": [], "location": [], "organization": []}
    for key, candidate in reader.found.items():
        if key in canonical or not candidate.cued:
            continue
        candidate.count = max(count_mentions(candidate, text), 1)
        by_kind[candidate.kind].append(candidate)
    found = reader.found
    mentions = []
    for index, start, key, speaks in reader.mentions:
        named = found[canonical.get(key, key)]
        if named.kind == "person":
            end = start + len(found[key].text)
            mentions.append(Mention(index, start, end, named.text, speaks))
    return EntityAnalysis(
        entities=Entities(
            person=_ranked(by_kind["person"]),
            location=_ranked(by_kind["location"]),
            organization=_ranked(by_kind["organization"]),
        ),
        person_mentions=tuple(mentions),
    )


def _ranked(candidates: list[Candidate]) -> tuple[Entity, ...]:
    """The MAX_PER_TYPE most mentioned, earlier first among equals (`candidates` come in
    the order they were found, that is by `first`; the sort is stable)."""
    if len(candidates) > 1:
        candidates = sorted(candidates, key=_COUNT, reverse=True)
    memo = _ENTITY_MEMO
    return tuple([
        memo.get((c.text, c.count)) or _entity(c.text, c.count)
        for c in candidates[:MAX_PER_TYPE]
    ])  # fmt: skip


_COUNT: Final = attrgetter("count")
# Entities are immutable and the same names and counts recur across articles: one
# instance each (bounded), as building a frozen dataclass costs a call per field.
_ENTITY_MEMO: dict[tuple[str, int], Entity] = {}


def _entity(text: str, count: int) -> Entity:
    entity = _ENTITY_MEMO.get((text, count))
    if entity is None:
        if len(_ENTITY_MEMO) >= MEMO_LIMIT:
            _ENTITY_MEMO.clear()
        entity = _ENTITY_MEMO[text, count] = Entity(text=text, count=count)
    return entity
