"""The per-message wall-clock limit."""

from __future__ import annotations

import signal
import threading

import pytest

from worker.deadline import DeadlineExceeded, deadline, enforced


def spin_forever() -> None:
    n = 0
    while True:
        n += 1


def test_runaway_code_is_interrupted() -> None:
    with pytest.raises(DeadlineExceeded), deadline(0.05):
        spin_forever()


def test_broad_except_exception_cannot_swallow_it() -> None:
    def stage() -> None:
        try:
            spin_forever()
        except Exception:  # noqa: BLE001 - this is what a careless stage might do
            return

    with pytest.raises(DeadlineExceeded), deadline(0.05):
        stage()


def test_fast_code_finishes_and_the_timer_is_disarmed() -> None:
    previous = signal.getsignal(signal.SIGALRM)
    with deadline(5):
        value = sum(range(1000))
    assert value == 499500
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) == previous


def test_not_enforced_off_the_main_thread() -> None:
    seen: list[bool] = []

    def body() -> None:
        seen.append(enforced())
        with deadline(0.01):
            seen.append(True)

    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    assert seen == [False, True]
