"""Hostile markup: every case ends in an `HtmlExtraction` or a specific `HtmlRejected`.

Small crafted cases live as files in ``tests/hostile_html/`` with their expected outcome in
``cases.json``; the big ones (100k nested tags, a 10 MB attribute, 20 MB of markup...) are
generated here at run time rather than committed. Elapsed times are printed for the record
(``pytest -s``), not asserted: timing belongs to the benchmarks, and the project's pytest
timeout bounds a hang.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from worker.pipeline.html import DEFAULT_MAX_BYTES, HtmlExtraction, HtmlRejected, extract_html

CASES_DIR = Path(__file__).resolve().parents[2] / "hostile_html"
CASES: dict[str, dict[str, str]] = json.loads((CASES_DIR / "cases.json").read_text("utf-8"))
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

SENTENCE = "Warga desa menanam padi di sawah yang luas setelah hujan turun semalam. "
ARTICLE = "<p>" + SENTENCE * 8 + "</p>"


def outcome(markup: str | bytes, **kwargs: int) -> tuple[str, HtmlExtraction | None, float]:
    """("ok" or the rejection reason, the result, seconds), checking the output invariants."""
    started = time.perf_counter()
    try:
        result = extract_html(markup, url="https://hostile.example/page", **kwargs)
    except HtmlRejected as exc:
        return exc.reason, None, time.perf_counter() - started
    elapsed = time.perf_counter() - started
    assert result.paragraphs
    for paragraph in result.paragraphs:
        assert paragraph == paragraph.strip()
        assert paragraph
        assert not CONTROL.search(paragraph)
    return "ok", result, elapsed


def test_every_crafted_file_is_listed() -> None:
    files = {path.name for path in CASES_DIR.iterdir()} - {"cases.json", "README.md"}
    assert files == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_crafted_case(name: str) -> None:
    expected = CASES[name]
    got, result, elapsed = outcome((CASES_DIR / name).read_bytes())
    print(f"{name}: {got} in {elapsed * 1000:.1f} ms")
    assert got == expected["expect"], expected["why"]
    if "contains" in expected:
        assert result is not None
        assert expected["contains"] in "\n".join(result.paragraphs)


def _nested(depth: int, tag: str = "div", close: bool = True) -> str:
    closing = f"</{tag}>" * depth if close else ""
    return f"<html><body>{f'<{tag}>' * depth}{ARTICLE}{closing}</body></html>"


# name -> (markup factory, expected outcome, text the body must contain or "")
GENERATED: dict[str, tuple[Callable[[], str | bytes], str, str]] = {
    "100k nested divs": (lambda: _nested(100_000), "ok", SENTENCE.strip()),
    "100k unclosed divs": (lambda: _nested(100_000, close=False), "ok", SENTENCE.strip()),
    "100k nested spans": (lambda: _nested(100_000, "span"), "ok", SENTENCE.strip()),
    "100k nested tables": (lambda: _nested(100_000, "table", close=False), "ok", SENTENCE.strip()),
    "10 MB attribute": (
        lambda: f'<html><body><div title="{"a" * 10_000_000}">{ARTICLE}</div></body></html>',
        "ok",
        SENTENCE.strip(),
    ),
    "10 MB class list": (
        lambda: f'<html><body><div class="{"related " * 1_250_000}">{ARTICLE}</div></body></html>',
        "ok",
        SENTENCE.strip(),
    ),
    "20 MB of paragraphs": (
        lambda: "<html><body>" + ARTICLE * (19_000_000 // len(ARTICLE)) + "</body></html>",
        "ok",
        SENTENCE.strip(),
    ),
    "20 MB script before the article": (
        lambda: (
            "<html><head><script>"
            + "var x = '<p>';" * 1_400_000
            + "</script></head><body>"
            + ARTICLE
            + "</body></html>"
        ),
        "ok",
        "",
    ),
    "over the size limit": (lambda: b"<p>" * (DEFAULT_MAX_BYTES // 3 + 1), "payload_too_large", ""),
    "500k tiny paragraphs": (lambda: "<p>word</p>" * 500_000, "ok", "word"),
    "2M unterminated tags": (lambda: "<a" * 2_000_000, "html_no_content", ""),
    "100k unclosed comments and scripts": (
        lambda: ARTICLE + "<!--<script>" * 100_000,
        "ok",
        SENTENCE.strip(),
    ),
    "5 MB text without tags": (lambda: SENTENCE * 70_000, "ok", SENTENCE.strip()),
    "script-only 5 MB": (
        lambda: "<html><body>" + "<script>var a = 1;</script>" * 200_000 + "</body></html>",
        "html_no_content",
        "",
    ),
    "1 MB random bytes": (lambda: random.Random(7).randbytes(1_000_000), "html_undecodable", ""),
    "NUL flood": (lambda: "\x00" * 5_000_000 + ARTICLE, "ok", SENTENCE.strip()),
    "deep JSON-LD": (
        lambda: (
            '<html><head><script type="application/ld+json">'
            + "[" * 200_000
            + "</script></head><body>"
            + ARTICLE
            + "</body></html>"
        ),
        "ok",
        SENTENCE.strip(),
    ),
    "50k attributes on one tag": (
        lambda: "<div " + " ".join(f"a{i}=x" for i in range(50_000)) + ">" + ARTICLE + "</div>",
        "ok",
        SENTENCE.strip(),
    ),
}


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_case_finishes_with_the_expected_outcome(name: str) -> None:
    factory, expected, contains = GENERATED[name]
    markup = factory()
    got, result, elapsed = outcome(markup)
    size = len(markup)
    print(f"{name}: {got} in {elapsed * 1000:.0f} ms ({size / 1e6:.1f} M chars/bytes)")
    assert got == expected
    if contains:
        assert result is not None
        assert contains in "\n".join(result.paragraphs)


def test_urandom_is_rejected_or_extracted() -> None:
    got, _, _ = outcome(os.urandom(200_000))
    assert got in ("html_undecodable", "html_no_content", "ok")
