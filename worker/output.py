"""Output documents: the one place where articles and dead letters become bytes.

`article/v1` is described by `worker/schemas/article-v1.json`; `dead-letter/v1` by
`worker/schemas/dead-letter-v1.json`. On Kafka a dead letter keeps the original key and value
bytes unchanged and carries the reason in headers (see `dead_letter_headers`); the offline
`process` mode writes the JSON envelope with the value in base64.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from worker import __version__
from worker.errors import Rejected
from worker.pipeline.model import Article, Entity
from worker.pipeline.version import ARTICLE_SCHEMA, DEAD_LETTER_SCHEMA, PIPELINE_VERSION

#: Header names of a dead letter on Kafka (values are UTF-8).
DLQ_HEADER_SCHEMA = "dlq.schema"
DLQ_HEADER_REASON = "dlq.reason"
DLQ_HEADER_STAGE = "dlq.stage"
DLQ_HEADER_MESSAGE = "dlq.message"
DLQ_HEADER_TOPIC = "dlq.source.topic"
DLQ_HEADER_PARTITION = "dlq.source.partition"
DLQ_HEADER_OFFSET = "dlq.source.offset"
DLQ_HEADER_TIMESTAMP = "dlq.source.timestamp"
DLQ_HEADER_FAILED_AT = "dlq.failed_at"
DLQ_HEADER_WORKER = "dlq.worker_version"
REPLAY_COUNT_HEADER = "dlq.replay_count"

_MAX_MESSAGE_CHARS = 500


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """Where a message came from on Kafka."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int | None


def article_document(
    article: Article,
    *,
    source: SourceRecord | None,
    processed_at: datetime,
    duplicate_of: str | None = None,
) -> dict[str, Any]:
    """The `article/v1` document of an article."""
    return {
        "schema": ARTICLE_SCHEMA,
        "id": article.id,
        "source_id": article.source_id,
        "url": article.url,
        "title": article.title,
        "paragraphs": list(article.paragraphs),
        "body": article.body,
        "publisher": article.publisher,
        "language": None
        if article.language is None
        else {
            "code": article.language.code,
            "confidence": round(article.language.confidence, 4),
            "method": article.language.method,
        },
        "published_at": article.published_at,
        "dateline": None
        if article.dateline is None
        else {"raw": article.dateline.raw, "location": article.dateline.location},
        "source_credit": article.source_credit,
        "entities": {
            "person": _entities(article.entities.person),
            "location": _entities(article.entities.location),
            "organization": _entities(article.entities.organization),
        },
        "quotes": [
            {"text": q.text, "speaker": q.speaker, "attribution": q.attribution}
            for q in article.quotes
        ],
        "keywords": list(article.keywords),
        "stats": {
            "words": article.stats.words,
            "characters": article.stats.characters,
            "paragraphs": article.stats.paragraphs,
            "reading_time_s": article.stats.reading_time_s,
        },
        "fingerprints": {
            "content_sha256": article.fingerprints.content_sha256,
            "simhash64": article.fingerprints.simhash64,
        },
        "duplicate_of": duplicate_of,
        "removed": [{"kind": r.kind, "text": r.text} for r in article.removed],
        "media": [{"kind": m.kind, "text": m.text} for m in article.media],
        "page": {
            "content_kind": article.content_kind,
            "site_name": article.page.site_name,
            "authors": list(article.page.authors),
            "published_time": article.page.published_time,
            "modified_time": article.page.modified_time,
            "canonical_url": article.page.canonical_url,
            "description": article.page.description,
            "section": article.page.section,
            "tags": list(article.page.tags),
            "extractor": article.page.extractor,
        },
        "source": None if source is None else _source(source),
        "processing": {
            "worker_version": __version__,
            "pipeline_version": PIPELINE_VERSION,
            "processed_at": processed_at.isoformat(timespec="milliseconds"),
        },
    }


def dead_letter_document(
    value: bytes | None,
    error: Rejected,
    *,
    source: SourceRecord | None,
    failed_at: datetime,
    source_id: str | None = None,
) -> dict[str, Any]:
    """The `dead-letter/v1` envelope (offline mode); the value travels base64-encoded."""
    return {
        "schema": DEAD_LETTER_SCHEMA,
        "source_id": source_id,
        "error": {
            "reason": error.reason,
            "stage": error.stage,
            "message": error.message[:_MAX_MESSAGE_CHARS],
        },
        "value_b64": None if value is None else base64.b64encode(value).decode("ascii"),
        "source": None if source is None else _source(source),
        "failed_at": failed_at.isoformat(timespec="milliseconds"),
        "worker_version": __version__,
    }


def dead_letter_headers(
    error: Rejected, *, source: SourceRecord, failed_at: datetime
) -> list[tuple[str, bytes]]:
    """Headers that carry a dead letter's reason and origin on Kafka."""
    headers = [
        (DLQ_HEADER_SCHEMA, DEAD_LETTER_SCHEMA),
        (DLQ_HEADER_REASON, error.reason),
        (DLQ_HEADER_STAGE, error.stage),
        (DLQ_HEADER_MESSAGE, error.message[:_MAX_MESSAGE_CHARS]),
        (DLQ_HEADER_TOPIC, source.topic),
        (DLQ_HEADER_PARTITION, str(source.partition)),
        (DLQ_HEADER_OFFSET, str(source.offset)),
        (DLQ_HEADER_FAILED_AT, failed_at.isoformat(timespec="milliseconds")),
        (DLQ_HEADER_WORKER, __version__),
    ]
    if source.timestamp_ms is not None:
        headers.append((DLQ_HEADER_TIMESTAMP, str(source.timestamp_ms)))
    return [(name, text.encode("utf-8")) for name, text in headers]


def dumps(document: dict[str, Any]) -> bytes:
    """Serialise a document as compact UTF-8 JSON."""
    return orjson.dumps(document)


def _entities(entities: tuple[Entity, ...]) -> list[dict[str, Any]]:
    return [{"text": e.text, "count": e.count} for e in entities]


def _source(source: SourceRecord) -> dict[str, Any]:
    return {
        "topic": source.topic,
        "partition": source.partition,
        "offset": source.offset,
        "timestamp_ms": source.timestamp_ms,
    }
