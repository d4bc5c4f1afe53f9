"""Top terms of an article: term frequency with a lead/title boost, stopwords removed.

Cheap by design: candidates are single words and two-word phrases of content words; a
word's score is its frequency, doubled for occurrences in the title and the first
paragraph; phrases that recur score their frequency times 2.5 and absorb their words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import product
from typing import Final

from worker.pipeline.data import words

MAX_KEYWORDS: Final = 10
_STOPWORDS: Final = words("stopwords_id") | words("stopwords_en")
# The definition of a token, on the lower-cased text: words (letters first, inner
# hyphens/apostrophes kept) or a phrase-breaking mark.
_TOKEN_RE: Final = re.compile(
    r"[^\W\d_][\w'-]*[^\W_]|[^\W\d_]|[.,;:!?()\"\u201c\u201d\u2018\u2019\u2014\u2013]| - "
)
# Joins texts so that one tokenising pass serves them all: the `.` is a phrase-breaking
# token and the line breaks keep it (and the neighbouring words) apart, so no word run
# crosses from one text into the next.
_TEXT_BREAK: Final = "\n.\n"

# ASCII text (most of it, once a few common marks are replaced) is tokenised without the
# regex above: `findall` costs ~100 ns per token, bytes.translate + split a tenth of that.
# The table keeps word characters, turns phrase-breaking marks into \x01 and everything
# else into a space; `_JUNK_RE` then blanks what `_TOKEN_RE` would skip inside a run of
# word characters: its leading digits/`_'-` (all of it when no letter follows) and its
# trailing `_'-`. `_TOKEN_RE` reads ` - ` as a mark before any of that, so it is replaced
# by ` . ` first.
_BREAK_MARKS: Final = '.,;:!?()"'
_ASCII_TABLE: Final = bytes(
    cp if chr(cp).isalnum() or chr(cp) in "_'-" else 1 if chr(cp) in _BREAK_MARKS else 0x20
    for cp in range(0x80)
) + bytes(range(0x80, 0x100))
_JUNK_RE: Final = re.compile(
    rb"[0-9_'-](?:(?<![a-z0-9_'-].)[0-9_'-]*|(?<=[a-z0-9][_'-])[_'-]*(?![a-z0-9_'-]))"
)
# Common non-ASCII marks: the wide phrase breaks of `_TOKEN_RE` act like `.`; the others are
# neither word characters nor marks, so they separate words like a space.
_WIDE_MARKS: Final = (
    *((mark, ".") for mark in "\u201c\u201d\u2018\u2019\u2014\u2013"),
    *((mark, " ") for mark in "\u2022\u2026\xa0\u201e\u201a\u2010\u2015\u00b7\u00ab\u00bb"),
)
_LETTERS: Final = "abcdefghijklmnopqrstuvwxyz"
# Tokens of the ASCII path that are no content words: the break mark, stopwords and every
# token shorter than three characters (a letter, then a letter or a digit).
_NOT_CONTENT: Final = dict.fromkeys(
    ["\x01", *_STOPWORDS, *_LETTERS, *map("".join, product(_LETTERS, _LETTERS + "0123456789"))],
    "",
)


def _content_words(texts: Sequence[str]) -> list[str]:
    """The tokens of `texts` in order, with every token that is no content word as "".

    A content word has 3+ characters, starts with a letter and is not a stopword;
    anything else (stopwords, punctuation) breaks a phrase.
    """
    text = _TEXT_BREAK.join(texts).lower()
    plain = text.replace(" - ", " . ")
    if not plain.isascii():
        for mark, replacement in _WIDE_MARKS:
            plain = plain.replace(mark, replacement)
    if plain.isascii():
        data = _JUNK_RE.sub(b" ", plain.encode("ascii").translate(_ASCII_TABLE))
        tokens = data.replace(b"\x01", b" \x01 ").decode("ascii").split()
        return list(map(_NOT_CONTENT.get, tokens, tokens))
    return [
        token if len(token) >= 3 and token[0].isalpha() and token not in _STOPWORDS else ""
        for token in _TOKEN_RE.findall(text)
    ]


def extract_keywords(title: str | None, paragraphs: tuple[str, ...]) -> tuple[str, ...]:
    """Up to MAX_KEYWORDS lower-case terms or two-word phrases, best first."""
    # Scores are kept doubled so that they stay integers (a phrase scores 2.5 per
    # occurrence); the title and the first paragraph count twice.
    scores: dict[str, int] = {}
    pairs: dict[tuple[str, str], int] = {}
    lead = _content_words([title or "", *paragraphs[:1]])
    body = _content_words(paragraphs[1:])
    for tokens, weight in ((lead, 2), (body, 1)):
        previous = ""
        for token in tokens:
            if token:
                scores[token] = scores.get(token, 0) + 2 * weight
                if previous:
                    pair = (previous, token)
                    pairs[pair] = pairs.get(pair, 0) + weight
            previous = token
    # Phrases that recur absorb their words.
    for (first, second), count in pairs.items():
        if count >= 3:
            scores[f"{first} {second}"] = 5 * count
            scores[first] -= 2 * count
            scores[second] -= 2 * count
    # Only terms scoring above 1 (2 doubled) are kept; sorting is only needed for those
    # that can make the cut: best score first, then alphabetical.
    best = [term for term, score in scores.items() if score > 2]
    if len(best) > MAX_KEYWORDS:
        cut = sorted([scores[term] for term in best], reverse=True)[MAX_KEYWORDS - 1]
        best = [term for term in best if scores[term] >= cut]
    best.sort()
    best.sort(key=scores.__getitem__, reverse=True)
    return tuple(best[:MAX_KEYWORDS])
