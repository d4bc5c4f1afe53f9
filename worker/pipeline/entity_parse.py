"""Reading a span of several words left to right into typed segments (see `entities`).

`read_span` tries these steps at each word, in this order, each only for a word that can
start what it looks for:

- a head (`Balai Kota Jakarta`, `PT Gag Nikel`, `Kabupaten Jembrana`) and the name it
  heads;
- a gazetteer place (`Jawa Barat`, `Jakarta Post` with an organisation tail) or a
  well-known organisation (`Polri`);
- a title (`Kabid Humas`, `Wali Kota`, `AKBP`): skipped, a person is expected next;
- an acronym: an organisation, or a person's initials right after a title;
- a run of name-like words, typed by its context (`_plain`).

The parse (`_plan`) depends only on the span, the cue before it and which of its words
are speaker anchors, so `read_span` memoises it as a plan of steps and replays that;
what follows the span (a speech verb, an age, an abbreviation) and whether it opens a
sentence type the runs of names at replay. The parse state lives in local variables, as
attribute lookups on a parser object cost as much as the steps themselves.
`read_title_span` reads headlines, where only the gazetteers are trusted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from worker.pipeline.entity_context import cue_before, starts_sentence
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
    Kind,
    known_org_length,
    place_length,
    remember,
    token_info,
)
from worker.pipeline.entity_words import SpanWords, emitted, hyphen_head

if TYPE_CHECKING:
    from worker.pipeline.entity_spans import Reader

__all__ = ["ABBR_AFTER_RE", "AFTER_CHARS", "read_span", "read_title_span", "speech_or_age_after"]

# The patterns below are matched at the end of a span, within AFTER_CHARS characters.
AFTER_CHARS: Final = 60
ABBR_AFTER_RE: Final = re.compile(r"\s*\(\s*([A-Z][\w-]{1,11})\s*\)")
AGE_AFTER_RE: Final = re.compile(r"\s*\(\d{1,3}\)")
SPEECH_AFTER_RE: Final = re.compile(
    r",?\s+(?:juga\s+|pun\s+|kemudian\s+|lantas\s+|sebelumnya\s+|saat\s+itu\s+)?(?:mengatakan|"
    r"menyatakan|menjelaskan|menambahkan|mengungkapkan|menegaskan|menyebut|menyebutkan|"
    r"menyampaikan|menilai|mengaku|berkata|menuturkan|memastikan|membenarkan|mendesak|"
    r"merespons|said|says|told|added)\b"
)
# What can follow the one space after a span in a SPEECH_AFTER_RE or AGE_AFTER_RE match:
# the first letters of the adverbs and verbs, or the age's bracket.
_AFTER_SPACE: Final = frozenset("jpklsmbta(")
# First words of what the head step handles (it does nothing for any other word).
_HEAD_STARTS: Final = ORG_HEADS | LOC_HEADS | {"balai", "bandar", "rumah"}


# A step of a span's parse: an entity to emit (kind, `emitted` of its segment, its offset
# in the span) or, with `_Run` facts instead of a kind, a run of names that the text after
# the span and the sentence start still type (see `_typed`).
_Run = tuple[bool, bool, bool, bool, bool, bool]  # at_end, first, forced, speech, place, two
_Step = tuple[Kind | None, tuple[str, str] | None, int, _Run | None]
# Memo of `_plan` by span, cue before it and which of its words are speaker anchors: the
# parse depends on nothing else (pure; emptied when full).
PLAN_MEMO: dict[tuple[str, str | None, frozenset[str]], tuple[_Step, ...]] = {}
_NO_ANCHORS: Final[frozenset[str]] = frozenset()


def read_span(
    reader: Reader, words: SpanWords, text: str, bounds: tuple[int, int, int], before: str
) -> str | None:
    """Type the tokens of a span from `words.start` on; return the key of the last entity
    emitted. `bounds`: paragraph index, the span's start and end in `text`; `before`: the
    text before the span and the leading words skipped."""
    paragraph, offset, end = bounds
    context = cue_before(before)
    anchors = reader.anchors
    tokens, heads = words.tokens, words.heads
    if anchors.isdisjoint(tokens) and (not heads or anchors.isdisjoint(heads)):
        hits = _NO_ANCHORS
    else:
        hits = anchors.intersection(tokens + heads)
    key = (text[offset:end], context, hits)
    plan = PLAN_MEMO.get(key)
    if plan is None:
        plan = remember(PLAN_MEMO, key, _plan(key[0], words, context, hits))
    last = None
    for step_kind, entity, position, run in plan:
        if run is None:
            last = (
                reader.emit(step_kind, entity, paragraph, offset + position)  # type: ignore[arg-type]
                or last
            )
            continue
        # The run's type, as `_plan` would give it knowing the text around the span.
        at_end, first, forced, first_speech, place, two_words = run
        speech_after, aged = speech_or_age_after(text, end) if at_end else (False, False)
        speaks = first_speech or speech_after
        cued = True
        kind: Kind
        if forced or speaks or aged:
            kind = "person"
        elif place:
            kind = "location"
        elif two_words and not (at_end and ABBR_AFTER_RE.match(text, end, end + AFTER_CHARS)):
            # Only here does it matter whether the span opens a sentence.
            kind, cued = "person", not (first and starts_sentence(before))
        else:
            continue
        last = (
            reader.emit(
                kind, entity, paragraph, offset + position, cued=cued, speaks=speaks or aged
            )
            or last
        )
    return last


def _plan(  # noqa: PLR0915  (one loop over the steps, kept together)
    span: str, words: SpanWords, context: str | None, anchors: frozenset[str]
) -> tuple[_Step, ...]:
    """The steps that type the tokens of `span` (its `words`) from `words.start` on, after
    a cue of group `context`; `anchors`: the speaker anchors among its words."""
    pairs: Sequence[tuple[str, int]] = words.pairs
    tokens: Sequence[str] = words.tokens
    folded: Sequence[str] = words.folded
    acronym: Sequence[bool] = words.acronym
    plain: Sequence[bool] = words.plain
    owned = False  # the sequences are the memo's until a token is rewritten
    n = len(tokens)
    i = words.start
    steps: list[_Step] = []
    cue = context in {"speech", "person"}  # a title or speech verb announced a person
    if i == 0 and context == "org":
        return (_step("organization", span, pairs, 0, n),)  # `dilansir Channel News Asia`
    after_other = False
    while i < n:
        word = folded[i]
        if word in _HEAD_STARTS:
            following = folded[i + 1] if i + 1 < n else ""
            kind: Kind | None = None
            if (word, following) in {("balai", "kota"), ("bandar", "udara")}:
                kind, j = "location", _consume(tokens, folded, plain, acronym, i + 2, cue, anchors)
            elif word in ORG_HEADS or (word, following) == ("rumah", "sakit"):
                j = _consume(tokens, folded, plain, acronym, i + 1, cue, anchors, location=False)
                if j > i + 1:
                    kind = "organization"
            elif word in LOC_HEADS and following and following not in STOP:
                kind, j = "location", _consume(tokens, folded, plain, acronym, i + 1, cue, anchors)
            else:
                j = -1  # not a head here after all
            if kind is not None:
                steps.append(_step(kind, span, pairs, i, j))
            if j >= 0:
                i = j
                continue
        if word in GAZETTEER_STARTS:
            size = place_length(folded, i)
            if size and i + size < n and folded[i + size] in ORG_TAILS:
                j = _org_tail(tokens, folded, plain, i + size)  # `Jakarta Post`
                steps.append(_step("organization", span, pairs, i, j))
                i = j
                continue
            if size:
                steps.append(_step("location", span, pairs, i, i + size))
                i += size
                continue
            size = known_org_length(folded, i)
            if size:
                steps.append(_step("organization", span, pairs, i, i + size))
                i += size
                continue
        if word in TITLES and not (word == "wali" and i + 1 < n and folded[i + 1] != "kota"):
            # `Kabid Humas`, `Wali Kota`, `AKBP`: skip the title, a name is expected next.
            j = i + 1
            while j < n and (
                folded[j] in TITLE_WORDS
                or tokens[j] in {"dan", "&"}
                or (word == "wali" and j == i + 1)
            ):
                j += 1
            cue = True
            i = j
            continue
        if acronym[i]:
            j = i + 1
            if j < n and folded[j] in ORG_TAILS:
                j = _org_tail(tokens, folded, plain, j)
            # A short unknown acronym after a title is a person's initials (`Aipda PS`).
            if word not in NOT_ENTITY and len(tokens[i]) >= 3 and not (cue and j == i + 1):
                steps.append(_step("organization", span, pairs, i, j))
            after_other = True
            i = j
            continue
        if not plain[i]:
            # `Unit Mobil Mercedes Benz`: no name after a common word; `A dan B`: a
            # conjunction starts a new name.
            after_other = tokens[i] not in {"dan", "&"}
            i += 1
            continue
        # The run of name-like tokens from `i`.
        j = i
        while j < n:
            token = tokens[j]
            if j > i and folded[j] in ORG_TAILS:
                break
            if plain[j]:
                j += 1
                head = hyphen_head(token)
                if head is not None:  # `Ganjar Pranowo-Mahfud`: two names
                    if not owned:
                        pairs, tokens = list(pairs), list(tokens)
                        folded, acronym, plain = list(folded), list(acronym), list(plain)
                        owned = True
                    assert isinstance(pairs, list)
                    assert isinstance(tokens, list)
                    assert isinstance(folded, list)
                    assert isinstance(acronym, list)
                    assert isinstance(plain, list)
                    pairs[j - 1] = (head, pairs[j - 1][1])
                    tokens[j - 1] = head
                    folded[j - 1], acronym[j - 1], plain[j - 1] = token_info(head)
                    break
            elif j > i and token in NAME_LINKS and j + 1 < n:
                j += 1
            elif j > i and len(token) <= 2 and token.isupper() and j + 1 == n:
                j += 1  # `Mahfud MD`, `Andri M Rijal`
            else:
                break
        if j < n and folded[j] in ORG_TAILS:
            tail_end = _org_tail(tokens, folded, plain, j)  # `Saudia Airlines`
            first = i - (i > 0 and tokens[i - 1] == "The")  # `The ... Resource Center`
            steps.append(_step("organization", span, pairs, first, tail_end))
            i = tail_end
            continue
        # Typed by its context, which `read_span` completes with the text after the span.
        run = (
            j == n,
            i == 0,
            cue or not anchors.isdisjoint(tokens[i:j]),
            i == 0 and context == "speech",
            i == 0 and context == "place",
            j - i >= 2 and not after_other,
        )
        steps.append(_step(None, span, pairs, i, j, run=run))
        i = j
    return tuple(steps)


def read_title_span(reader: Reader, words: SpanWords, text: str, offset: int) -> str | None:
    """`read_span` for a headline: title case, so only gazetteer entries are typed."""
    pairs, folded = words.pairs, words.folded
    n = len(folded)
    i = words.start
    last = None
    while i < n:
        if folded[i] in GAZETTEER_STARTS:
            size = place_length(folded, i)
            kind: Kind = "location"
            if not size:
                size, kind = known_org_length(folded, i), "organization"
            if size:
                entity, _ = _segment(text, offset, pairs, i, i + size)
                last = reader.emit(kind, entity, -1, 0) or last
                i += size
                continue
        i += 1
    return last


def speech_or_age_after(text: str, end: int) -> tuple[bool, bool]:
    """Whether a speech verb (`Agus mengatakan`) and whether an age (`Agus (21)`) follows
    a span that ends at `end`. Most spans are followed by neither: the characters right
    after the span rule both out before any regex runs."""
    first = text[end : end + 1]
    if first == " ":
        second = text[end + 1 : end + 2]
        if second and second not in _AFTER_SPACE and not second.isspace():
            return False, False
    elif first not in {",", "("} and not first.isspace():
        return False, False  # `first` is empty at the end of the text
    limit = end + AFTER_CHARS
    return (
        SPEECH_AFTER_RE.match(text, end, limit) is not None,
        AGE_AFTER_RE.match(text, end, limit) is not None,
    )


def _segment(
    text: str, offset: int, pairs: Sequence[tuple[str, int]], start: int, end: int
) -> tuple[tuple[str, str] | None, int]:
    """Tokens `start` to `end` of the span at `offset` as an entity (`emitted`), and the
    position where they start."""
    token, position = pairs[end - 1]
    first = offset + pairs[start][1]
    return emitted(text[first : offset + position + len(token)]), first


def _step(
    kind: Kind | None,
    span: str,
    pairs: Sequence[tuple[str, int]],
    start: int,
    end: int,
    *,
    run: _Run | None = None,
) -> _Step:
    """Tokens `start` to `end` of `span` as a step of its plan (see `_segment`)."""
    token, position = pairs[end - 1]
    first = pairs[start][1]
    return kind, emitted(span[first : position + len(token)]), first, run


def _consume(  # noqa: PLR0917  (the parse state it reads, passed as is)
    tokens: Sequence[str],
    folded: Sequence[str],
    plain: Sequence[bool],
    acronym: Sequence[bool],
    j: int,
    cue: bool,
    anchors: frozenset[str],
    *,
    location: bool = True,
) -> int:
    """End of an organisation or place name that started before `j`."""
    start = j
    n = len(tokens)
    while j < n:
        word = folded[j]
        if word in BREAKS:
            break
        if j > start:
            if word in TITLES or tokens[j] in anchors:
                break
            if cue and plain[j] and (acronym[j - 1] or folded[j - 1] in PLACES):
                break  # `Pos SAR Banyuwangi | Wahyu Setia Budi`
            if location and word in ORG_HEADS:
                break
        j += 1
    while j > start and tokens[j - 1] in {"dan", "of", "the", "&"}:
        j -= 1
    return j


def _org_tail(tokens: Sequence[str], folded: Sequence[str], plain: Sequence[bool], j: int) -> int:
    """Past an organisation tail word and an `of <place>`/place that completes it."""
    j += 1
    if j + 1 < len(tokens) and tokens[j] == "of":
        size = place_length(folded, j + 1) or int(plain[j + 1])
        return j + 1 + size if size else j
    return j + (place_length(folded, j) if j < len(tokens) else 0)
