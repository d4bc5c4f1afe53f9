"""A wall-clock limit for one message's processing, enforced with SIGALRM.

The pipeline is CPU-bound Python; a timer signal interrupts it between bytecodes, which bounds
every stage that is not stuck inside one C call (the HTML stage bounds its C calls by capping
input size). Signals only reach the main thread, so elsewhere the limit is not enforced and
`deadline` says so through `enforced`.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType


class DeadlineExceeded(BaseException):
    """Raised inside the guarded block when its time is up.

    A BaseException so that a stage's broad `except Exception` cannot swallow it.
    """


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise DeadlineExceeded


def enforced() -> bool:
    """Whether `deadline` can interrupt work in the calling thread."""
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise `DeadlineExceeded` in the block if it runs longer than `seconds`."""
    if not enforced():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
