"""worker.replay's pure parts and the exactly-once transactional id (no broker)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from worker.errors import ConfigError
from worker.kafka.clients import transactional_id
from worker.replay import ReplayFilter, parse_time, replay_headers
from worker.settings import Settings


def test_replay_headers_drop_the_failure_and_count_the_replays() -> None:
    headers = [("trace-id", b"t1"), ("dlq.reason", b"invalid_json"),
               ("dlq.source.offset", b"7"), ("dlq.replay_count", b"2")]
    kept, count = replay_headers(headers)
    assert count == 3
    assert kept == [("trace-id", b"t1"), ("dlq.replay_count", b"3")]


def test_a_first_replay_counts_one_and_a_garbled_count_restarts() -> None:
    assert replay_headers([])[1] == 1
    assert replay_headers([("dlq.replay_count", b"x")])[1] == 1


def test_filter_by_reason_time_and_replay_count() -> None:
    t = datetime(2026, 1, 10, tzinfo=UTC)
    where = ReplayFilter(reasons=frozenset({"timeout"}), since=datetime(2026, 1, 1, tzinfo=UTC),
                         until=datetime(2026, 2, 1, tzinfo=UTC), max_replay_count=2)
    assert where.accepts("timeout", t, 0)
    assert not where.accepts("unhandled", t, 0)
    assert not where.accepts("timeout", datetime(2025, 12, 31, tzinfo=UTC), 0)
    assert not where.accepts("timeout", datetime(2026, 2, 1, tzinfo=UTC), 0)  # until is open
    assert not where.accepts("timeout", t, 2)
    assert not where.accepts("timeout", None, 0)  # no time known, a time range asked
    assert ReplayFilter().accepts(None, None, 99)


def test_times_need_a_zone() -> None:
    assert parse_time("2026-01-10T12:00:00Z") == datetime(2026, 1, 10, 12, tzinfo=UTC)
    with pytest.raises(ConfigError, match="zone"):
        parse_time("2026-01-10T12:00:00")
    with pytest.raises(ConfigError, match="ISO 8601"):
        parse_time("yesterday")


def test_transactional_id_is_stable_with_static_membership() -> None:
    static = Settings.model_validate(
        {"consumer": {"group_id": "g", "group_instance_id": "pod-0"}})
    assert transactional_id(static) == "g.pod-0"
    dynamic = Settings.model_validate({"consumer": {"group_id": "g"}})
    assert transactional_id(dynamic).startswith("g.")
    assert transactional_id(dynamic) != "g.pod-0"
