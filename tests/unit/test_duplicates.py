"""The exact-duplicate window."""

from __future__ import annotations

from worker.duplicates import DuplicateWindow


def test_second_sighting_points_to_the_first() -> None:
    window = DuplicateWindow(10)
    assert window.check(0, "h1", "a1") is None
    assert window.check(0, "h1", "a2") == "a1"


def test_partitions_are_separate() -> None:
    window = DuplicateWindow(10)
    window.check(0, "h1", "a1")
    assert window.check(1, "h1", "a2") is None


def test_window_is_bounded_and_forgets_oldest() -> None:
    window = DuplicateWindow(2)
    window.check(0, "h1", "a1")
    window.check(0, "h2", "a2")
    window.check(0, "h3", "a3")  # evicts h1
    assert window.check(0, "h1", "a4") is None
    assert window.check(0, "h3", "a5") == "a3"


def test_zero_window_disables_detection() -> None:
    window = DuplicateWindow(0)
    window.check(0, "h1", "a1")
    assert window.check(0, "h1", "a2") is None


def test_forget_drops_a_revoked_partition() -> None:
    window = DuplicateWindow(10)
    window.check(0, "h1", "a1")
    window.forget(0)
    assert window.check(0, "h1", "a2") is None
