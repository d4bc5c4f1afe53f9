"""Top terms of an article: term frequency with a lead/title boost, stopwords removed.

Cheap by design (~0.2 ms): candidates are single words and two-word phrases of content
words; a word's score is its frequency, doubled for occurrences in the title and the first
paragraph; phrases that recur score their frequency times 2.5 and absorb their words.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise
from typing import Final

from worker.pipeline.data import words

MAX_KEYWORDS: Final = 10
_STOPWORDS: Final = words("stopwords_id") | words("stopwords_en")
# Words (letters first, inner hyphens/apostrophes kept) or a phrase-breaking mark; one
# pass over the lower-cased text.
_TOKEN_RE: Final = re.compile(
    r"[^\W\d_][\w'-]*[^\W_]|[^\W\d_]|[.,;:!?()\"\u201c\u201d\u2018\u2019\u2014\u2013]| - "
)


def _runs(text: str) -> list[list[str]]:
    """Lower-cased content-word runs: stopwords and punctuation split a run."""
    runs: list[list[str]] = []
    run: list[str] = []
    for word in _TOKEN_RE.findall(text.lower()):
        if len(word) < 3 or not word[0].isalpha() or word in _STOPWORDS:
            if run:
                runs.append(run)
                run = []
        else:
            run.append(word)
    if run:
        runs.append(run)
    return runs


def extract_keywords(title: str | None, paragraphs: tuple[str, ...]) -> tuple[str, ...]:
    """Up to MAX_KEYWORDS lower-case terms or two-word phrases, best first."""
    singles: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    for index, text in enumerate(((title or ""), *paragraphs)):
        weight = 2 if index <= 1 else 1
        for run in _runs(text):
            for word in run:
                singles[word] += weight
            for first, second in pairwise(run):
                pairs[f"{first} {second}"] += weight
    scores: dict[str, float] = dict(singles)
    for phrase, count in pairs.items():
        if count >= 3:
            scores[phrase] = count * 2.5
            for word in phrase.split():
                scores[word] = scores.get(word, 0) - count
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return tuple(term for term, score in ranked[:MAX_KEYWORDS] if score > 1)
