"""worker.health: liveness from the loop's heartbeat, readiness from membership."""

from __future__ import annotations

import pytest

from worker.health import HealthState


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def health(clock: FakeClock) -> HealthState:
    return HealthState(stall_timeout_s=60.0, clock=clock)


def running(health: HealthState) -> HealthState:
    health.set_state("running")
    health.set_connected(True)
    health.set_member(True)
    return health


def test_a_starting_worker_is_alive_but_not_ready(health: HealthState) -> None:
    live = health.liveness()
    assert (live.ok, live.reason) == (True, "starting")
    ready = health.readiness()
    assert (ready.ok, ready.reason) == (False, "not connected to the brokers")
    assert ready.details == {"connected": False, "member": False, "state": "starting"}


def test_connected_but_not_in_the_group_is_not_ready(health: HealthState) -> None:
    health.set_state("running")
    health.set_connected(True)
    verdict = health.readiness()
    assert (verdict.ok, verdict.reason) == (False, "not a member of the consumer group yet")


def test_connected_and_in_the_group_is_ready(health: HealthState) -> None:
    verdict = running(health).readiness()
    assert (verdict.ok, verdict.reason) == (True, "connected and in the group")
    assert verdict.details == {"connected": True, "member": True, "state": "running"}


@pytest.mark.parametrize("state", ["draining", "stopped"])
def test_a_leaving_worker_is_not_ready(health: HealthState, state: str) -> None:
    running(health).set_state(state)
    verdict = health.readiness()
    assert (verdict.ok, verdict.reason) == (False, f"worker is {state}")


def test_a_progressing_worker_is_alive(health: HealthState, clock: FakeClock) -> None:
    running(health)
    health.set_lag(500)
    clock.now += 50
    health.progressed()
    clock.now += 59
    verdict = health.liveness()
    assert (verdict.ok, verdict.reason) == (True, "progressing")
    assert verdict.details["seconds_since_progress"] == 59.0
    assert verdict.details["lag"] == 500


def test_an_idle_worker_with_nothing_to_do_is_alive(
    health: HealthState, clock: FakeClock
) -> None:
    running(health)
    for _ in range(10):  # hours of idling, one heartbeat per poll
        clock.now += 30
        health.idle()
    verdict = health.liveness()
    assert (verdict.ok, verdict.reason) == (True, "idle: no records and no lag")


def test_no_progress_while_lagging_fails_liveness(health: HealthState, clock: FakeClock) -> None:
    running(health)
    health.progressed()
    health.set_lag(42)
    clock.now += 61
    verdict = health.liveness()
    assert not verdict.ok
    assert verdict.reason == "no progress for 61 s while partitions have lag"
    assert verdict.details == {
        "seconds_since_progress": 61.0, "stall_timeout_s": 60.0, "lag": 42, "state": "running"}


def test_a_hung_loop_fails_liveness_even_with_a_stale_zero_lag(
    health: HealthState, clock: FakeClock
) -> None:
    # The lag is refreshed by the loop itself: a hung loop leaves the last value behind, so
    # a zero must not excuse a missing heartbeat.
    running(health)
    health.idle()
    health.set_lag(0)
    clock.now += 300
    verdict = health.liveness()
    assert (verdict.ok, verdict.reason) == (False, "the loop has not turned for 300 s")


def test_progress_after_a_stall_makes_it_alive_again(
    health: HealthState, clock: FakeClock
) -> None:
    running(health)
    clock.now += 120
    assert not health.liveness().ok
    health.progressed()
    assert health.liveness().ok
