"""Quote spans: the `str.find` reader agrees with the regex scan over the marks it replaces."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from worker.pipeline.quotes import _quote_spans, _Span, _span

_MARKS_RE = re.compile(r"[\"“”]")


def _scanned(index: int, paragraph: str) -> list[_Span]:
    """The specification: one scan over the marks, opening on `"`/`“`, closing on `"`/`”`."""
    spans: list[_Span] = []
    opening = -1
    for match in _MARKS_RE.finditer(paragraph):
        mark = match.group(0)
        if opening < 0:
            if mark != "”":
                opening = match.start()
        elif mark in ('"', "”"):
            spans.append(_span(index, paragraph, opening, match.end()))
            opening = -1
    if opening >= 0:
        spans.append(_span(index, paragraph, opening, len(paragraph)))
    return spans


@given(st.text(alphabet='ab ,"“”\u2019', max_size=40), st.integers(0, 3))
def test_quote_spans_agree_with_the_mark_scan(paragraph: str, index: int) -> None:
    assert _quote_spans(index, paragraph) == _scanned(index, paragraph)


def test_quote_spans_of_typical_paragraphs() -> None:
    for paragraph in (
        '"Kami siap," kata Agus. “Tidak ada masalah” ujarnya.',
        "”Salah buka” lalu “kutipan yang tidak ditutup",
        "Tanpa kutipan sama sekali.",
        '“Campur" dan "lagi”',
    ):
        assert _quote_spans(2, paragraph) == _scanned(2, paragraph)
