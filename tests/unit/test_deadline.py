"""The per-message wall-clock limit."""

from __future__ import annotations

import signal
import threading

import pytest

from worker.deadline import Deadline, DeadlineExceeded, enforced


def spin_forever() -> None:
    n = 0
    while True:
        n += 1


def test_runaway_code_is_interrupted() -> None:
    with pytest.raises(DeadlineExceeded), Deadline(0.05):
        spin_forever()


def test_broad_except_exception_cannot_swallow_it() -> None:
    def stage() -> None:
        try:
            spin_forever()
        except Exception:  # noqa: BLE001 - this is what a careless stage might do
            return

    with pytest.raises(DeadlineExceeded), Deadline(0.05):
        stage()


def test_fast_code_finishes_and_the_timer_is_disarmed() -> None:
    with Deadline(5):
        value = sum(range(1000))
    assert value == 499500
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_one_limit_guards_block_after_block() -> None:
    limit = Deadline(0.05)
    for _ in range(3):
        with limit:
            pass
        with pytest.raises(DeadlineExceeded), limit:
            spin_forever()
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_an_alarm_outside_a_block_goes_to_the_handler_that_was_there_before() -> None:
    received: list[int] = []
    original = signal.signal(signal.SIGALRM, lambda signum, frame: received.append(signum))
    try:
        with Deadline(5):
            pass
        signal.raise_signal(signal.SIGALRM)  # e.g. the timer fired just as the block ended
        assert received == [signal.SIGALRM]
    finally:
        signal.signal(signal.SIGALRM, original)


def test_an_alarm_outside_a_block_is_ignored_without_an_earlier_python_handler() -> None:
    original = signal.signal(signal.SIGALRM, signal.SIG_DFL)
    try:
        with Deadline(5):
            pass
        signal.raise_signal(signal.SIGALRM)  # SIG_DFL would have ended the process
    finally:
        signal.signal(signal.SIGALRM, original)


def test_a_handler_replaced_between_blocks_is_installed_again() -> None:
    original = signal.getsignal(signal.SIGALRM)
    try:
        with Deadline(5):
            pass
        signal.signal(signal.SIGALRM, signal.SIG_IGN)  # as pytest-timeout does between tests
        with pytest.raises(DeadlineExceeded), Deadline(0.05):
            spin_forever()
    finally:
        signal.signal(signal.SIGALRM, original)


def test_not_enforced_off_the_main_thread() -> None:
    seen: list[bool] = []

    def body() -> None:
        seen.append(enforced())
        with Deadline(0.01):
            seen.append(True)

    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    assert seen == [False, True]
