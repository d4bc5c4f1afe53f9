"""Exactly-once: a batch's outputs and its input offsets are committed in one transaction.

A `read_committed` reader of the output and dead-letter topics sees each input's output once:
either the transaction that carries the output *and* moves the group's offset past the input
commits, or neither happens.

A failed transaction is not retried on the same producer: kafka-python 3.0 does not send the
records of a new transaction after an abortable error (the next commit or abort hangs; seen
here with a record the broker refused). The producer is closed and a new one with the same
transactional id calls `init_transactions`, which makes the broker abort the open
transaction and fence the old producer. The batch's partitions are rewound to its first
offsets so the same records are processed again in the next transaction; after `attempts`
failed transactions in a row the worker exits non-zero. A producer fenced by a newer
instance stops the worker at once: the newer instance owns the work.

The group metadata is captured when the batch starts. If the group rebalances while the
batch is in flight, the broker rejects the offsets of the stale generation (KIP-447), the
transaction fails, and the partitions' new owner processes them: no record is output twice.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from kafka import TopicPartition
from kafka.errors import (
    InvalidProducerEpochError,
    KafkaError,
    ProducerFencedError,
)
from kafka.structs import OffsetAndMetadata

from worker.delivery import Batch, Delivery, Pending, backoff_s, failure
from worker.errors import FatalIOError

log = logging.getLogger(__name__)

EXIT_IO = 1
#: How long the failed producer may take to close before it is abandoned.
_CLOSE_TIMEOUT_S = 5.0

_FENCED = (ProducerFencedError, InvalidProducerEpochError)


class RecordNotAcknowledgedError(KafkaError):  # type: ignore[misc]  # kafka is untyped
    """An output record of the transaction was refused or not acknowledged in time."""


@contextlib.contextmanager
def bounded(seconds: float, what: str) -> Iterator[None]:
    """Exit the process non-zero if the block runs longer than `seconds`.

    kafka-python waits for transaction results without a timeout; a broker that never comes
    back would hang the worker silently. Nothing is lost by leaving: the transaction is
    either committed or aborted by the broker's transaction timeout.
    """
    done = threading.Event()

    def watchdog() -> None:
        if not done.wait(seconds):
            log.error("%s did not finish within %.0f s; exiting", what, seconds,
                      extra={"event": "fatal", "operation": what})
            logging.shutdown()
            os._exit(EXIT_IO)

    thread = threading.Thread(target=watchdog, name="txn-watchdog", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()


class Transactions:
    """Publishes one batch per transaction, with the consumed offsets inside it."""

    def __init__(
        self,
        producer: Any,
        consumer: Any,
        delivery: Delivery,
        *,
        producer_factory: Callable[[], Any] | None,
        attempts: int,
        operation_timeout_s: float,
        on_ack: Callable[[Pending], None],
        on_rewind: Callable[[list[TopicPartition]], None],
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.producer = producer
        self._factory = producer_factory
        self._consumer = consumer
        self._delivery = delivery
        self._attempts = attempts
        self._timeout_s = operation_timeout_s
        self._on_ack = on_ack
        self._on_rewind = on_rewind
        self._sleep = sleep
        self._failures_in_a_row = 0
        self._group: Any = None
        self.committed_transactions = 0
        self.aborted_transactions = 0

    def init(self) -> None:
        """Register the transactional id; aborts what a previous instance left open."""
        try:
            with bounded(self._timeout_s, "init_transactions"):
                self.producer.init_transactions()
        except KafkaError as exc:
            raise FatalIOError(f"cannot initialise transactions: {type(exc).__name__}: {exc}"
                               ) from exc

    def begin(self) -> None:
        """Note the group generation the batch belongs to (before any record is processed)."""
        self._group = self._consumer.group_metadata()

    def commit(self, batch: Batch, assigned: set[TopicPartition]) -> bool:
        """Commit the batch's outputs and offsets atomically; False when it was rewound."""
        offsets = {tp: OffsetAndMetadata(off, "", -1) for tp, off in batch.offsets.items()
                   if tp in assigned}
        if not offsets and not batch.pending:
            return True
        group = self._group if self._group is not None else self._consumer.group_metadata()
        try:
            with bounded(self._timeout_s, "transaction"):
                self.producer.begin_transaction()
                self._delivery.send_all(batch.pending)
                self._delivery.wait(batch.pending)
                for p in batch.pending:
                    error = failure(p)
                    if error is not None:
                        raise RecordNotAcknowledgedError(
                            f"topic {p.topic}: {type(error).__name__}: {error}")
                if offsets:
                    self.producer.send_offsets_to_transaction(offsets, group)
                self.producer.commit_transaction()
        except _FENCED as exc:
            raise FatalIOError(
                f"producer fenced ({type(exc).__name__}): another instance uses this "
                "transactional id") from exc
        except KafkaError as exc:
            self._replace_and_rewind(batch, exc)
            return False
        self._failures_in_a_row = 0
        self.committed_transactions += 1
        for p in batch.pending:
            self._on_ack(p)
        return True

    def _replace_and_rewind(self, batch: Batch, exc: BaseException) -> None:
        self._failures_in_a_row += 1
        self.aborted_transactions += 1
        log.warning("transaction failed; a new producer aborts it and the batch is processed "
                    "again: %s: %s", type(exc).__name__, exc, extra={
                        "event": "transaction_abort", "attempt": self._failures_in_a_row})
        if self._factory is None:
            raise FatalIOError(
                f"transaction failed ({type(exc).__name__}: {exc}) and no new producer can be "
                "made; offsets were not committed")
        # Even when giving up, the open transaction is aborted now: left open, it would
        # hold back every read_committed reader of these partitions until the broker's
        # transaction timeout.
        self._replace_producer()
        if self._failures_in_a_row >= self._attempts:
            raise FatalIOError(
                f"{self._failures_in_a_row} transaction(s) in a row failed (last: "
                f"{type(exc).__name__}: {exc}); offsets were not committed")
        rewound = []
        assignment = self._consumer.assignment()
        for tp, first in batch.first.items():
            if tp in assignment:
                self._consumer.seek(tp, first)
                rewound.append(tp)
        self._on_rewind(rewound)
        self._sleep(backoff_s(self._failures_in_a_row))

    def _replace_producer(self) -> None:
        assert self._factory is not None
        try:
            self.producer.close(timeout=_CLOSE_TIMEOUT_S)
        except KafkaError as close_exc:  # the old producer is being replaced anyway
            log.warning("closing the failed producer: %s", type(close_exc).__name__,
                        extra={"event": "producer_close_error"})
        self.producer = self._factory()
        self._delivery.producer = self.producer
        self.init()  # aborts the failed transaction on the broker, fences the old producer
