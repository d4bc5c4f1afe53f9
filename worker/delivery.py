"""Publishing one batch's output records and waiting until the broker has acknowledged them.

`Delivery.deliver` is the at-least-once path: send, wait, re-send what failed, a bounded number
of times, then `FatalIOError` (the caller must not commit). The loop splits it in two:
`send_all` when a batch is done, `complete` once the next batch has been processed (by then
the acknowledgements have normally arrived, so nothing waits); `acknowledged_prefix` lets it
look without waiting. While `complete` waits, `keepalive` is called between short flush
slices: the loop pauses its partitions and polls with a zero timeout there, so a slow broker
never pushes the worker past `max_poll_interval_ms` and no new records are fetched while the
producer is backed up (backpressure, bounded memory).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from kafka import TopicPartition
from kafka.errors import KafkaError, KafkaTimeoutError

from worker.errors import FatalIOError

log = logging.getLogger(__name__)

#: Longest single wait for acknowledgements before the consumer is kept alive again.
FLUSH_SLICE_S = 1.0


class Producer(Protocol):
    """The part of `KafkaProducer` that delivery needs."""

    def send(self, topic: str, value: Any = None, key: Any = None,
             headers: Any = None) -> Any: ...

    def flush(self, timeout: float | None = None) -> None: ...


@dataclass(slots=True)
class Pending:
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
class Batch:
    """The outputs of one polled batch and the offsets they complete."""

    pending: list[Pending] = field(default_factory=list)
    #: The next offset to commit per partition (last processed offset + 1).
    offsets: dict[TopicPartition, int] = field(default_factory=dict)
    #: The first processed offset per partition, where a rewind starts again.
    first: dict[TopicPartition, int] = field(default_factory=dict)
    #: How many of `pending`, from the start, are known to be done (acknowledged or failed).
    done: int = 0


def acknowledged_prefix(records: list[Pending], start: int = 0) -> int:
    """How many records from the start are done (acknowledged or failed); never waits.

    `start` is a count already known to be done: checking again resumes there.
    """
    for i in range(start, len(records)):
        future = records[i].future
        if future is None or not (isinstance(future, BaseException) or future.is_done):
            return i
    return len(records)


def failure(p: Pending) -> BaseException | None:
    """Why `p` is not acknowledged, or None when it is."""
    future = p.future
    if isinstance(future, BaseException):
        return future
    if future is None or not future.is_done:
        timeout: BaseException = KafkaTimeoutError("not acknowledged within the flush timeout")
        return timeout
    if future.failed():
        exc: BaseException = future.exception
        return exc
    return None


class Delivery:
    """Sends records and waits for their acknowledgements, keeping the consumer alive."""

    def __init__(
        self,
        producer: Producer,
        *,
        flush_timeout_s: float,
        attempts: int,
        keepalive: Callable[[], None],
        on_ack: Callable[[Pending], None],
        on_error: Callable[[Pending, BaseException, bool], None],
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        #: Replaced when exactly-once mode starts a new producer after a failed transaction.
        self.producer = producer
        self._flush_timeout_s = flush_timeout_s
        self._attempts = attempts
        self._keepalive = keepalive
        self._on_ack = on_ack
        self._on_error = on_error  # (record, error, will_retry)
        self._sleep = sleep

    def send_all(self, records: list[Pending]) -> None:
        """Hand every record to the producer; a refused send is kept as the record's failure."""
        for p in records:
            p.attempts += 1
            try:
                p.future = self.producer.send(p.topic, key=p.key, value=p.value,
                                               headers=p.headers)
            except KafkaError as exc:
                p.future = exc

    def wait(self, records: list[Pending]) -> None:
        """Wait up to the flush timeout for the records' futures, keeping the consumer alive."""
        if acknowledged_prefix(records) == len(records):
            return  # nothing to wait for: no flush, which would also wait for newer records
        give_up = time.monotonic() + self._flush_timeout_s
        while True:
            left = give_up - time.monotonic()
            try:
                self.producer.flush(timeout=max(0.0, min(FLUSH_SLICE_S, left)))
            except KafkaTimeoutError:
                pass
            except KafkaError as exc:
                log.warning("flush failed: %s", type(exc).__name__,
                            extra={"event": "flush_error"})
            if acknowledged_prefix(records) == len(records):
                return
            if left <= FLUSH_SLICE_S:
                return
            # Publishing is slow: keep the group membership alive without fetching more.
            self._keepalive()

    def deliver(self, records: list[Pending]) -> None:
        """Send every record and wait until all are acknowledged; `FatalIOError` otherwise."""
        self.send_all(records)
        self.complete(records)

    def complete(self, records: list[Pending]) -> None:
        """Wait until every record (sent once already) is acknowledged, re-sending failures.

        `on_ack` is called for each acknowledged record. After `attempts` sends of a record
        that still fails: `FatalIOError`, and the caller must not commit.
        """
        todo = records
        attempt = 1
        while True:
            self.wait(todo)
            failed: list[Pending] = []
            for p in todo:
                error = failure(p)
                if error is None:
                    self._on_ack(p)
                else:
                    failed.append(p)
                    self._on_error(p, error, attempt < self._attempts)
            if not failed:
                return
            summary = failure_summary(failed)
            if attempt >= self._attempts:
                raise FatalIOError(
                    f"{len(failed)} output record(s) not acknowledged after {self._attempts} "
                    f"attempts ({summary}); offsets were not committed"
                )
            log.warning("retrying %d unacknowledged record(s)", len(failed), extra={
                "event": "producer_retry", "attempt": attempt,
                "topic": ",".join(sorted({p.topic for p in failed})), "error": summary})
            self._sleep(backoff_s(attempt))
            attempt += 1
            self.send_all(failed)
            todo = failed


def failure_summary(failed: list[Pending]) -> str:
    """Each failing topic with its error and how many of its records failed.

    Every topic is named, not only the first record's: after a fatal error kafka-python aborts
    all in-flight batches with that same error, so the topic that caused it may be any of them.
    """
    by_topic: dict[str, tuple[int, str]] = {}
    for p in failed:
        count, error = by_topic.get(p.topic, (0, ""))
        if not error:
            exc = failure(p)
            error = f"{type(exc).__name__}: {exc}"
        by_topic[p.topic] = (count + 1, error)
    return "; ".join(f"topic {topic}: {count} x {error}"
                     for topic, (count, error) in sorted(by_topic.items()))


def backoff_s(attempt: int) -> float:
    """Exponential backoff before retry `attempt` + 1: 0.5 s, 1 s, 2 s ... at most 10 s."""
    return float(min(0.5 * 2 ** (attempt - 1), 10.0))
