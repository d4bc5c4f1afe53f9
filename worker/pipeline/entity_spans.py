"""Capitalised spans of a text, typed into entity candidates (see `entities`).

`Reader.read` finds the spans of one paragraph and reads each left to right against the
word lists of `entity_lexicon`: titles announce a person, heads and tails mark
organisations and places, and a run of plain words is typed by its context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from worker.pipeline.entity_context import TOKEN, cue_before, starts_sentence
from worker.pipeline.entity_lexicon import (
    BREAKS,
    GAZETTEER_STARTS,
    LOC_HEADS,
    NAME_LINKS,
    NOT_ENTITY,
    ORG_HEADS,
    ORG_TAILS,
    PLACES,
    STOP,
    TITLE_WORDS,
    TITLES,
    Candidate,
    Kind,
    known_org_length,
    place_length,
    token_info,
)
from worker.pipeline.entity_words import (
    SPAN_MEMO,
    Lone,
    SpanWords,
    emitted,
    hyphen_head,
    span_words,
)

_SPAN_RE: Final = re.compile(rf"{TOKEN}(?: (?:(?:dan|of|the|de|van|von|der|bin|binti|al|&) )*"
                             rf"{TOKEN})*")  # fmt: skip
# The patterns below are matched at the end of a span, within _AFTER_CHARS characters.
_AFTER_CHARS: Final = 60
_ABBR_AFTER_RE: Final = re.compile(r"\s*\(\s*([A-Z][\w-]{1,11})\s*\)")
_ALIAS_AFTER_RE: Final = re.compile(r",?\s+(?:alias|atau|a\.k\.a\.?)\s+(?=[A-Z])")
_AGE_AFTER_RE: Final = re.compile(r"\s*\(\d{1,3}\)")
_SPEECH_AFTER_RE: Final = re.compile(
    r",?\s+(?:juga\s+|pun\s+|kemudian\s+|lantas\s+|sebelumnya\s+|saat\s+itu\s+)?(?:mengatakan|"
    r"menyatakan|menjelaskan|menambahkan|mengungkapkan|menegaskan|menyebut|menyebutkan|"
    r"menyampaikan|menilai|mengaku|berkata|menuturkan|memastikan|membenarkan|mendesak|"
    r"merespons|said|says|told|added)\b"
)


@dataclass(slots=True)
class Reader:
    """Types the spans of a text, collecting candidates, aliases and person mentions."""

    anchors: frozenset[str]
    found: dict[str, Candidate] = field(default_factory=dict)
    redirect: dict[str, str] = field(default_factory=dict)  # alias key -> canonical key
    suppressed: set[str] = field(default_factory=set)
    mentions: list[tuple[int, int, str, bool]] = field(default_factory=list)
    order: int = 0
    alias_of: str | None = None  # set while reading the span after `atau`/`alias`
    alias_end: int = 0

    def read(self, paragraph: int, text: str, *, title: bool = False) -> None:
        for match in _SPAN_RE.finditer(text):
            start, end = match.span()
            span = match.group()
            if self.alias_of is not None and start > self.alias_end:
                self.alias_of = None
            words = SPAN_MEMO.get(span) or span_words(span)
            i = words.start
            if words.lone is not None:
                last = self._lone(words.lone, paragraph, start, end, text, title=title)
            elif i == len(words.tokens):
                last = None  # a lone capitalised function word (`Dalam`, `Saya`): no entity
            else:
                before = text[start - 40 if start > 40 else 0 : start]
                if i:  # stripped leading words (`Menurut`, `Kata`) are context for the rest
                    before += span[: words.pairs[i][1]]
                where = (paragraph, start, end)
                parse = _Parse(self, words, text, where=where, before=before, title=title)
                last = parse.run(i)
            self.alias_of = None
            # Both patterns start with `(`, `,` or whitespace, and after one space with
            # `(`, whitespace or the `a` of `alias`/`atau`/`a.k.a`: most spans are
            # followed by neither.
            follow = text[end : end + 2]
            if not follow or (follow[0] not in ",(" and not follow[0].isspace()):
                continue
            if (
                follow[1:]
                and follow[0] == " "
                and follow[1] not in "(a"
                and not follow[1].isspace()
            ):
                continue
            abbr = _ABBR_AFTER_RE.match(text, end, end + _AFTER_CHARS)
            if abbr is not None:
                self._abbreviation(abbr.group(1), last)
            alias = _ALIAS_AFTER_RE.match(text, end, end + _AFTER_CHARS)
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
        if self.alias_of is not None and self.alias_of != key:
            redirect[key] = self.alias_of
        key = redirect.get(key, key)
        self.order += 1
        candidate = self.found.get(key)
        if candidate is None:
            candidate = self.found[key] = Candidate(kind, text, self.order)
        candidate.count += 1
        if cued:
            candidate.cued = True
        if candidate.kind == "person" and paragraph >= 0:
            self.mentions.append((paragraph, position, key, speaks))
        return key

    def _lone(self, lone: Lone, paragraph: int, start: int, end: int, text: str, *,
              title: bool) -> str | None:  # fmt: skip
        """What `_Parse.run` does with a span of one word, without the parse: `lone` says
        what the word is, the text around the span (`start`, `end`) the rest."""
        if title:
            if lone.title_kind:
                return self.emit(lone.title_kind, lone.entity, -1, 0)
            return None
        context = cue_before(text[start - 40 if start > 40 else 0 : start])
        kind = lone.kind
        if context == "org":
            return self.emit("organization", lone.entity, paragraph, start)  # `dilansir Channel`
        if kind == "location":
            return self.emit("location", lone.entity, paragraph, start)
        if kind == "organization":
            return self.emit("organization", lone.entity, paragraph, start)
        if kind == "acronym":
            # A short unknown acronym after a title is a person's initials (`Aipda PS`).
            if context in {"speech", "person"}:
                return None
            return self.emit("organization", lone.entity, paragraph, start)
        if kind == "plain":
            limit = end + _AFTER_CHARS
            speaks = context == "speech" or bool(_SPEECH_AFTER_RE.match(text, end, limit))
            aged = bool(_AGE_AFTER_RE.match(text, end, limit))
            if context == "person" or speaks or aged or lone.name_token in self.anchors:
                return self.emit("person", lone.name, paragraph, start, speaks=speaks or aged)
            if context == "place":
                return self.emit("location", lone.name, paragraph, start)
        return None

    def _abbreviation(self, abbr: str, last: str | None) -> None:
        """`Kejaksaan Agung (Kejagung)`: the abbreviation is the entity's alias, or noise."""
        if last is not None:
            self.redirect[abbr.casefold()] = last
            self.found[last].aliases.add(abbr)
        else:
            self.suppressed.add(abbr.casefold())


