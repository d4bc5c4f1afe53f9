"""Top terms of an article: term frequency with a lead/title boost, stopwords removed.

Cheap by design: candidates are single words and two-word phrases of content words; a
word's score is its frequency, doubled for occurrences in the title and the first
paragraph; phrases that recur score their frequency times 2.5 and absorb their words.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from itertools import compress, pairwise
from operator import and_, neg
from typing import Final

from worker.pipeline.data import words

MAX_KEYWORDS: Final = 10
_STOPWORDS: Final = words("stopwords_id") | words("stopwords_en")
# Words (letters first, inner hyphens/apostrophes kept) or a phrase-breaking mark; one
# pass over the lower-cased text.
_TOKEN_RE: Final = re.compile(
    r"[^\W\d_][\w'-]*[^\W_]|[^\W\d_]|[.,;:!?()\"\u201c\u201d\u2018\u2019\u2014\u2013]| - "
)
# Joins texts so that one tokenising pass serves them all: the `.` is a phrase-breaking
# token and the line breaks keep it (and the neighbouring words) apart, so no word run
# crosses from one text into the next.
_TEXT_BREAK: Final = "\n.\n"


def _counts(texts: list[str]) -> tuple[Counter[str], Counter[str]]:
    """Content words and adjacent content-word pairs of `texts`, counted.

    A content word has 3+ characters, starts with a letter and is not a stopword;
    anything else (stopwords, punctuation) breaks a phrase.
    """
    tokens = _TOKEN_RE.findall(_TEXT_BREAK.join(texts).lower())
    content = [len(t) >= 3 and t[0].isalpha() and t not in _STOPWORDS for t in tokens]
    singles = Counter(compress(tokens, content))
    adjacent = compress(pairwise(tokens), map(and_, content, content[1:]))
    return singles, Counter(map(" ".join, adjacent))


def extract_keywords(title: str | None, paragraphs: tuple[str, ...]) -> tuple[str, ...]:
    """Up to MAX_KEYWORDS lower-case terms or two-word phrases, best first."""
    # The title and the first paragraph count twice.
    singles, pairs = _counts(list(paragraphs[1:]))
    lead_singles, lead_pairs = _counts([title or "", *paragraphs[:1]])
    for counter, lead in ((singles, lead_singles), (pairs, lead_pairs)):
        for term, count in lead.items():
            counter[term] += 2 * count
    scores: dict[str, float] = dict(singles)
    for phrase, count in pairs.items():
        if count >= 3:
            scores[phrase] = count * 2.5
            for word in phrase.split():
                scores[word] = scores.get(word, 0) - count
    # Best score first, then alphabetical; (-score, term) tuples compare in C, and only the
    # top MAX_KEYWORDS are sorted out of the heap.
    ranked = heapq.nsmallest(MAX_KEYWORDS, zip(map(neg, scores.values()), scores, strict=True))
    return tuple(term for score, term in ranked if score < -1)
