"""The consume → process → publish → commit loop.

At-least-once (the default): offsets are committed only after every article and dead letter
up to them has been acknowledged by the broker. A record whose output cannot be delivered
within the bounded retries stops the worker with a non-zero exit *before* its offset is
committed, so a restart (or another group member) processes it again: nothing is lost.

The loop does not wait for a batch's acknowledgements: it sends the batch's outputs, polls
and processes the next batch, and meanwhile looks (without waiting, about every
`CHECK_INTERVAL_S`) whether the previous batch is acknowledged; once it is, its offsets are
committed. Only one sent batch is ever unacknowledged, so memory stays bounded and a slow
broker stops the fetching (backpressure) when the next batch is done. The sent batch is
finished (waited for, committed) before a rebalance, when the input runs dry and on
shutdown.

Exactly-once (`processing.guarantee: exactly_once`): the outputs and the offsets of a batch
are committed in one transaction (`worker.transactions`), batch by batch.

Sending and waiting for acknowledgements live in `worker.delivery`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from kafka import ConsumerRebalanceListener, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import CommitFailedError, KafkaError
from kafka.structs import OffsetAndMetadata

from worker.delivery import Batch, Delivery, Pending, acknowledged_prefix, failure
from worker.errors import FatalIOError
from worker.health import HealthState
from worker.metrics import Metrics
from worker.output import (
    SourceRecord,
    article_document,
    dead_letter_headers,
    dumps,
)
from worker.processor import Outcome, Processor
from worker.settings import Settings
from worker.transactions import Transactions

log = logging.getLogger(__name__)

LAG_REFRESH_S = 10.0
#: How often, while a batch is processed, the loop looks whether the previous batch is
#: acknowledged (and commits it) and whether the lag gauge is due: not per message.
CHECK_INTERVAL_S = 0.01


def _rebalance_pending(consumer: Any) -> bool:
    """Whether the consumer will rejoin its group at the next poll (a rebalance is coming).

    kafka-python has no public call for this; its coordinator knows (the heartbeat sets it).
    Anything unexpected counts as "no": the only cost is that a batch in flight at the
    rebalance is processed again by the partitions' next owner.
    """
    coordinator = getattr(consumer, "_coordinator", None)
    need_rejoin = getattr(coordinator, "need_rejoin", None)
    if need_rejoin is None:
        return False
    try:
        return bool(need_rejoin())
    except Exception:  # noqa: BLE001 - a private API: never let it break the loop
        return False


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
        *,
        metrics: Metrics,
        health: HealthState,
        clock: Callable[[], float] = time.time,
        producer_factory: Callable[[], KafkaProducer] | None = None,
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
        #: Offsets of acknowledged work whose commit failed; retried with the next commit
        #: and before the partitions are revoked.
        self._uncommitted: dict[TopicPartition, int] = {}
        #: An asynchronous commit in flight: its future and the offsets it carries.
        self._commit_pending: tuple[Any, dict[TopicPartition, int]] | None = None
        self._delivering = False
        #: At-least-once: the batch whose outputs are sent but not yet all acknowledged.
        self._inflight: Batch | None = None
        #: Acknowledged outputs not yet counted in the metrics (counted once per batch).
        self._acked: list[Pending] = []
        # Per-message histograms: observed into buffers, added to the histograms once per
        # batch (`Metrics.flush`), bound to their labelled child once.
        m = metrics
        self._payload_bytes = m.buffered(m.payload_bytes)
        self._message_seconds = m.buffered(m.message_seconds)
        self._output_seconds = m.buffered(m.stage_seconds.labels(stage="output"))
        self._age_seconds = m.buffered(m.e2e_age_seconds)
        p = settings.producer
        self._delivery = Delivery(
            producer, flush_timeout_s=p.flush_timeout_s, attempts=p.send_attempts,
            keepalive=self._keepalive, on_ack=self._acknowledged, on_error=self._send_failed)
        self._txn: Transactions | None = None
        if settings.processing.guarantee == "exactly_once":
            self._txn = Transactions(
                producer, consumer, self._delivery, producer_factory=producer_factory,
                attempts=p.send_attempts,
                operation_timeout_s=settings.kafka.unreachable_deadline_s + p.flush_timeout_s,
                on_ack=self._acknowledged, on_rewind=self._rewound)

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def producer(self) -> KafkaProducer:
        """The producer in use (exactly-once mode replaces it after a failed transaction)."""
        return self._txn.producer if self._txn is not None else self._producer

    def request_stop(self) -> None:
        """Ask the loop to finish its batch, commit and leave (called from a signal handler)."""
        self._stop.set()

    def run(self, *, stop_when_idle_s: float | None = None) -> None:
        """Consume until stopped; raises `FatalIOError` when progress is impossible."""
        if self._txn is not None:
            self._txn.init()
        self._consumer.subscribe([self._s.topics.input], listener=_Listener(self))
        self._metrics.prepare_topics(self._s.topics.input, self._output_topics())
        self._metrics.state.state("running")
        self._health.set_state("running")
        log.info("worker started", extra={"event": "start", "topic": self._s.topics.input,
                                           "group_id": self._s.consumer.group_id,
                                           "guarantee": self._s.processing.guarantee})
        last_record_at = time.monotonic()
        while not self._stop.is_set():
            records = self._poll()
            if records:
                self._run_batch(records)
                # Idle time counts from the end of the batch: a slow batch is not idleness.
                last_record_at = time.monotonic()
            elif self._inflight is not None:
                # The input ran dry (for now): finish the sent batch so that its offsets are
                # committed now, not when the next records arrive.
                self._finish_inflight()
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
        timeout_ms = self._s.consumer.poll_timeout_ms
        if (self._inflight is not None or self._uncommitted or self._commit_pending is not None
                ) and _rebalance_pending(self._consumer):
            # The partitions may go to another member in this poll: finish and commit the
            # sent batch (and retry a failed commit) first, or its records are processed
            # twice.
            self._finish_inflight()
        if self._inflight is not None:
            # Records already fetched keep the loop busy; with none, the empty poll finishes
            # the sent batch at once instead of after a full poll timeout.
            timeout_ms = 0
        try:
            records: dict[TopicPartition, list[Any]] = self._consumer.poll(
                timeout_ms=timeout_ms,
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
            # The sent batch is acknowledged and committed before the group is left; if it
            # cannot be (FatalIOError), its offsets stay uncommitted and the error goes up.
            self._finish_inflight()
        finally:
            try:
                self._consumer.close(autocommit=False)
            except KafkaError as exc:
                log.warning("consumer close failed: %s", exc, extra={"event": "close_error"})
        self.producer.flush(timeout=self._s.shutdown.drain_timeout_s)
        self._metrics.flush()
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
        if self._delivering:
            # Assigned during a keep-alive poll: nothing may be fetched until the batch in
            # flight is acknowledged.
            self._consumer.pause(*partitions)
        log.info("partitions assigned", extra={
            "event": "assignment", "partitions": sorted(p.partition for p in partitions)})

    def on_revoked(self, partitions: list[TopicPartition]) -> None:
        # kafka-python calls this listener on its network thread while poll() waits, where
        # a blocking call such as commit() is refused. Finished work is committed before
        # the poll that rebalances (`_poll`); what is not committed here (a commit that
        # failed, a sent batch not finished in time) goes to the new owner from the last
        # committed offset: processed twice, never lost.
        self._metrics.rebalances.labels(kind="revoked").inc()
        inflight = self._inflight
        for tp in partitions:
            self._assignment.discard(tp)
            self._processor.forget_partition(tp.partition)
            self._lag.pop(tp, None)
            self._uncommitted.pop(tp, None)
            if inflight is not None:
                inflight.offsets.pop(tp, None)
            self._metrics.forget_partition(tp.topic, tp.partition)
        self._metrics.assigned_partitions.set(len(self._assignment))
        log.info("partitions revoked", extra={
            "event": "revocation", "partitions": sorted(p.partition for p in partitions)})

    # -- one batch -------------------------------------------------------------------------

    def _run_batch(self, records: dict[TopicPartition, list[Any]]) -> None:
        batch = Batch()
        if self._txn is not None:
            self._txn.begin()
        budget_end = time.monotonic() + self._batch_budget_s()
        next_check = 0.0
        count = 0
        for tp, recs in records.items():
            first_count = count
            try:
                for i, rec in enumerate(recs):
                    now = time.monotonic()
                    if now > budget_end:
                        # Out of time: hand the rest back so the next poll fetches it again
                        # and the batch stays well within max_poll_interval_ms.
                        self._consumer.seek(tp, rec.offset)
                        log.info("batch cut at its time budget", extra={
                            "event": "batch_cut", "partition": tp.partition,
                            "offset": rec.offset, "left": len(recs) - i})
                        break
                    if now >= next_check:
                        next_check = now + CHECK_INTERVAL_S
                        self._check_inflight()
                        self._refresh_lag()  # a long batch must not leave the gauge stale
                    self._handle(rec, batch)
                    batch.first.setdefault(tp, rec.offset)
                    batch.offsets[tp] = rec.offset + 1
                    count += 1
                else:
                    continue
            finally:
                # Counted per partition and batch rather than per message (cheaper).
                if count > first_count:
                    self._metrics.consumed.labels(topic=tp.topic).inc(count - first_count)
                    self.stats["consumed"] += count - first_count
            # A cut partition's later partitions are also handed back in full.
            for later_tp, later in records.items():
                if later_tp not in batch.offsets and later:
                    self._consumer.seek(later_tp, later[0].offset)
            break
        self._metrics.batch_size.observe(count)
        self._metrics.flush()
        if self._txn is not None:
            self._run_transaction(batch)
            return
        # The previous batch had this whole batch's processing time to be acknowledged:
        # normally this does not wait. Then this batch goes out, and while the producer
        # sends it the previous batch's offsets are committed.
        self._finish_inflight(commit=False)
        self._delivery.send_all(batch.pending)
        if batch.pending or batch.offsets:
            self._inflight = batch
        self._commit_soon({})
        self._health.progressed()

    def _run_transaction(self, batch: Batch) -> None:
        assert self._txn is not None
        self._delivering = True
        try:
            done = self._txn.commit(batch, self._assignment)
            self._account()
            if done:
                self._committed(batch.offsets)
        finally:
            self._delivering = False
            self._resume()
        if done:  # a rewound batch is not progress: it comes again
            self._health.progressed()

    def _check_inflight(self) -> None:
        """Commit the sent batch if all its outputs are acknowledged; never waits."""
        batch = self._inflight
        if batch is None:
            return
        batch.done = acknowledged_prefix(batch.pending, batch.done)
        if batch.done < len(batch.pending):
            return
        if any(failure(p) is not None for p in batch.pending):
            return  # re-sent (or given up on) by `_finish_inflight`, which may wait
        self._acked.extend(batch.pending)
        self._account()
        self._inflight = None
        self._commit_soon(batch.offsets)

    def _finish_inflight(self, *, commit: bool = True) -> None:
        """Wait until the sent batch is acknowledged (re-sending failures), then commit.

        `FatalIOError` when its outputs cannot be delivered: its offsets stay uncommitted.
        Without `commit`, the offsets wait in `_uncommitted` for the next commit.
        """
        batch = self._inflight
        if batch is None:
            if commit and (self._uncommitted or self._commit_pending is not None):
                self._commit({})
            return
        self._delivering = True
        try:
            self._delivery.complete(batch.pending)
            self._inflight = None
            for tp, off in batch.offsets.items():
                if tp in self._assignment:
                    self._uncommitted[tp] = off
            if commit:
                self._commit({})
        finally:
            self._delivering = False
            self._account()
            self._resume()

    def _batch_budget_s(self) -> float:
        # Half of max_poll_interval at most: publishing and committing need time too.
        half_interval = self._s.consumer.max_poll_interval_ms / 2000.0
        return min(self._s.processing.batch_time_budget_s, half_interval)

    def _keepalive(self) -> None:
        """Poll without fetching while publishing is slow, so the group keeps us."""
        assignment = self._consumer.assignment()
        self._consumer.pause(*assignment)
        log.debug("publishing is slow: partitions paused", extra={"event": "backpressure"})
        try:
            records = self._consumer.poll(timeout_ms=0)
        except KafkaError as exc:
            log.warning("keep-alive poll failed: %s", type(exc).__name__,
                        extra={"event": "poll_error"})
            return
        for tp, recs in records.items():
            # A partition assigned inside this poll was not paused yet: hand its records
            # back, or they would be skipped.
            if recs:
                self._consumer.seek(tp, recs[0].offset)
                self._consumer.pause(tp)

    def _resume(self) -> None:
        paused = self._consumer.paused()
        if paused:
            self._consumer.resume(*paused)

    def _rewound(self, partitions: list[TopicPartition]) -> None:
        # The batch is processed again; its records must not look like duplicates of
        # themselves in the (in-memory) duplicate window.
        for tp in partitions:
            self._processor.forget_partition(tp.partition)

    def _send_failed(self, p: Pending, error: BaseException, will_retry: bool) -> None:
        name = type(error).__name__
        self._metrics.producer_errors.labels(error=name).inc()
        if will_retry:
            self._metrics.producer_retries.labels(error=name).inc()

    def _handle(self, rec: Any, batch: Batch) -> None:
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
        return Pending(topic, article.id.encode("utf-8"), dumps(doc), [], kind, topic,
                        rec.timestamp, language=lang)

    def _acknowledged(self, p: Pending) -> None:
        self._acked.append(p)

    def _account(self) -> None:
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
            self.stats["dead_letters"] += n
        for topic, n in published.items():
            m.published.labels(topic=topic).inc(n)
            self.stats["published"] += n
        for code, n in languages.items():
            m.count_language(code, n)
        m.flush()

    def _wanted(self, offsets: dict[TopicPartition, int]) -> dict[TopicPartition, int]:
        """What to commit: earlier uncommitted offsets and `offsets`, of owned partitions."""
        # Partitions revoked while the batch was in flight belong to another member now;
        # committing them could move its offsets backwards.
        wanted = {tp: off for tp, off in (self._uncommitted | offsets).items()
                  if tp in self._assignment}
        self._uncommitted = {}
        return wanted

    def _commit(self, offsets: dict[TopicPartition, int]) -> None:
        """Commit and wait for the answer (before a rebalance, when idle, on shutdown)."""
        self._reap_commit()
        pending, self._commit_pending = self._commit_pending, None
        if pending is not None:
            # Its answer no longer matters: this commit carries its offsets again.
            self._uncommitted = pending[1] | self._uncommitted
        wanted = self._wanted(offsets)
        if not wanted:
            return
        to_commit = {tp: OffsetAndMetadata(off, "", -1) for tp, off in wanted.items()}
        try:
            self._consumer.commit(offsets=to_commit)
        except KafkaError as exc:
            self._commit_failed(wanted, exc)
            return
        self._committed(wanted)

    def _commit_soon(self, offsets: dict[TopicPartition, int]) -> None:
        """Commit without waiting; the answer is looked at by the next commit."""
        self._reap_commit()
        if self._commit_pending is not None:
            # One commit in flight at a time; these offsets go with the next one.
            self._uncommitted |= offsets
            return
        wanted = self._wanted(offsets)
        if not wanted:
            return
        to_commit = {tp: OffsetAndMetadata(off, "", -1) for tp, off in wanted.items()}
        try:
            future = self._consumer.commit_async(offsets=to_commit)
        except KafkaError as exc:
            self._commit_failed(wanted, exc)
            return
        self._commit_pending = (future, wanted)
        self._reap_commit()

    def _reap_commit(self) -> None:
        """Account for the commit in flight if its answer has come."""
        pending = self._commit_pending
        if pending is None or not pending[0].is_done:
            return
        self._commit_pending = None
        future, offsets = pending
        if future.exception is None:
            self._committed({tp: off for tp, off in offsets.items() if tp in self._assignment})
        else:
            self._commit_failed(offsets, future.exception)

    def _commit_failed(self, offsets: dict[TopicPartition, int], exc: BaseException) -> None:
        self._metrics.commits.labels(result="failure").inc()
        if isinstance(exc, CommitFailedError):
            # The group rebalanced while we worked: the partitions' new owner re-processes
            # from the last committed offset (at-least-once), so this is not fatal.
            log.warning("commit failed after a rebalance: %s", exc,
                        extra={"event": "commit_failed"})
            return
        log.error("commit failed: %s: %s", type(exc).__name__, exc,
                  extra={"event": "commit_failed"})
        # The work is done; commit it with the next commit (later offsets win).
        for tp, off in offsets.items():
            if tp in self._assignment and off > self._uncommitted.get(tp, -1):
                self._uncommitted[tp] = off
        if isinstance(exc, KafkaError):
            self._check_unreachable()

    def _committed(self, offsets: dict[TopicPartition, int]) -> None:
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
