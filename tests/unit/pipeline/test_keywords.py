"""Keywords: term frequency with a lead/title boost, stopwords removed."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from worker.pipeline.keywords import (
    _STOPWORDS,
    _TEXT_BREAK,
    _TOKEN_RE,
    _WIDE_MARKS,
    MAX_KEYWORDS,
    _content_words,
    extract_keywords,
)

TITLE = "Kali Lamong Meluap, 10 Desa di Gresik Tergenang Banjir"
BODY = (
    "Pengendara sepeda motor melintasi banjir di Jalan Raya Benjeng, Kecamatan Benjeng, "
    "Gresik, Jawa Timur, Selasa (10/6/2025).",
    "Banjir setinggi 50-100 cm akibat luapan Kali Lamong tersebut mengakibatkan 10 desa di "
    "Kecamatan Benjeng terendam banjir.",
)


def test_topic_words_come_first_and_stopwords_are_dropped() -> None:
    keywords = extract_keywords(TITLE, BODY)
    assert {"banjir", "kali lamong"} <= set(keywords[:3])
    assert {"gresik", "benjeng"} <= set(keywords)
    assert not {"di", "tersebut", "selasa", "akibat"} & set(keywords)


def test_recurring_phrases_are_kept_together() -> None:
    body = ("Kali Lamong meluap.", "Warga Kali Lamong mengungsi.", "Debit Kali Lamong naik.")
    assert "kali lamong" in extract_keywords(None, body)


@given(st.text(max_size=300), st.lists(st.text(max_size=200), max_size=5))
def test_at_most_ten_distinct_lower_case_terms(title: str, body: list[str]) -> None:
    keywords = extract_keywords(title, tuple(body))
    assert len(keywords) <= MAX_KEYWORDS
    assert len(set(keywords)) == len(keywords)
    assert all(k == k.lower() for k in keywords)


def _reference_content_words(texts: list[str]) -> list[str]:
    """Content words by the token regex alone (the definition the ASCII path reproduces)."""
    tokens = _TOKEN_RE.findall(_TEXT_BREAK.join(texts).lower())
    return [t if len(t) >= 3 and t[0].isalpha() and t not in _STOPWORDS else "" for t in tokens]


_PIECES = st.sampled_from(
    [
        *"aAbkKz09_'-  .,;:!?()\"\n\t/&%",
        *("kali", "lamong", "yang", " - ", "x1", "-_", "'s"),
        *"\u201c\u201d\u2019\u2014\u2013\u2022\u2026\xa0\u00b7\u201e",
        *("é", "İ", "\u212a", "ſ", "²"),
    ]
)


@given(st.lists(st.lists(_PIECES, max_size=40).map("".join), max_size=4))
def test_fast_tokenising_matches_the_token_regex(texts: list[str]) -> None:
    assert _content_words(texts) == _reference_content_words(texts)


def test_wide_marks_stand_for_what_the_token_regex_reads_them_as() -> None:
    for mark, replacement in _WIDE_MARKS:
        is_break = bool(_TOKEN_RE.fullmatch(mark))
        assert replacement == ("." if is_break else " ")
        assert is_break or not re.match(r"\w", mark)


def test_numbers_and_edge_marks_do_not_split_phrases() -> None:
    body = ("Kali 5 Lamong.", "Kali-- 'Lamong_ 2025.", "(Kali) Lamong", "Kali -Lamong-.")
    assert extract_keywords(None, body)[0] == "kali lamong"
