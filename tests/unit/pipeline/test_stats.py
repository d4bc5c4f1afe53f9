"""Stats: word/character/paragraph counts and the reading-time estimate."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from worker.pipeline.stats import READING_WPM, compute_stats

# From the Kompas record in the dev corpus.
LEAD = (
    "Rafi Haikal (21), seorang suporter asal Tambun Selatan, Kabupaten Bekasi, tetap "
    "menunjukkan kebanggaan terhadap tim nasional Indonesia meskipun kalah telak 6-0 dari Jepang."
)


def test_counts_words_characters_and_paragraphs() -> None:
    stats = compute_stats(
        (LEAD, "Menurut dia, salah satu elemen yang wajib dibenahi adalah passing jauh.")
    )
    assert stats.paragraphs == 2
    assert stats.words == len(LEAD.split()) + 11
    assert stats.characters == len(LEAD) + 71


def test_reading_time_rounds_up_at_200_wpm() -> None:
    assert READING_WPM == 200
    assert compute_stats(("kata " * 200,)).reading_time_s == 60
    assert compute_stats(("kata " * 201,)).reading_time_s == 61


def test_empty_paragraphs_are_not_counted() -> None:
    stats = compute_stats(("", "   ", LEAD))
    assert stats.paragraphs == 1
    assert compute_stats(()).reading_time_s == 0


@given(st.lists(st.text(min_size=1), max_size=8))
def test_counts_are_consistent(paragraphs: list[str]) -> None:
    stats = compute_stats(tuple(paragraphs))
    assert stats.words == sum(len(p.split()) for p in paragraphs if p.strip())
    assert stats.reading_time_s * READING_WPM >= stats.words * 60
    assert 0 <= stats.paragraphs <= len(paragraphs)


_SPACES = st.sampled_from([*"ab. \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2003\u3000é", "  "])


@given(st.lists(st.lists(_SPACES, max_size=20).map("".join), max_size=5))
def test_words_are_the_whitespace_separated_tokens(paragraphs: list[str]) -> None:
    assert compute_stats(tuple(paragraphs)).words == sum(len(p.split()) for p in paragraphs)
