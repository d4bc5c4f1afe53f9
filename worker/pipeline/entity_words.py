"""The words of a capitalised span and what they are, worked out once per span.

The same spans (`Kamis`, `Jakarta`, `Kata Agus`) recur in every article: their tokens,
folded forms and word tests, and for a one-word span what the span parser
(`entity_spans`) will make of it, are memoised in a bounded dict. Pure: the memo only
saves work.
"""

from __future__ import annotations

from typing import Final, Literal, NamedTuple

from worker.pipeline.entity_lexicon import (
    GAZETTEER_STARTS,
    GLUED,
    HEAD_WORDS,
    NOT_ENTITY,
    ORG_HEADS,
    STOP,
    TITLES,
    known_org_length,
    place_length,
    remember,
    span_tokens,
    token_info,
)

__all__ = ["SPAN_MEMO", "Lone", "SpanWords", "emitted", "hyphen_head", "span_words"]

# Stopwords that are not titles or heads: a span that is one of them (and nothing else) is
# a capitalised function word; the parser would strip it and find nothing.
_FUNCTION_WORDS: Final = STOP - HEAD_WORDS


class Lone(NamedTuple):
    """What the span parser does with a span of one word, before its context is known.

    `kind`: `organization`/`location` for a gazetteer entry, `acronym` for an acronym
    that is an organisation unless a person was announced, `plain` for a name-like
    word typed by its context, `""` for a word that names nothing by itself (a title, an
    organisation head, a common word). Only a cue like `dilansir` before the span can
    still make any of them an organisation.
    """

    kind: Literal["", "location", "organization", "acronym", "plain"]
    title_kind: Literal["", "location", "organization"]  # the same, in a headline
    entity: tuple[str, str] | None  # the word as an entity and its key (`emitted`)
    name: tuple[str, str] | None  # the same for `plain`, after `hyphen_head`
    name_token: str  # the token `plain` checks against the speaker anchors


class SpanWords(NamedTuple):
    """A span's tokens and their word tests (see `span_words`)."""

    pairs: tuple[tuple[str, int], ...]  # tokens and their offsets in the span
    tokens: tuple[str, ...]
    folded: tuple[str, ...]  # `fold` of each token
    acronym: tuple[bool, ...]  # `is_acronym` of each token
    plain: tuple[bool, ...]  # `is_plain` of each token
    start: int  # first token after leading stopwords; == len(tokens): nothing to read
    lone: Lone | None  # for a span of one token read from the start
    heads: tuple[str, ...]  # `hyphen_head` of the tokens that have one (may be anchors too)


# The memo of `span_words`; the span reader looks spans up in it first (a call less).
SPAN_MEMO: dict[str, SpanWords] = {}
_NOTHING: Final = SpanWords((), (), (), (), (), 0, None, ())


def span_words(span: str) -> SpanWords:
    """Tokens of a span and their word tests, memoised."""
    words = SPAN_MEMO.get(span)
    if words is not None:
        return words
    if span.isalpha() and span[1:].islower() and not span.endswith(GLUED):
        words = _one_word(span)  # what `span_tokens` gives back as it is: the usual span
    else:
        pairs = tuple(span_tokens(span))
        tokens = tuple([token for token, _ in pairs])
        folded, acronym, plain = zip(*map(token_info, tokens), strict=True)
        i = 0
        while i < len(folded) and folded[i] in STOP and folded[i] not in HEAD_WORDS:
            i += 1
        lone = _lone(tokens[0], folded[0], acronym[0], plain[0]) if len(tokens) == 1 else None
        heads = tuple(h for t in tokens if (h := hyphen_head(t)) is not None) if "-" in span else ()
        words = SpanWords(pairs, tokens, folded, acronym, plain, i, lone if i == 0 else None, heads)
    return remember(SPAN_MEMO, span, words)


def _one_word(word: str) -> SpanWords:
    """`SpanWords` of a span that is one plain word."""
    folded, acronym, plain = token_info(word)
    if folded in _FUNCTION_WORDS:
        return _NOTHING  # a lone capitalised function word (`Dalam`, `Saya`)
    lone = _lone(word, folded, acronym, plain)
    return SpanWords(((word, 0),), (word,), (folded,), (acronym,), (plain,), 0, lone, ())


def emitted(text: str) -> tuple[str, str] | None:
    """A typed segment's text as an entity and its key, or None when it is no entity
    (shorter than two characters, a stopword or a non-entity acronym)."""
    text = text.strip(" ,.-")
    key = text.casefold()
    if len(text) < 2 or key in STOP or key in NOT_ENTITY:
        return None
    return text, key


def hyphen_head(token: str) -> str | None:
    """`Pranowo` of `Pranowo-Mahfud`: two names joined by a hyphen, or None."""
    if "-" in token:
        parts = token.split("-")
        if all(len(p) >= 3 and p[0].isupper() for p in parts):
            return parts[0]
    return None


def _lone(token: str, folded: str, acronym: bool, plain: bool) -> Lone:
    """`Lone` of a one-token span: the parser's steps in their order, for one word."""
    kind: Literal["", "location", "organization", "acronym", "plain"] = ""
    title_kind: Literal["", "location", "organization"] = ""
    if folded in GAZETTEER_STARTS:
        if place_length((folded,), 0):
            title_kind = "location"
        elif known_org_length((folded,), 0):
            title_kind = "organization"
    if folded in ORG_HEADS or (not title_kind and folded in TITLES):
        pass  # an organisation head alone, a title: nothing is named yet
    elif title_kind:
        kind = title_kind
    elif acronym:
        if folded not in NOT_ENTITY and len(token) >= 3:
            kind = "acronym"
    elif plain:
        kind = "plain"
    head = hyphen_head(token) if plain else None
    entity = emitted(token)
    if head is None:
        return Lone(kind, title_kind, entity, entity, token)
    return Lone(kind, title_kind, entity, emitted(head), head)