class _Parse:
    """One span, read left to right into typed segments (see the module docstring)."""

    __slots__ = (
        "acronym", "after_other", "before", "context", "cue", "end", "folded", "last",
        "offset", "owned", "pairs", "paragraph", "plain", "reader", "span", "text", "title",
        "tokens",
    )  # fmt: skip

    def __init__(self, reader: Reader, words: SpanWords, text: str, *, where: tuple[int, int, int],
                 before: str, title: bool) -> None:  # fmt: skip
        """`where`: paragraph index, the span's start and end in `text` (the paragraph)."""
        self.reader = reader
        self.paragraph, self.offset, self.end = where
        self.span = text[self.offset : self.end]
        # Shared with the memo: `_plain_run` copies them before it rewrites a token.
        self.pairs: tuple[tuple[str, int], ...] | list[tuple[str, int]] = words.pairs
        self.tokens: tuple[str, ...] | list[str] = words.tokens
        self.folded: tuple[str, ...] | list[str] = words.folded
        self.acronym = words.acronym
        self.plain: tuple[bool, ...] | list[bool] = words.plain
        self.owned = False
        self.before = before
        self.text = text
        self.title = title
        self.last: str | None = None
        self.cue = False  # a title or speech verb announced a person
        self.context: str | None = None  # which group of cues matched before the span
        self.after_other = False

    def emit(self, kind: Kind, start: int, end: int, *, cued: bool = True,
             speaks: bool = False) -> None:  # fmt: skip
        pairs = self.pairs
        token, position = pairs[end - 1]
        entity = emitted(self.span[pairs[start][1] : position + len(token)])
        if self.title:
            key = self.reader.emit(kind, entity, -1, 0, cued=cued, speaks=speaks)
        else:
            position = self.offset + pairs[start][1]
            key = self.reader.emit(kind, entity, self.paragraph, position, cued=cued, speaks=speaks)
        if key is not None:
            self.last = key

    def run(self, i: int) -> str | None:
        """Type the tokens from `i` on; return the key of the last entity emitted."""
        n = len(self.tokens)
        if self.title:
            # Headlines are title case: only the gazetteers are trusted there.
            while i < n:
                j = self._gazetteer_only(i)
                i = i + 1 if j is None else j
            return self.last
        context = self.context = cue_before(self.before)
        self.cue = context in {"speech", "person"}
        if i == 0 and context == "org":
            self.emit("organization", 0, n)  # `dilansir Channel News Asia`
            return self.last
        # The typing steps in the order they are tried at each token; each is called only
        # for a word that can start what it looks for.
        while i < n:
            folded = self.folded[i]
            if folded in _HEAD_STARTS:
                j = self._headed(i)
                if j is not None:
                    i = j
                    continue
            if folded in GAZETTEER_STARTS:
                j = self._gazetteer(i)
                if j is not None:
                    i = j
                    continue
            if folded in TITLES:
                j = self._title(i)
                if j is not None:
                    i = j
                    continue
            if self.acronym[i]:
                i = self._acronym(i)
            elif self.plain[i]:
                i = self._plain_step(i)
            else:
                # `Unit Mobil Mercedes Benz`: no name after a common word; `A dan B`: a
                # conjunction starts a new name.
                self.after_other = self.tokens[i] not in ("dan", "&")
                i += 1
        return self.last

    def _gazetteer_only(self, i: int) -> int | None:
        if self.folded[i] not in GAZETTEER_STARTS:
            return None
        size = place_length(self.folded, i)
        if size:
            self.emit("location", i, i + size)
            return i + size
        size = known_org_length(self.folded, i)
        if size:
            self.emit("organization", i, i + size)
            return i + size
        return None

    def _headed(self, i: int) -> int | None:
        """`Balai Kota Jakarta`, `PT Gag Nikel`, `Kabupaten Jembrana`."""
        folded = self.folded[i]
        if folded not in _HEAD_STARTS:
            return None
        n = len(self.tokens)
        nxt = self.folded[i + 1] if i + 1 < n else ""
        if (folded, nxt) in (("balai", "kota"), ("bandar", "udara")):
            j = self._consume(i + 2, location=True)
            self.emit("location", i, j)
            return j
        if folded in ORG_HEADS or (folded, nxt) == ("rumah", "sakit"):
            j = self._consume(i + 1, location=False)
            if j > i + 1:
                self.emit("organization", i, j)
            return j
        if folded in LOC_HEADS and nxt and nxt not in STOP:
            j = self._consume(i + 1, location=True)
            self.emit("location", i, j)
            return j
        return None

    def _gazetteer(self, i: int) -> int | None:
        """A known place (`Jawa Barat`, `Bogor Selatan`) or organisation (`Polri`)."""
        if self.folded[i] not in GAZETTEER_STARTS:
            return None
        tokens = self.tokens
        size = place_length(self.folded, i)
        if size and i + size < len(tokens) and self.folded[i + size] in ORG_TAILS:
            j = self._org_tail(i + size)  # `Jakarta Post`, `Commonwealth Bank of Australia`
            self.emit("organization", i, j)
            return j
        if size:
            self.emit("location", i, i + size)
            return i + size
        size = known_org_length(self.folded, i)
        if size:
            self.emit("organization", i, i + size)
            return i + size
        return None

    def _title(self, i: int) -> int | None:
        """`Kabid Humas`, `Wali Kota`, `AKBP`: skip the title, a name is expected next."""
        tokens, n = self.tokens, len(self.tokens)
        folded = self.folded[i]
        if folded not in TITLES or (
            folded == "wali" and i + 1 < n and self.folded[i + 1] != "kota"
        ):
            return None
        j = i + 1
        while j < n and (
            self.folded[j] in TITLE_WORDS
            or tokens[j] in ("dan", "&")
            or (folded == "wali" and j == i + 1)
        ):
            j += 1
        self.cue = True
        return j

    def _acronym(self, i: int) -> int:
        """An acronym (`KPK`, `PT`-less `BRI Finance`): an organisation, or initials."""
        tokens = self.tokens
        j = i + 1
        if j < len(tokens) and self.folded[j] in ORG_TAILS:
            j = self._org_tail(j)
        folded = self.folded[i]
        # A short unknown acronym after a title is a person's initials (`Aipda PS`).
        if folded not in NOT_ENTITY and len(tokens[i]) >= 3 and not (self.cue and j == i + 1):
            self.emit("organization", i, j)
        self.after_other = True
        return j

    def _plain_step(self, i: int) -> int:
        """A run of name-like words from `i` (a plain word): typed by what follows it."""
        tokens = self.tokens
        j = self._plain_run(i)
        if j < len(tokens) and self.folded[j] in ORG_TAILS:
            end = self._org_tail(j)  # `Saudia Airlines`, `The ... Resource Center`
            self.emit("organization", i - (i > 0 and tokens[i - 1] == "The"), end)
            return end
        self._plain(i, j)
        return j

    def _plain(self, i: int, j: int) -> None:
        """Type a run of name-like words by its context."""
        tokens = self.tokens
        at_end = j == len(tokens)
        speech_before = i == 0 and self.context == "speech"
        cue, after_other = self.cue, self.after_other
        text, end = self.text, self.end
        limit = end + _AFTER_CHARS
        speaks = speech_before or (at_end and bool(_SPEECH_AFTER_RE.match(text, end, limit)))
        aged = at_end and bool(_AGE_AFTER_RE.match(text, end, limit))
        anchored = not self.reader.anchors.isdisjoint(tokens[i:j])
        if cue or speaks or aged or anchored:
            self.emit("person", i, j, speaks=speaks or aged)
        elif i == 0 and self.context == "place":
            self.emit("location", i, j)
        elif (
            j - i >= 2
            and not after_other
            and not (at_end and _ABBR_AFTER_RE.match(text, end, limit))
        ):
            # Only here does it matter whether the span opens a sentence.
            sentence_start = i == 0 and starts_sentence(self.before)
            self.emit("person", i, j, cued=not sentence_start)

    def _plain_run(self, i: int) -> int:
        """End of the run of name-like tokens starting at `i` (== i when there is none)."""
        tokens, plain = self.tokens, self.plain
        j = i
        while j < len(tokens):
            token = tokens[j]
            if j > i and self.folded[j] in ORG_TAILS:
                break
            if plain[j]:
                head = hyphen_head(token)
                if head is not None:  # `Ganjar Pranowo-Mahfud`: two names
                    self._rewrite(j, head)
                    return j + 1
                j += 1
            elif j > i and token in NAME_LINKS and j + 1 < len(tokens):
                j += 1
            elif j > i and len(token) <= 2 and token.isupper() and j + 1 == len(tokens):
                j += 1  # `Mahfud MD`, `Andri M Rijal`
            else:
                break
        return j

    def _rewrite(self, j: int, token: str) -> None:
        """Replace token `j` (on a copy: the span's words are shared with the memo)."""
        if not self.owned:
            self.pairs, self.tokens = list(self.pairs), list(self.tokens)
            self.folded, self.plain = list(self.folded), list(self.plain)
            self.owned = True
        assert isinstance(self.pairs, list)
        assert isinstance(self.tokens, list)
        assert isinstance(self.folded, list)
        assert isinstance(self.plain, list)
        self.pairs[j] = (token, self.pairs[j][1])
        self.tokens[j] = token
        self.folded[j], _, self.plain[j] = token_info(token)

    def _consume(self, j: int, *, location: bool) -> int:
        """End of an organisation or place name that started before `j`."""
        tokens = self.tokens
        start = j
        while j < len(tokens):
            folded = self.folded[j]
            if folded in BREAKS:
                break
            if j > start and (folded in TITLES or tokens[j] in self.reader.anchors):
                break
            if (
                j > start
                and self.cue
                and self.plain[j]
                and (self.acronym[j - 1] or self.folded[j - 1] in PLACES)
            ):
                break  # `Pos SAR Banyuwangi | Wahyu Setia Budi`
            if location and j > start and folded in ORG_HEADS:
                break
            j += 1
        while j > start and tokens[j - 1] in ("dan", "of", "the", "&"):
            j -= 1
        return j

    def _org_tail(self, j: int) -> int:
        """Past an organisation tail word and an `of <place>`/place that completes it."""
        tokens = self.tokens
        j += 1
        if j + 1 < len(tokens) and tokens[j] == "of":
            folded = self.folded
            size = place_length(folded, j + 1) or int(self.plain[j + 1])
            return j + 1 + size if size else j
        return j + (place_length(self.folded, j) if j < len(tokens) else 0)


# First words of what `_Parse._headed` handles (it does nothing for any other word).
_HEAD_STARTS: Final = ORG_HEADS | LOC_HEADS | {"balai", "bandar", "rumah"}
