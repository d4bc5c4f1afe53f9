"""The consume → process → publish → flush → commit loop (at-least-once).

Offsets are committed only after every article and dead letter of the batch has been
acknowledged by the broker. A record whose output cannot be delivered within the bounded
retries stops the worker with a non-zero exit *before* its offset is committed, so a restart
(or another group member) processes it again: nothing is lost.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kafka import ConsumerRebalanceListener, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import CommitFailedError, KafkaError, KafkaTimeoutError
from kafka.structs import OffsetAndMetadata

from worker.errors import FatalIOError
from worker.health import HealthState
from worker.metrics import Metrics
from worker.output import (
    SourceRecord,
    article_document,
    dead_letter_document,
    dead_letter_headers,
    dumps,
)
from worker.processor import Outcome, Processor
from worker.settings import Settings

log = logging.getLogger(__name__)

LAG_REFRESH_S = 10.0


@dataclass(slots=True)
class _Pending:
    """One output record waiting for its acknowledgement."""

    topic: str
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]]
    kind: str  # "article" | "dead_letter" | "duplicate"
    label: str  # topic for articles, reason for dead letters
    timestamp_ms: int | None
    language: str | None = None
    future: Any = None
    attempts: int = 0


@dataclass(slots=True)
class _Batch:
    pending: list[_Pending] = field(default_factory=list)
    offsets: dict[TopicPartition, int] = field(default_factory=dict)  # next offset to commit


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, loop: Worker) -> None:
        self._loop = loop

    def on_partitions_revoked(self, revoked: Any) -> None:
        self._loop.on_revoked(list(revoked))

    def on_partitions_assigned(self, assigned: Any) -> None:
        self._loop.on_assigned(list(assigned))


class Worker:
    """Runs the loop until stopped, idle (burst mode) or unable to make progress."""

    def __init__(
        self,
        settings: Settings,
        consumer: KafkaConsumer,
        producer: KafkaProducer,
        processor: Processor,
        metrics: Metrics,
        health: HealthState,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._s = settings
        self._consumer = consumer
        self._producer = producer
        self._processor = processor
        self._metrics = metrics
        self._health = health
        self._clock = clock
        self._stop = threading.Event()
        self._assignment: set[TopicPartition] = set()
        self._assignment_seen = False
        self._lag: dict[TopicPartition, int] = {}
        self._last_lag_refresh = 0.0
        self._last_broker_contact = time.monotonic()
        self.stats = {"consumed": 0, "published": 0, "dead_letters": 0, "duplicates": 0}

    # -- lifecycle -------------------------------------------------------------------------

    def request_stop(self) -> None:
        """Ask the loop to finish its batch, commit and leave (called from a signal handler)."""
        self._stop.set()

    def run(self, *, stop_when_idle_s: float | None = None) -> None:
        """Consume until stopped; raises `FatalIOError` when progress is impossible."""
        self._consumer.subscribe([self._s.topics.input], listener=_Listener(self))
        self._metrics.prepare_topics(self._s.topics.input, self._output_topics())
        self._metrics.state.state("running")
        self._health.set_state("running")
        log.info("worker started", extra={"event": "start", "topic": self._s.topics.input,
                                           "group_id": self._s.consumer.group_id})
        last_record_at = time.monotonic()
        while not self._stop.is_set():
            records = self._poll()
            if records:
                last_record_at = time.monotonic()
                self._run_batch(records)
            elif self._lag_total() == 0:
                # Nothing to do is not a stall.
                self._health.idle()
            self._refresh_lag()
            if (
                stop_when_idle_s is not None
                and self._assignment_seen
                and time.monotonic() - last_record_at >= stop_when_idle_s
            ):
                log.info("idle, stopping", extra={"event": "idle_stop", "idle_s": stop_when_idle_s})
                break
        self._drain()

    def _poll(self) -> dict[TopicPartition, list[Any]]:
        try:
            records: dict[TopicPartition, list[Any]] = self._consumer.poll(
                timeout_ms=self._s.consumer.poll_timeout_ms,
                max_records=self._s.consumer.max_poll_records,
            )
        except KafkaError as exc:
            log.warning("poll failed: %s", type(exc).__name__, extra={"event": "poll_error"})
            self._check_unreachable()
            return {}
        self._health.set_connected(True)
        return records

    def _drain(self) -> None:
        self._metrics.state.state("draining")
        self._health.set_state("draining")
        log.info("draining", extra={"event": "drain"})
        try:
            self._consumer.close(autocommit=False)
        except KafkaError as exc:
            log.warning("consumer close failed: %s", exc, extra={"event": "close_error"})
        self._producer.flush(timeout=self._s.shutdown.drain_timeout_s)
        self._metrics.state.state("stopped")
        self._health.set_state("stopped")
        log.info("worker stopped", extra={"event": "stop", **self.stats})

    def _output_topics(self) -> tuple[str, ...]:
        topics = self._s.topics
        if self._s.processing.duplicates.action == "route":
            return (topics.output, topics.duplicates)
        return (topics.output,)

    # -- rebalances ------------------------------------------------------------------------

    def on_assigned(self, partitions: list[TopicPartition]) -> None:
        self._assignment |= set(partitions)
        if not self._assignment_seen:
            self._assignment_seen = True
        self._health.set_member(True)
        self._metrics.rebalances.labels(kind="assigned").inc()
        self._metrics.assigned_partitions.set(len(self._assignment))
        self._last_lag_refresh = 0.0
        log.info("partitions assigned", extra={
            "event": "assignment", "partitions": sorted(p.partition for p in partitions)})

    def on_revoked(self, partitions: list[TopicPartition]) -> None:
        # Every batch is committed before the next poll, and kafka-python calls this listener
        # from inside poll(), so all finished work is already committed here.
        self._metrics.rebalances.labels(kind="revoked").inc()
        for tp in partitions:
            self._assignment.discard(tp)
            self._processor.forget_partition(tp.partition)
            self._lag.pop(tp, None)
            self._metrics.forget_partition(tp.topic, tp.partition)
        self._metrics.assigned_partitions.set(len(self._assignment))
        log.info("partitions revoked", extra={
            "event": "revocation", "partitions": sorted(p.partition for p in partitions)})

    # -- one batch -------------------------------------------------------------------------

    def _run_batch(self, records: dict[TopicPartition, list[Any]]) -> None:
        batch = _Batch()
        budget_end = time.monotonic() + self._s.processing.batch_time_budget_s
        count = 0
        for tp, recs in records.items():
            for i, rec in enumerate(recs):
                if time.monotonic() > budget_end:
                    # Out of time: hand the rest back so the next poll fetches it again and
                    # the batch stays well within max_poll_interval_ms.
                    self._consumer.seek(tp, rec.offset)
                    log.info("batch cut at its time budget", extra={
                        "event": "batch_cut", "partition": tp.partition,
                        "offset": rec.offset, "left": len(recs) - i})
                    break
                self._handle(rec, batch)
                batch.offsets[tp] = rec.offset + 1
                count += 1
                self._refresh_lag()  # a long batch must not leave the lag gauge stale
            else:
                continue
            # A cut partition's later partitions are also handed back in full.
            for later_tp, later in records.items():
                if later_tp not in batch.offsets and later:
                    self._consumer.seek(later_tp, later[0].offset)
            break
        self._metrics.batch_size.observe(count)
        self._deliver(batch)
        self._commit(batch.offsets)
        self._health.progressed()

    def _handle(self, rec: Any, batch: _Batch) -> None:
        value: bytes | None = rec.value
        self._metrics.consumed.labels(topic=rec.topic).inc()
        self._metrics.payload_bytes.observe(0 if value is None else len(value))
        self.stats["consumed"] += 1
        with self._metrics.message_seconds.time():
            outcome = self._processor.handle(value, partition=rec.partition)
            source = SourceRecord(rec.topic, rec.partition, rec.offset, rec.timestamp)
            now = datetime.fromtimestamp(self._clock(), UTC)
            with self._metrics.time_stage("output"):
                pending = self._output(outcome, rec, source, now)
        if pending is not None:
            batch.pending.append(pending)

    def _output(self, outcome: Outcome, rec: Any, source: SourceRecord,
                now: datetime) -> _Pending | None:
        """The record to publish for an outcome; None for a duplicate that is dropped."""
        topics = self._s.topics
        if outcome.error is not None:
            log.warning("dead letter", extra={
                "event": "dead_letter", "topic": rec.topic, "partition": rec.partition,
                "offset": rec.offset, "reason": outcome.error.reason,
                "stage": outcome.error.stage})
            headers = list(rec.headers or []) + dead_letter_headers(
                outcome.error, source=source, failed_at=now)
            return _Pending(topics.dlq, rec.key, rec.value or b"", headers, "dead_letter",
                            outcome.error.reason, rec.timestamp)
        article = outcome.article
        assert article is not None  # an outcome has an article or an error
        doc = article_document(article, source=source, processed_at=now,
                               duplicate_of=outcome.duplicate_of)
        topic, kind = topics.output, "article"
        if outcome.duplicate_of is not None:
            action = self._s.processing.duplicates.action
            self._metrics.duplicates.labels(kind="exact", action=action).inc()
            self.stats["duplicates"] += 1
            if action == "route":
                topic, kind = topics.duplicates, "duplicate"
            elif action == "drop":
                return None
        lang = article.language.code if article.language else None
        return _Pending(topic, article.id.encode("utf-8"), dumps(doc), [], kind, topic,
                        rec.timestamp, language=lang)

    def _deliver(self, batch: _Batch) -> None:
        """Send every pending record and wait until all are acknowledged, or give up."""
        todo = list(batch.pending)
        attempts = self._s.producer.send_attempts
        for attempt in range(1, attempts + 1):
            for p in todo:
                p.attempts += 1
                try:
                    p.future = self._producer.send(p.topic, key=p.key, value=p.value,
                                                   headers=p.headers)
                except KafkaError as exc:
                    p.future = exc
            try:
                self._producer.flush(timeout=self._s.producer.flush_timeout_s)
            except KafkaError as exc:
                log.warning("flush failed: %s", type(exc).__name__, extra={"event": "flush_error"})
            failed: list[_Pending] = []
            for p in todo:
                error = self._failure(p)
                if error is None:
                    self._acknowledged(p)
                else:
                    failed.append(p)
                    name = type(error).__name__
                    self._metrics.producer_errors.labels(error=name).inc()
            if not failed:
                return
            todo = failed
            first = self._failure(failed[0])
            if attempt == attempts:
                raise FatalIOError(
                    f"{len(failed)} output record(s) not acknowledged after {attempts} attempts "
                    f"(first: topic {failed[0].topic}: {type(first).__name__}: {first}); "
                    "offsets were not committed"
                )
            for p in failed:
                self._metrics.producer_retries.labels(error=type(self._failure(p)).__name__).inc()
            log.warning("retrying %d unacknowledged record(s)", len(failed), extra={
                "event": "producer_retry", "attempt": attempt, "topic": failed[0].topic,
                "error": f"{type(first).__name__}: {first}"})
            time.sleep(min(0.5 * 2 ** (attempt - 1), 10.0))

    @staticmethod
    def _failure(p: _Pending) -> BaseException | None:
        future = p.future
        if isinstance(future, BaseException):
            return future
        if future is None or not future.is_done:
            return KafkaTimeoutError("not acknowledged within the flush timeout")
        if future.failed():
            exc: BaseException = future.exception
            return exc
        return None

    def _acknowledged(self, p: _Pending) -> None:
        m = self._metrics
        if p.kind == "dead_letter":
            m.dead_letters.labels(reason=p.label).inc()
            self.stats["dead_letters"] += 1
        else:
            m.published.labels(topic=p.topic).inc()
            self.stats["published"] += 1
            if p.kind == "article":
                m.count_language(p.language)
        if p.timestamp_ms is not None and p.timestamp_ms > 0:
            m.e2e_age_seconds.observe(max(0.0, self._clock() - p.timestamp_ms / 1000.0))

    def _commit(self, offsets: dict[TopicPartition, int]) -> None:
        if not offsets:
            return
        to_commit = {tp: OffsetAndMetadata(off, "", -1) for tp, off in offsets.items()}
        try:
            self._consumer.commit(offsets=to_commit)
        except CommitFailedError as exc:
            # The group rebalanced while we worked: the partitions' new owner re-processes
            # from the last committed offset (at-least-once), so this is not fatal.
            self._metrics.commits.labels(result="failure").inc()
            log.warning("commit failed after a rebalance: %s", exc, extra={"event": "commit_failed"})
            return
        except KafkaError as exc:
            self._metrics.commits.labels(result="failure").inc()
            log.error("commit failed: %s", exc, extra={"event": "commit_failed"})
            self._check_unreachable()
            return
        self._last_broker_contact = time.monotonic()
        self._metrics.commits.labels(result="success").inc()
        self._metrics.last_commit.set(self._clock())
        for tp, off in offsets.items():
            self._metrics.committed_offset.labels(topic=tp.topic, partition=str(tp.partition)).set(
                off)

    # -- lag and broker reachability --------------------------------------------------------

    def _lag_total(self) -> int:
        return sum(self._lag.get(tp, 0) for tp in self._assignment)

    def _refresh_lag(self) -> None:
        now = time.monotonic()
        if now - self._last_lag_refresh < LAG_REFRESH_S or not self._assignment:
            return
        self._last_lag_refresh = now
        partitions = list(self._assignment)
        try:
            ends = self._consumer.end_offsets(partitions)
            lag = {tp: max(0, ends[tp] - self._consumer.position(tp)) for tp in partitions}
        except KafkaError as exc:
            log.warning("lag refresh failed: %s", type(exc).__name__, extra={"event": "lag_error"})
            self._check_unreachable()
            return
        self._last_broker_contact = now
        self._health.set_connected(True)
        self._lag = lag
        for tp, value in lag.items():
            self._metrics.lag.labels(topic=tp.topic, partition=str(tp.partition)).set(value)
        self._health.set_lag(sum(lag.values()))

    def _check_unreachable(self) -> None:
        silent = time.monotonic() - self._last_broker_contact
        if silent > self._s.kafka.unreachable_deadline_s:
            self._health.set_connected(False)
            raise FatalIOError(
                f"brokers unreachable for {silent:.0f} s "
                f"(limit kafka.unreachable_deadline_s={self._s.kafka.unreachable_deadline_s:g})"
            )
