"""Offset commits of the consume loop (`worker.loop`), at-least-once bookkeeping.

Offsets are committed only for partitions the worker still owns. A commit is either waited
for (`Commits.commit`: before a rebalance, when idle, on shutdown) or sent without waiting
(`Commits.commit_soon`, one in flight at a time, its answer looked at by the next commit).
Offsets whose commit failed are kept and go with the next commit, later offsets winning.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import CommitFailedError, KafkaError
from kafka.structs import OffsetAndMetadata

from worker.lag import Reachability
from worker.metrics import Metrics

# The loop's logger, as before this part moved out of `worker.loop`: log lines keep it.
log = logging.getLogger("worker.loop")


class Commits:
    """Commits the offsets of acknowledged work of the partitions in `assignment`."""

    def __init__(
        self,
        consumer: KafkaConsumer,
        *,
        assignment: set[TopicPartition],
        metrics: Metrics,
        broker: Reachability,
        clock: Callable[[], float],
    ) -> None:
        self._consumer = consumer
        #: The worker's current assignment: the same set object, updated by the worker.
        self._assignment = assignment
        self._metrics = metrics
        self._broker = broker
        self._clock = clock
        #: Offsets of acknowledged work whose commit failed; retried with the next commit
        #: and before the partitions are revoked.
        self._uncommitted: dict[TopicPartition, int] = {}
        #: An asynchronous commit in flight: its future and the offsets it carries.
        self._pending: tuple[Any, dict[TopicPartition, int]] | None = None

    @property
    def outstanding(self) -> bool:
        """Whether offsets wait for a commit or a commit is in flight."""
        return bool(self._uncommitted) or self._pending is not None

    def keep(self, offsets: dict[TopicPartition, int]) -> None:
        """Hold `offsets` of owned partitions for the next commit."""
        for tp, off in offsets.items():
            if tp in self._assignment:
                self._uncommitted[tp] = off

    def forget(self, tp: TopicPartition) -> None:
        """Drop the held offset of a revoked partition (it belongs to another member now)."""
        self._uncommitted.pop(tp, None)

    def _wanted(self, offsets: dict[TopicPartition, int]) -> dict[TopicPartition, int]:
        """What to commit: earlier uncommitted offsets and `offsets`, of owned partitions."""
        # Partitions revoked while the batch was in flight belong to another member now;
        # committing them could move its offsets backwards.
        wanted = {tp: off for tp, off in (self._uncommitted | offsets).items()
                  if tp in self._assignment}
        self._uncommitted = {}
        return wanted

    def commit(self, offsets: dict[TopicPartition, int]) -> None:
        """Commit and wait for the answer (before a rebalance, when idle, on shutdown)."""
        self._reap()
        pending, self._pending = self._pending, None
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
            self._failed(wanted, exc)
            return
        self.committed(wanted)

    def commit_soon(self, offsets: dict[TopicPartition, int]) -> None:
        """Commit without waiting; the answer is looked at by the next commit."""
        self._reap()
        if self._pending is not None:
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
            self._failed(wanted, exc)
            return
        self._pending = (future, wanted)
        self._reap()

    def _reap(self) -> None:
        """Account for the commit in flight if its answer has come."""
        pending = self._pending
        if pending is None or not pending[0].is_done:
            return
        self._pending = None
        future, offsets = pending
        if future.exception is None:
            self.committed({tp: off for tp, off in offsets.items() if tp in self._assignment})
        else:
            self._failed(offsets, future.exception)

    def _failed(self, offsets: dict[TopicPartition, int], exc: BaseException) -> None:
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
            self._broker.check()

    def committed(self, offsets: dict[TopicPartition, int]) -> None:
        """Record a successful commit of `offsets` (also one made by a transaction)."""
        self._broker.contacted()
        self._metrics.commits.labels(result="success").inc()
        self._metrics.last_commit.set(self._clock())
        for tp, off in offsets.items():
            self._metrics.committed_offset.labels(topic=tp.topic, partition=str(tp.partition)).set(
                off)
