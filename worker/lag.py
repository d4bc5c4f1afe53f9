"""Consumer lag and broker reachability, for the consume loop (`worker.loop`).

`Lag` refreshes the lag gauges (and the health endpoint's lag) about every
`LAG_REFRESH_S`; `Reachability` stops the worker with `FatalIOError` when no broker has
answered for longer than `kafka.unreachable_deadline_s`.
"""

from __future__ import annotations

import logging
import time

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from worker.errors import FatalIOError
from worker.health import HealthState
from worker.metrics import Metrics

# The loop's logger, as before this part moved out of `worker.loop`: log lines keep it.
log = logging.getLogger("worker.loop")

LAG_REFRESH_S = 10.0


class Reachability:
    """When a broker last answered, and whether that is too long ago."""

    def __init__(self, health: HealthState, *, deadline_s: float) -> None:
        self._health = health
        self._deadline_s = deadline_s
        self._last_contact = time.monotonic()

    def contacted(self, at: float | None = None) -> None:
        """A broker answered (at monotonic time `at`, by default now)."""
        self._last_contact = time.monotonic() if at is None else at

    def check(self) -> None:
        """Raise `FatalIOError` when the brokers have been silent past the deadline."""
        silent = time.monotonic() - self._last_contact
        if silent > self._deadline_s:
            self._health.set_connected(False)
            raise FatalIOError(
                f"brokers unreachable for {silent:.0f} s "
                f"(limit kafka.unreachable_deadline_s={self._deadline_s:g})"
            )


class Lag:
    """The lag of the partitions in `assignment`, refreshed from the broker now and then."""

    def __init__(
        self,
        consumer: KafkaConsumer,
        *,
        assignment: set[TopicPartition],
        metrics: Metrics,
        health: HealthState,
        broker: Reachability,
    ) -> None:
        self._consumer = consumer
        #: The worker's current assignment: the same set object, updated by the worker.
        self._assignment = assignment
        self._metrics = metrics
        self._health = health
        self._broker = broker
        self._lag: dict[TopicPartition, int] = {}
        self._last_refresh = 0.0

    def total(self) -> int:
        """The last known lag summed over the assigned partitions."""
        return sum(self._lag.get(tp, 0) for tp in self._assignment)

    def forget(self, tp: TopicPartition) -> None:
        """Drop a revoked partition's lag."""
        self._lag.pop(tp, None)

    def refresh_soon(self) -> None:
        """Refresh at the next `refresh` (the assignment changed)."""
        self._last_refresh = 0.0

    def refresh(self) -> None:
        """Ask the broker for the lag if the last refresh is `LAG_REFRESH_S` old."""
        now = time.monotonic()
        if now - self._last_refresh < LAG_REFRESH_S or not self._assignment:
            return
        self._last_refresh = now
        partitions = list(self._assignment)
        try:
            ends = self._consumer.end_offsets(partitions)
            lag = {tp: max(0, ends[tp] - self._consumer.position(tp)) for tp in partitions}
        except KafkaError as exc:
            log.warning("lag refresh failed: %s", type(exc).__name__, extra={"event": "lag_error"})
            self._broker.check()
            return
        self._broker.contacted(now)
        self._health.set_connected(True)
        self._lag = lag
        for tp, value in lag.items():
            self._metrics.lag.labels(topic=tp.topic, partition=str(tp.partition)).set(value)
        self._health.set_lag(sum(lag.values()))
