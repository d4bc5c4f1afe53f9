"""Capitalised spans of a text, typed into entity candidates (see `entities`).

`Reader.read` finds the spans of one paragraph and types each: a one-word span from what
its word is (`entity_words`) and its context, a longer one word by word (`entity_parse`):
titles announce a person, heads and tails mark organisations and places, and a run of
plain words is typed by its context. The reader collects the candidates, aliases and
person mentions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from worker.pipeline.entity_context import TOKEN, cue_before
from worker.pipeline.entity_lexicon import Candidate, Kind
from worker.pipeline.entity_parse import (
    ABBR_AFTER_RE,
    AFTER_CHARS,
    read_span,
    read_title_span,
    speech_or_age_after,
)
from worker.pipeline.entity_words import SPAN_MEMO, Lone, span_words

_SPAN_RE: Final = re.compile(rf"{TOKEN}(?: (?:(?:dan|of|the|de|van|von|der|bin|binti|al|&) )*"
                             rf"{TOKEN})*")  # fmt: skip
_ALIAS_AFTER_RE: Final = re.compile(r",?\s+(?:alias|atau|a\.k\.a\.?)\s+(?=[A-Z])")


@dataclass(slots=True, init=False)
class Reader:
    """Types the spans of a text, collecting candidates, aliases and person mentions."""

    anchors: frozenset[str]
    found: dict[str, Candidate]
    redirect: dict[str, str]  # alias key -> canonical key
    suppressed: set[str]
    mentions: list[tuple[int, int, str, bool]]
    order: int
    alias_of: str | None  # set while reading the span after `atau`/`alias`
    alias_end: int

    # Written out: compiled, the generated `__init__` (Python, a call per default
    # factory) costs as much as reading a short article's spans.
    def __init__(self, anchors: frozenset[str]) -> None:
        self.anchors = anchors
        self.found = {}
        self.redirect = {}
        self.suppressed = set()
        self.mentions = []
        self.order = 0
        self.alias_of = None
        self.alias_end = 0

    def read(self, paragraph: int, text: str, *, title: bool = False) -> None:
        memo = SPAN_MEMO
        for match in _SPAN_RE.finditer(text):
            span = match.group()
            start = match.start()
            end = start + len(span)
            if self.alias_of is not None and start > self.alias_end:
                self.alias_of = None
            words = memo.get(span) or span_words(span)
            lone = words.lone
            if lone is not None:
                last = self._lone(lone, paragraph, start, end, text, title=title)
            elif (i := words.start) == len(words.tokens):
                last = None  # a lone capitalised function word (`Dalam`, `Saya`): no entity
            elif title:
                last = read_title_span(self, words, text, start)
            else:
                before = text[start - 40 if start > 40 else 0 : start]
                if i:  # stripped leading words (`Menurut`, `Kata`) are context for the rest
                    before += span[: words.pairs[i][1]]
                last = read_span(self, words, text, (paragraph, start, end), before)
            self.alias_of = None
            # An abbreviation starts with whitespace or `(`, an alias with `,` or whitespace
            # and then whitespace or the `a` of `alias`/`atau`/`a.k.a`: most spans are
            # followed by neither. (`not in` is false for "", the end of the text.)
            follow = text[end : end + 3]
            first = follow[:1]
            if first == " ":
                second = follow[1:2]
                if second not in "(a" and not second.isspace():
                    continue
            elif first == ",":
                third = follow[2:]
                if not follow[1:2].isspace() or (third not in "a" and not third.isspace()):
                    continue
            elif first != "(" and not first.isspace():
                continue  # also at the end of the text
            abbr = ABBR_AFTER_RE.match(text, end, end + AFTER_CHARS)
            if abbr is not None:
                self._abbreviation(abbr.group(1), last)
            alias = _ALIAS_AFTER_RE.match(text, end, end + AFTER_CHARS)
            if alias is not None and last is not None:
                self.alias_of, self.alias_end = last, alias.end()

    def emit(self, kind: Kind, entity: tuple[str, str] | None, paragraph: int, position: int,
             *, cued: bool = True, speaks: bool = False) -> str | None:  # fmt: skip
        """Count a mention of `entity` (`emitted` of a segment: text and key) unless it is
        none or suppressed; return the key of its candidate. `paragraph` -1: the title."""
        if entity is None:
            return None
        text, key = entity
        if key in self.suppressed:
            return None
        redirect = self.redirect
        alias_of = self.alias_of
        if alias_of is not None and alias_of != key:
            redirect[key] = alias_of
        if redirect:
            key = redirect.get(key, key)
        order = self.order = self.order + 1
        found = self.found
        candidate = found.get(key)
        if candidate is None:
            candidate = found[key] = Candidate(kind, text, order)
        candidate.count += 1
        if cued:
            candidate.cued = True
        if paragraph >= 0 and candidate.kind == "person":
            self.mentions.append((paragraph, position, key, speaks))
        return key

    def _lone(self, lone: Lone, paragraph: int, start: int, end: int, text: str, *,
              title: bool) -> str | None:  # fmt: skip
        """What `read_span` does with a span of one word, without the parse: `lone` says
        what the word is, the text around the span (`start`, `end`) the rest."""
        kind, title_kind, entity, name, name_token = lone
        if title:
            return self.emit(title_kind, entity, -1, 0) if title_kind else None
        if entity is None and kind != "plain":
            return None  # what a cue could make of it is no entity either
        if kind == "organization":
            return self.emit("organization", entity, paragraph, start)
        # What a cue before the span could make of it, it is already (or nothing).
        context = cue_before(text[start - 40 if start > 40 else 0 : start])
        if context == "org":
            return self.emit("organization", entity, paragraph, start)  # `dilansir Channel`
        if kind == "location":
            return self.emit("location", entity, paragraph, start)
        if kind == "acronym":
            # A short unknown acronym after a title is a person's initials (`Aipda PS`).
            if context in {"speech", "person"}:
                return None
            return self.emit("organization", entity, paragraph, start)
        if kind == "plain":
            speech_after, aged = speech_or_age_after(text, end)
            speaks = context == "speech" or speech_after
            if context == "person" or speaks or aged or name_token in self.anchors:
                return self.emit("person", name, paragraph, start, speaks=speaks or aged)
            if context == "place":
                return self.emit("location", name, paragraph, start)
        return None

    def _abbreviation(self, abbr: str, last: str | None) -> None:
        """`Kejaksaan Agung (Kejagung)`: the abbreviation is the entity's alias, or noise."""
        if last is not None:
            self.redirect[abbr.casefold()] = last
            self.found[last].aliases.add(abbr)
        else:
            self.suppressed.add(abbr.casefold())
