"""A wall-clock limit for one message's processing, enforced with SIGALRM.

The pipeline is CPU-bound Python; a timer signal interrupts it between bytecodes, which bounds
every stage that is not stuck inside one C call (the HTML stage bounds its C calls by capping
input size). Signals only reach the main thread, so elsewhere the limit is not enforced and
`Deadline` says so through `enforced`.

The SIGALRM handler is installed by the first guarded block and then stays: a block only arms
and disarms the timer. (Installing and restoring the handler around every message cost more
than the rest of the limit: `signal.signal` converts handlers to enum members by trying and
failing.) An alarm that arrives while no block is armed (one that fired as its block ended)
goes to the handler that was there before, if that is a Python function, and is ignored
otherwise. A block finds its handler replaced (e.g. by pytest-timeout between tests) and
installs it again. Blocks do not nest: an inner block disarms the outer one's timer.
"""

from __future__ import annotations

import importlib
import signal
import threading
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Any


class DeadlineExceeded(BaseException):
    """Raised inside the guarded block when its time is up.

    A BaseException so that a stage's broad `except Exception` cannot swallow it.
    """


# `signal.getsignal` turns its answer into a `Handlers` member by trying and catching the
# ValueError (microseconds for a Python handler); the C function of `_signal` that it wraps
# answers in nanoseconds.
_getsignal: Callable[[int], Any] = getattr(
    importlib.import_module("_signal"), "getsignal", signal.getsignal)
_SIGALRM = int(signal.SIGALRM)
_ITIMER_REAL = signal.ITIMER_REAL
_setitimer = signal.setitimer


class _Alarm:
    """Whether a block is armed, and the handler that was installed before ours."""

    armed = False
    previous: Any = None


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    if _Alarm.armed:
        _Alarm.armed = False
        raise DeadlineExceeded
    previous = _Alarm.previous
    if callable(previous):
        previous(signum, frame)


def enforced() -> bool:
    """Whether a `Deadline` can interrupt work in the calling thread."""
    return threading.current_thread() is threading.main_thread()


class Deadline:
    """A reusable limit of `seconds` for each block it guards (`with limit: ...`): raises
    `DeadlineExceeded` in a block that runs longer."""

    __slots__ = ("_armed_here", "seconds")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._armed_here = False

    def __enter__(self) -> None:
        if not enforced():
            self._armed_here = False
            return
        if _getsignal(_SIGALRM) is not _on_alarm:
            _Alarm.previous = signal.signal(signal.SIGALRM, _on_alarm)
        self._armed_here = True
        _Alarm.armed = True
        _setitimer(_ITIMER_REAL, self.seconds)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._armed_here:
            self._armed_here = False
            _setitimer(_ITIMER_REAL, 0)
            _Alarm.armed = False
