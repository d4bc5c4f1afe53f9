"""Per record, for the consume loop (`worker.loop`): what a consumed record is published as.

`Records.handle` runs a record through the processor and turns the outcome into the record
to publish (an article, a routed duplicate or a dead letter), observing the per-message
histograms; `Records.account` counts acknowledged outputs in the metrics and the worker's
stats, once per batch.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from worker.delivery import Batch, Pending
from worker.metrics import Metrics
from worker.output import SourceRecord, article_document, dead_letter_headers, dumps
from worker.processor import Outcome, Processor
from worker.settings import Settings

# The loop's logger, as before this part moved out of `worker.loop`: log lines keep it.
log = logging.getLogger("worker.loop")


class Records:
    """Turns consumed records into outputs and counts the acknowledged ones."""

    def __init__(
        self,
        settings: Settings,
        processor: Processor,
        *,
        metrics: Metrics,
        clock: Callable[[], float],
        stats: dict[str, int],
    ) -> None:
        self._s = settings
        self._processor = processor
        self._metrics = metrics
        self._clock = clock
        #: The worker's stats: the same dict object.
        self._stats = stats
        #: Acknowledged outputs not yet counted in the metrics (counted once per batch).
        self._acked: list[Pending] = []
        # Per-message histograms: observed into buffers, added to the histograms once per
        # batch (`Metrics.flush`), bound to their labelled child once.
        m = metrics
        self._payload_bytes = m.buffered(m.payload_bytes)
        self._message_seconds = m.buffered(m.message_seconds)
        self._output_seconds = m.buffered(m.stage_seconds.labels(stage="output"))
        self._age_seconds = m.buffered(m.e2e_age_seconds)
        self._duplicate_action = settings.processing.duplicates.action
        self._duplicates = m.duplicates.labels(kind="exact", action=self._duplicate_action)

    def handle(self, rec: Any, batch: Batch) -> None:
        """Process a consumed record and add its output (if any) to `batch`."""
        value: bytes | None = rec.value
        self._payload_bytes.observe(0 if value is None else len(value))
        started = time.perf_counter()
        outcome = self._processor.handle(value, partition=rec.partition)
        source = SourceRecord(rec.topic, rec.partition, rec.offset, rec.timestamp)
        now = datetime.fromtimestamp(self._clock(), UTC)
        output_started = time.perf_counter()
        pending = self._output(outcome, rec, source, now)
        done = time.perf_counter()
        self._output_seconds.observe(done - output_started)
        self._message_seconds.observe(done - started)
        if pending is not None:
            batch.pending.append(pending)

    def _output(self, outcome: Outcome, rec: Any, source: SourceRecord,
                now: datetime) -> Pending | None:
        """The record to publish for an outcome; None for a duplicate that is dropped."""
        topics = self._s.topics
        if outcome.error is not None:
            log.warning("dead letter", extra={
                "event": "dead_letter", "topic": rec.topic, "partition": rec.partition,
                "offset": rec.offset, "reason": outcome.error.reason,
                "stage": outcome.error.stage})
            headers = list(rec.headers or []) + dead_letter_headers(
                outcome.error, source=source, failed_at=now)
            return Pending(topics.dlq, rec.key, rec.value or b"", headers, "dead_letter",
                            outcome.error.reason, rec.timestamp)
        article = outcome.article
        assert article is not None  # an outcome has an article or an error
        topic, kind = topics.output, "article"
        if outcome.duplicate_of is not None:
            action = self._duplicate_action
            self._duplicates.inc()
            self._stats["duplicates"] += 1
            if action == "route":
                topic, kind = topics.duplicates, "duplicate"
            elif action == "drop":
                return None
        doc = article_document(article, source=source, processed_at=now,
                               duplicate_of=outcome.duplicate_of)
        lang = article.language.code if article.language else None
        return Pending(topic, article.id.encode("utf-8"), dumps(doc), [], kind, topic,
                        rec.timestamp, language=lang)

    def acknowledged(self, p: Pending) -> None:
        """An output is acknowledged: count it at the next `account`."""
        self._acked.append(p)

    def acknowledged_all(self, pending: Iterable[Pending]) -> None:
        """Outputs are acknowledged: count them at the next `account`."""
        self._acked.extend(pending)

    def account(self) -> None:
        """Count the acknowledged outputs in the metrics: one update per label, not per record."""
        acked, self._acked = self._acked, []
        if not acked:
            return
        m = self._metrics
        now = self._clock()
        published: dict[str, int] = {}
        dead: dict[str, int] = {}
        languages: dict[str | None, int] = {}
        age = self._age_seconds
        for p in acked:
            if p.kind == "dead_letter":
                dead[p.label] = dead.get(p.label, 0) + 1
            else:
                published[p.topic] = published.get(p.topic, 0) + 1
                if p.kind == "article":
                    languages[p.language] = languages.get(p.language, 0) + 1
            if p.timestamp_ms is not None and p.timestamp_ms > 0:
                age.observe(max(0.0, now - p.timestamp_ms / 1000.0))
        for reason, n in dead.items():
            m.dead_letters.labels(reason=reason).inc(n)
            self._stats["dead_letters"] += n
        for topic, n in published.items():
            m.published.labels(topic=topic).inc(n)
            self._stats["published"] += n
        for code, n in languages.items():
            m.count_language(code, n)
        m.flush()
