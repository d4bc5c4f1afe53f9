"""Enrichment wiring: the in-text source credit."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from worker.pipeline.enrich import (
    _CREDIT_CUES,
    _CREDIT_END_RE,
    _CREDIT_VERBS,
    _credit_in_text,
    find_source_credit,
)


def test_every_credit_verb_has_a_cue_word() -> None:
    for verb in re.sub(r"\(\?: dari\)\?", "", _CREDIT_VERBS).split("|"):
        assert any(cue in verb for cue in _CREDIT_CUES), verb


def test_in_text_credit() -> None:
    body = ("Harga naik.", "Hal itu seperti diberitakan Channel News Asia, Senin.")
    assert find_source_credit(body, ()) == "Channel News Asia"
    assert find_source_credit(("Ia dilansir dari Kompas.com.",), ()) == "Kompas.com"
    assert find_source_credit(("Hal itu xdilansir Kompas.",), ()) is None


_PIECES = st.sampled_from(
    [
        *("a", " ", ".", "Kompas.com", "seperti diberitakan", "dilansir dari", " Antara", "x"),
        *("sebagaimana dikutip ", "as reported by ", "detikNews", "mengutip", "\n"),
    ]
)


@given(st.lists(st.lists(_PIECES, max_size=12).map("".join), max_size=4))
def test_the_cue_check_skips_only_bodies_without_a_credit(paragraphs: list[str]) -> None:
    matches = [m for m in map(_credit_in_text, paragraphs) if m is not None]
    expected = _CREDIT_END_RE.sub("", matches[0].group("name")) if matches else None
    assert find_source_credit(tuple(paragraphs), ()) == expected
