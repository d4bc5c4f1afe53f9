"""Golden test per article of the labelled dev corpus: the whole output document, field by field.

The expected documents live in `tests/golden/id-news/<record id>.json` (everything but the
`processing` block, which holds the time of processing). They were produced by the pipeline
and read against the corpus labels; a change in any field shows up here as a reviewable diff.
After an intended change, regenerate them with

    .venv/bin/python -m tests.golden.test_id_news

The payloads come from `../shared/corpus/id-news/dev.jsonl`, built the way the corpus scorer
builds them (id, text, and title/url from the scraped row's metadata). When the corpus is
absent this test fails and says so.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from worker.output import article_document
from worker.pipeline.decode import decode_payload
from worker.pipeline.run import PipelineConfig, process
from worker.rules_file import load_rules

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus" / "id-news" / "dev.jsonl"
GOLDEN = Path(__file__).resolve().parent / "id-news"
TITLE_KEYS = ("title", "judul", "judul berita")
URL_KEYS = ("url", "link", "source_url")
CONFIG = PipelineConfig(rules=load_rules())
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def build_payload(record: dict[str, Any]) -> bytes:
    """The payload a scraper would send for a corpus record."""
    payload: dict[str, Any] = {"id": record["id"], "text": record["raw"]}
    meta = {str(k).casefold(): v for k, v in (record.get("raw_meta") or {}).items()}
    for field, keys in (("title", TITLE_KEYS), ("url", URL_KEYS)):
        value = next((meta[k] for k in keys if isinstance(meta.get(k), str) and meta[k].strip()),
                     None)
        if value is not None:
            payload[field] = value
    return orjson.dumps(payload)


def records() -> dict[str, dict[str, Any]]:
    assert CORPUS.is_file(), (
        f"the labelled corpus {CORPUS} is missing: the golden tests need ../shared/corpus"
    )
    loaded = (orjson.loads(line) for line in CORPUS.read_bytes().splitlines() if line.strip())
    return {r["id"]: r for r in loaded}


def document(record: dict[str, Any]) -> dict[str, Any]:
    """The article document without its processing block."""
    article = process(decode_payload(build_payload(record), max_bytes=1 << 23), CONFIG)
    doc = article_document(article, source=None, processed_at=EPOCH)
    del doc["processing"]
    return doc


GOLDEN_IDS = sorted(p.stem for p in GOLDEN.glob("*.json"))


def test_every_dev_record_has_a_golden_file() -> None:
    assert sorted(records()) == GOLDEN_IDS


@pytest.mark.parametrize("record_id", GOLDEN_IDS)
def test_whole_article_matches_its_golden_file(record_id: str) -> None:
    expected = orjson.loads((GOLDEN / f"{record_id}.json").read_bytes())
    actual = document(records()[record_id])
    # Field by field, so that a failure names the field that changed.
    for field in expected:
        assert actual[field] == expected[field], f"{record_id}: field {field!r} changed"
    assert set(actual) == set(expected)


def regenerate() -> None:
    """Write the golden files from the current pipeline."""
    GOLDEN.mkdir(exist_ok=True)
    for record_id, record in sorted(records().items()):
        path = GOLDEN / f"{record_id}.json"
        path.write_bytes(orjson.dumps(document(record), option=orjson.OPT_INDENT_2) + b"\n")
        print(f"wrote {path.relative_to(REPO)}", file=sys.stderr)


if __name__ == "__main__":
    regenerate()
