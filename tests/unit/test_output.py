"""Output documents validate against the published JSON Schemas."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import jsonschema
import orjson
import pytest

from worker.errors import REASONS, Rejected
from worker.output import (
    SourceRecord,
    article_document,
    dead_letter_document,
    dead_letter_headers,
    dumps,
)
from worker.pipeline.model import (
    Article,
    Dateline,
    Entities,
    Entity,
    Fingerprints,
    Language,
    Quote,
    Removed,
    Stats,
)

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def schema(name: str) -> dict[str, Any]:
    text = resources.files("worker").joinpath("schemas", name).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(loaded)
    return loaded


def sample_article() -> Article:
    return Article(
        id="u" + "a" * 31,
        source_id="seed-1",
        url="https://www.viva.co.id/berita/1",
        title="Pertemuan Pertama Putin-Kim",
        paragraphs=("Presiden Rusia Vladimir Putin bertemu Kim Jong-un.", "Paragraf kedua."),
        publisher="VIVA",
        language=Language("id", 0.99),
        published_at="2019-04-25",
        dateline=Dateline("VIVA –", None),
        entities=Entities(person=(Entity("Vladimir Putin", 2),), location=(Entity("Rusia", 3),)),
        quotes=(Quote("Saya pikir", "Kim Jong-un", "kata Kim Jong-un"),),
        keywords=("putin", "kim"),
        stats=Stats(words=9, characters=66, paragraphs=2, reading_time_s=3),
        fingerprints=Fingerprints("0" * 64, "f" * 16),
        removed=(Removed("pagination", "Halaman Selanjutnya"),),
        source_credit="Channel News Asia",
    )


def test_article_document_matches_schema() -> None:
    doc = article_document(
        sample_article(), source=SourceRecord("articles.raw", 3, 17, 1_700_000_000_000),
        processed_at=NOW,
    )
    jsonschema.validate(doc, schema("article-v1.json"))
    assert doc["body"] == "Presiden Rusia Vladimir Putin bertemu Kim Jong-un.\n\nParagraf kedua."
    assert doc["source"] == {"topic": "articles.raw", "partition": 3, "offset": 17,
                             "timestamp_ms": 1_700_000_000_000}
    assert orjson.loads(dumps(doc)) == doc


def test_schema_rejects_an_unknown_field() -> None:
    doc = article_document(sample_article(), source=None, processed_at=NOW)
    doc["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema("article-v1.json"))


@pytest.mark.parametrize("reason", REASONS)
def test_dead_letter_document_matches_schema(reason: str) -> None:
    error = Rejected(reason, "decode", "x" * 900)  # type: ignore[arg-type]
    doc = dead_letter_document(b"\xff raw", error, source=None, failed_at=NOW)
    jsonschema.validate(doc, schema("dead-letter-v1.json"))
    assert base64.b64decode(doc["value_b64"]) == b"\xff raw"
    assert len(doc["error"]["message"]) == 500


def test_dead_letter_headers_carry_reason_and_origin() -> None:
    error = Rejected("invalid_json", "decode", "Expecting value")
    headers = dict(dead_letter_headers(
        error, source=SourceRecord("articles.raw", 1, 42, 123), failed_at=NOW))
    assert headers["dlq.reason"] == b"invalid_json"
    assert headers["dlq.stage"] == b"decode"
    assert headers["dlq.source.partition"] == b"1"
    assert headers["dlq.source.offset"] == b"42"
    assert headers["dlq.source.timestamp"] == b"123"
    assert headers["dlq.schema"] == b"dead-letter/v1"
