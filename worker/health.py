"""Liveness and readiness, judged from what the loop reports; no I/O here."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: States in which the worker is leaving the group and must not count as ready.
_LEAVING: frozenset[str] = frozenset({"draining", "stopped"})


@dataclass(frozen=True, slots=True)
class Verdict:
    """A health answer with the facts behind it (served as JSON)."""

    ok: bool
    reason: str
    details: dict[str, Any]


class HealthState:
    """Facts the loop updates (thread-safe), judged by the HTTP handlers.

    Liveness is a heartbeat: the loop calls `progressed` after every batch and `idle` after
    every poll that found nothing to do (no records, no lag). While either happened within
    `stall_timeout_s` the worker is alive. A loop that stops turning (a hung client call) or
    keeps turning without moving lagging partitions is a zombie: liveness fails so that
    Kubernetes restarts it. The lag is not trusted on its own to say "nothing to do": it is
    refreshed by the loop, so a hung loop would leave a stale zero behind.

    Readiness: connected to the brokers, a member of the consumer group, and not leaving.
    """

    def __init__(
        self, stall_timeout_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._stall_timeout_s = stall_timeout_s
        self._last_beat = clock()
        self._idle = False
        self._connected = False
        self._member = False
        self._lag = 0
        self._state = "starting"

    def progressed(self) -> None:
        """The loop processed and committed a batch."""
        with self._lock:
            self._last_beat = self._clock()
            self._idle = False

    def idle(self) -> None:
        """The loop polled and has nothing to do: no records and no lag."""
        with self._lock:
            self._last_beat = self._clock()
            self._idle = True

    def set_connected(self, connected: bool) -> None:
        """Whether the last broker request (poll, lag refresh, start-up check) worked."""
        with self._lock:
            self._connected = connected

    def set_member(self, member: bool) -> None:
        """Whether the consumer has joined the group (got an assignment, possibly empty)."""
        with self._lock:
            self._member = member

    def set_lag(self, lag: int) -> None:
        """The summed lag of the assigned partitions at the last refresh (for the details)."""
        with self._lock:
            self._lag = lag

    def set_state(self, state: str) -> None:
        """The lifecycle state (starting, running, draining, stopped)."""
        with self._lock:
            self._state = state

    def liveness(self) -> Verdict:
        """Alive while the loop's heartbeat is younger than the stall timeout."""
        with self._lock:
            silent_s = self._clock() - self._last_beat
            details = {
                "seconds_since_progress": round(silent_s, 3),
                "stall_timeout_s": self._stall_timeout_s,
                "lag": self._lag,
                "state": self._state,
            }
            if silent_s <= self._stall_timeout_s:
                if self._state == "starting":
                    return Verdict(True, "starting", details)
                reason = "idle: no records and no lag" if self._idle else "progressing"
                return Verdict(True, reason, details)
            if self._lag > 0:
                reason = f"no progress for {silent_s:.0f} s while partitions have lag"
            else:
                reason = f"the loop has not turned for {silent_s:.0f} s"
            return Verdict(False, reason, details)

    def readiness(self) -> Verdict:
        """Ready when connected, in the group and not leaving it."""
        with self._lock:
            details = {"connected": self._connected, "member": self._member, "state": self._state}
            if self._state in _LEAVING:
                return Verdict(False, f"worker is {self._state}", details)
            if not self._connected:
                return Verdict(False, "not connected to the brokers", details)
            if not self._member:
                return Verdict(False, "not a member of the consumer group yet", details)
            return Verdict(True, "connected and in the group", details)
