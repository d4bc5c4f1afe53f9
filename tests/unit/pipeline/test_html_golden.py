"""Golden test: six real pages through `extract_html`, compared with hand-checked JSON.

The pages and expectations live in ``tests/golden/html/`` (see its README). Regenerate after a
deliberate change with ``python -m tests.unit.pipeline.test_html_golden`` and review the diff.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from worker.pipeline.html import HtmlExtraction, extract_html

GOLDEN_DIR = Path(__file__).resolve().parents[2] / "golden" / "html"
PAGES = sorted(GOLDEN_DIR.glob("*.html.gz"))
# The source URL is an input to metadata (host fallback, relative canonical links).
URLS = {
    "0ec95c72": "http://entermedia.co.kr/news/news_view.html?idx=8576&page=1&bc=03&mc=08&find=&sch_date=",
    "11ea381a": "http://www.autoracing.com.br/classificacao-nascar/",
    "3f65af7b": "https://www.nj.com/entertainment/2019/11/florida-man-exists-south-dakota-hold-my-beer-meth-were-on-it.html",
    "7837c9d6": "https://kabarislamia.com/2015/10/27/sejarah-pecahnya-islam-jadi-sunni-dan-syiah/",
    "7f93c194": "https://www.newsweek.com/cannabis-use-disorder-rising-us-states-legalized-recreational-marijuana-1472651",
    "c4a3637c": "https://gto-normativy.ru/skajrim-skorost-bega-kak-uvelichit/",
}


def as_document(result: HtmlExtraction) -> dict[str, Any]:
    """The extraction as plain JSON data (tuples become lists)."""
    document: dict[str, Any] = json.loads(json.dumps(dataclasses.asdict(result)))
    return document


def run(page: Path) -> dict[str, Any]:
    markup = gzip.decompress(page.read_bytes())
    return as_document(extract_html(markup, url=URLS[page.name[:8]]))


def expected_path(page: Path) -> Path:
    return page.with_name(page.name.removesuffix(".html.gz") + ".json")


def test_golden_pages_are_present() -> None:
    assert len(PAGES) == len(URLS), f"golden pages missing from {GOLDEN_DIR}"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name[:8])
def test_golden_page(page: Path) -> None:
    expected = json.loads(expected_path(page).read_text("utf-8"))
    got = run(page)
    assert got["metadata"] == expected["metadata"]
    assert got["paragraphs"] == expected["paragraphs"]
    assert got["media"] == expected["media"]
    assert got["removed"] == expected["removed"]
    assert got["extractor"] == expected["extractor"]


def _regenerate() -> None:
    for page in PAGES:
        document = run(page)
        expected_path(page).write_text(
            json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        print(f"wrote {expected_path(page).name}: {len(document['paragraphs'])} paragraphs")


if __name__ == "__main__":
    _regenerate()
    sys.exit(0)
