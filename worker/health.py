"""Liveness and readiness, from what the loop reports; no I/O here."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Verdict:
    """A health answer with the facts behind it (served as JSON)."""

    ok: bool
    reason: str
    details: dict[str, Any]


class HealthState:
    """Facts the loop updates (thread-safe), judged by the HTTP handlers.

    Liveness: the loop made progress within `stall_timeout_s`, or it has nothing to do
    (no lag on its partitions). A loop that holds lagging partitions and does not move is a
    zombie: liveness fails so that Kubernetes restarts it.
    Readiness: connected to the brokers and a member of the consumer group.
    """

    def __init__(self, stall_timeout_s: float, clock: Callable[[], float] = time.monotonic):
        self._lock = threading.Lock()
        self._clock = clock
        self._stall_timeout_s = stall_timeout_s
        self._last_progress = clock()
        self._connected = False
        self._member = False
        self._lag = 0
        self._state = "starting"

    def progressed(self) -> None:
        """The loop polled, processed or committed: it is not stuck."""
        with self._lock:
            self._last_progress = self._clock()

    def set_connected(self, connected: bool) -> None:
        with self._lock:
            self._connected = connected

    def set_member(self, member: bool) -> None:
        with self._lock:
            self._member = member

    def set_lag(self, lag: int) -> None:
        with self._lock:
            self._lag = lag

    def set_state(self, state: str) -> None:
        with self._lock:
            self._state = state

    def liveness(self) -> Verdict:
        with self._lock:
            idle_s = self._clock() - self._last_progress
            details = {
                "seconds_since_progress": round(idle_s, 3),
                "stall_timeout_s": self._stall_timeout_s,
                "lag": self._lag,
                "state": self._state,
            }
            if idle_s <= self._stall_timeout_s:
                return Verdict(True, "progressing", details)
            if self._lag == 0:
                return Verdict(True, "idle with no lag", details)
            return Verdict(False, "no progress while partitions have lag", details)

    def readiness(self) -> Verdict:
        with self._lock:
            details = {"connected": self._connected, "member": self._member, "state": self._state}
            if self._state in ("draining", "stopped"):
                return Verdict(False, f"worker is {self._state}", details)
            if not self._connected:
                return Verdict(False, "not connected to the brokers", details)
            if not self._member:
                return Verdict(False, "not a member of the consumer group yet", details)
            return Verdict(True, "connected and in the group", details)
