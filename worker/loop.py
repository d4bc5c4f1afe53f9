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

Sending and waiting for acknowledgements live in `worker.delivery`, offset commits in
`worker.commits`, what a record is published as in `worker.records`, lag and broker
reachability in `worker.lag`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from kafka import ConsumerRebalanceListener, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError

from worker.commits import Commits
from worker.delivery import Batch, Delivery, Pending, acknowledged_prefix, failure
from worker.health import HealthState
from worker.lag import Lag, Reachability
from worker.metrics import Metrics
from worker.pipeline.version import PIPELINE_BUILD
from worker.processor import Processor
from worker.records import Records
from worker.settings import Settings
from worker.transactions import Transactions

log = logging.getLogger(__name__)

#: How often, while a batch is processed, the loop looks whether the previous batch is
#: acknowledged (and commits it) and whether the lag gauge is due: not per message.
CHECK_INTERVAL_S = 0.01

#: The first batch after start takes at most this many records, and each next one twice as
#: many, up to `consumer.max_poll_records`: a worker started on a backlog publishes its
#: first outputs after a few messages instead of after a whole batch (about half a second),
#: for the price of a few more, smaller batches once.
FIRST_BATCH_RECORDS = 16


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
        self._stop = threading.Event()
        #: Shared with `_commits` and `_lag` (the same set object, updated in place).
        self._assignment: set[TopicPartition] = set()
        self._assignment_seen = False
        self.stats = {"consumed": 0, "published": 0, "dead_letters": 0, "duplicates": 0}
        self._broker = Reachability(health, deadline_s=settings.kafka.unreachable_deadline_s)
        self._lag = Lag(consumer, assignment=self._assignment, metrics=metrics, health=health,
                        broker=self._broker)
        self._commits = Commits(consumer, assignment=self._assignment, metrics=metrics,
                                broker=self._broker, clock=clock)
        self._delivering = False
        #: The most records the next poll may return (see `FIRST_BATCH_RECORDS`).
        self._max_records = min(FIRST_BATCH_RECORDS, settings.consumer.max_poll_records)
        #: At-least-once: the batch whose outputs are sent but not yet all acknowledged.
        self._inflight: Batch | None = None
        self._records = Records(settings, processor, metrics=metrics, clock=clock,
                                stats=self.stats)
        p = settings.producer
        self._delivery = Delivery(
            producer, flush_timeout_s=p.flush_timeout_s, attempts=p.send_attempts,
            keepalive=self._keepalive, on_ack=self._records.acknowledged,
            on_error=self._send_failed)
        self._txn: Transactions | None = None
        if settings.processing.guarantee == "exactly_once":
            self._txn = Transactions(
                producer, consumer, self._delivery, producer_factory=producer_factory,
                attempts=p.send_attempts,
                operation_timeout_s=settings.kafka.unreachable_deadline_s + p.flush_timeout_s,
                on_ack=self._records.acknowledged, on_rewind=self._rewound)

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
                                           "guarantee": self._s.processing.guarantee,
                                           "pipeline_build": PIPELINE_BUILD})
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
            elif self._lag.total() == 0:
                # Nothing to do is not a stall.
                self._health.idle()
            self._lag.refresh()
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
        if (self._inflight is not None or self._commits.outstanding
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
                max_records=self._max_records,
            )
        except KafkaError as exc:
            log.warning("poll failed: %s", type(exc).__name__, extra={"event": "poll_error"})
            self._broker.check()
            return {}
        self._health.set_connected(True)
        if records:
            self._max_records = min(2 * self._max_records, self._s.consumer.max_poll_records)
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
        self._assignment.update(partitions)
        if not self._assignment_seen:
            self._assignment_seen = True
        self._health.set_member(True)
        self._metrics.rebalances.labels(kind="assigned").inc()
        self._metrics.assigned_partitions.set(len(self._assignment))
        self._lag.refresh_soon()
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
            self._lag.forget(tp)
            self._commits.forget(tp)
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
                        self._lag.refresh()  # a long batch must not leave the gauge stale
                    self._records.handle(rec, batch)
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
        self._commits.commit_soon({})
        self._health.progressed()

    def _run_transaction(self, batch: Batch) -> None:
        assert self._txn is not None
        self._delivering = True
        try:
            done = self._txn.commit(batch, self._assignment)
            self._records.account()
            if done:
                self._commits.committed(batch.offsets)
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
        self._records.acknowledged_all(batch.pending)
        self._records.account()
        self._inflight = None
        self._commits.commit_soon(batch.offsets)

    def _finish_inflight(self, *, commit: bool = True) -> None:
        """Wait until the sent batch is acknowledged (re-sending failures), then commit.

        `FatalIOError` when its outputs cannot be delivered: its offsets stay uncommitted.
        Without `commit`, the offsets wait in `_commits` for the next commit.
        """
        batch = self._inflight
        if batch is None:
            if commit and self._commits.outstanding:
                self._commits.commit({})
            return
        self._delivering = True
        try:
            self._delivery.complete(batch.pending)
            self._inflight = None
            self._commits.keep(batch.offsets)
            if commit:
                self._commits.commit({})
        finally:
            self._delivering = False
            self._records.account()
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
