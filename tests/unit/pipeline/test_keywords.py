"""Keywords: term frequency with a lead/title boost, stopwords removed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from worker.pipeline.keywords import MAX_KEYWORDS, extract_keywords

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
