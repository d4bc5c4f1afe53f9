"""Keyword scoring and ranking against a plain reference implementation of the definition."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from worker.pipeline.keywords import MAX_KEYWORDS, _content_words, extract_keywords


def _reference_keywords(title: str | None, paragraphs: tuple[str, ...]) -> tuple[str, ...]:
    """The module docstring's scoring, spelled out: the lead counts twice, recurring
    phrases score 2.5 per occurrence and absorb their words, best score then A-Z."""
    lead = _content_words([title or "", *paragraphs[:1]])
    tokens = [*lead, "", *lead, "", *_content_words(list(paragraphs[1:]))]
    scores: dict[str, float] = dict(Counter(token for token in tokens if token))
    for (first, second), count in Counter(pairwise(tokens)).items():
        if first and second and count >= 3:
            scores[f"{first} {second}"] = count * 2.5
            scores[first] -= count
            scores[second] -= count
    ranked = sorted(
        (term for term, score in scores.items() if score > 1),
        key=lambda term: (-scores[term], term),
    )
    return tuple(ranked[:MAX_KEYWORDS])


# A small vocabulary, so that words and phrases recur and scores tie at the cut.
_WORDS = st.sampled_from([
    "kali", "lamong", "banjir", "gresik", "desa", "warga", "yang", "di", "5", "x", ".", ",",
    "Kali", "air", "naik", "surut", "jalan", "raya", "motor", "hujan", "deras", "sungai",
])  # fmt: skip
_TEXTS = st.lists(_WORDS, max_size=60).map(" ".join)


@given(st.none() | _TEXTS, st.lists(_TEXTS, max_size=6).map(tuple))
def test_keywords_follow_the_reference_scoring(
    title: str | None, paragraphs: tuple[str, ...]
) -> None:
    assert extract_keywords(title, paragraphs) == _reference_keywords(title, paragraphs)


def test_ties_at_the_cut_are_broken_alphabetically() -> None:
    words = [f"kata{letter}" for letter in "mlkjihgfedcba"]
    # Each word scores 2 (it is in the lead); the commas keep them from forming phrases.
    assert extract_keywords(None, (", ".join(words),)) == tuple(sorted(words)[:MAX_KEYWORDS])
