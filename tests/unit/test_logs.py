"""worker.logs: JSON and text lines, event fields, masked secrets, rate-limited repeats."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from worker import logs


def record(msg: str, *args: object, level: int = logging.WARNING, name: str = "worker.loop",
           exc: bool = False, **fields: Any) -> logging.LogRecord:
    """A LogRecord as `logger.log(level, msg, *args, extra=fields)` would make it."""
    exc_info = None
    if exc:
        try:
            raise ValueError("boom")
        except ValueError:
            import sys  # noqa: PLC0415 - only this branch needs it

            exc_info = sys.exc_info()
    rec = logging.LogRecord(name, level, __file__, 1, msg, args or None, exc_info)
    for key, value in fields.items():
        setattr(rec, key, value)
    return rec


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


# --- formats ------------------------------------------------------------------------------


def test_json_line_has_time_level_logger_message_and_event_fields() -> None:
    line = logs.JsonFormatter().format(record(
        "dead letter", event="dead_letter", topic="raw", partition=2, offset=41,
        reason="invalid_json"))
    assert "\n" not in line
    doc = orjson.loads(line)
    assert doc["level"] == "warning"
    assert doc["logger"] == "worker.loop"
    assert doc["msg"] == "dead letter"
    assert doc["ts"].endswith("+00:00")
    assert {k: doc[k] for k in ("event", "topic", "partition", "offset", "reason")} == {
        "event": "dead_letter", "topic": "raw", "partition": 2, "offset": 41,
        "reason": "invalid_json"}


def test_json_line_renders_arguments_and_exceptions() -> None:
    doc = orjson.loads(logs.JsonFormatter().format(
        record("poll failed: %s", "KafkaTimeoutError", exc=True)))
    assert doc["msg"] == "poll failed: KafkaTimeoutError"
    assert "ValueError: boom" in doc["exc"]


def test_json_line_serialises_values_json_cannot_hold() -> None:
    doc = orjson.loads(logs.JsonFormatter().format(record("x", event="e", partitions={3})))
    assert doc["partitions"] == "{3}"


def test_fields_never_overwrite_the_standard_keys() -> None:
    doc = orjson.loads(logs.JsonFormatter().format(record("real", level_name="x", ts="fake")))
    assert doc["ts"] != "fake"
    assert doc["msg"] == "real"


@pytest.mark.parametrize(
    "key", ["password", "sasl_password", "ssl_password", "api_key", "token", "client_secret"])
def test_secret_looking_fields_are_masked(key: str) -> None:
    rec = record("connecting", event="connect")
    setattr(rec, key, "hunter2")
    json_line = logs.JsonFormatter().format(rec)
    text_line = logs.TextFormatter().format(rec)
    assert "hunter2" not in json_line
    assert "hunter2" not in text_line
    assert orjson.loads(json_line)[key] == "***"


def test_text_line_shows_the_event_fields() -> None:
    line = logs.TextFormatter().format(record(
        "dead letter", event="dead_letter", topic="raw", partition=2, offset=41,
        reason="invalid_json", stage="decode"))
    assert line.endswith(
        "WARNING worker.loop: dead letter event=dead_letter topic=raw partition=2 offset=41 "
        "reason=invalid_json stage=decode")


def test_text_line_quotes_values_with_spaces_and_keeps_tracebacks_below() -> None:
    line = logs.TextFormatter().format(record("failed", exc=True, error="Kafka Timeout"))
    first, _, rest = line.partition("\n")
    assert first.endswith('failed error="Kafka Timeout"')
    assert rest.startswith("Traceback")


# --- rate limiting ------------------------------------------------------------------------


def test_identical_errors_pass_once_per_interval_with_a_count_of_the_rest() -> None:
    clock = Clock()
    limit = logs.RateLimitFilter(30.0, clock=clock)

    def poll_failed() -> logging.LogRecord:
        return record("poll failed: %s", "NoBrokersAvailable", event="poll_error")

    assert limit.filter(poll_failed())
    for _ in range(99):
        clock.now += 0.25
        assert not limit.filter(poll_failed())
    clock.now = 30.0
    again = poll_failed()
    assert limit.filter(again)
    assert again.suppressed == 99  # type: ignore[attr-defined]


def test_different_messages_or_fields_are_not_identical() -> None:
    limit = logs.RateLimitFilter(30.0, clock=Clock())
    assert limit.filter(record("poll failed: %s", "NoBrokersAvailable"))
    assert limit.filter(record("poll failed: %s", "KafkaTimeoutError"))
    # Each dead letter is its own event: one line per dead letter, never suppressed.
    for offset in range(50):
        assert limit.filter(record("dead letter", event="dead_letter", topic="raw",
                                   partition=0, offset=offset, reason="invalid_json"))


def test_info_and_debug_are_never_limited() -> None:
    limit = logs.RateLimitFilter(30.0, clock=Clock())
    for _ in range(5):
        assert limit.filter(record("partitions assigned", level=logging.INFO))
        assert limit.filter(record("polled", level=logging.DEBUG))


def test_memory_is_bounded_by_forgetting_the_least_recently_seen() -> None:
    clock = Clock()
    limit = logs.RateLimitFilter(30.0, max_keys=3, clock=clock)
    for n in range(3):
        assert limit.filter(record("error %d", n))
    assert not limit.filter(record("error %d", 0))  # still remembered
    assert limit.filter(record("error %d", 3))  # evicts "error 1", the least recent
    assert limit.filter(record("error %d", 1))


# --- configure ----------------------------------------------------------------------------


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    kafka_level = logging.getLogger("kafka").level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        logging.getLogger("kafka").setLevel(kafka_level)


@pytest.mark.usefixtures("restore_logging")
def test_configure_json_writes_one_json_object_per_line() -> None:
    stream = io.StringIO()
    logs.configure("json", "INFO", stream=stream)
    log = logging.getLogger("worker.test")
    log.info("worker started", extra={"event": "start", "topic": "raw"})
    log.debug("not shown")
    for _ in range(3):
        log.error("commit failed: %s", "CommitFailedError", extra={"event": "commit_failed"})
    lines = stream.getvalue().splitlines()
    docs = [orjson.loads(line) for line in lines]
    assert [(d["event"], d["level"]) for d in docs] == [("start", "info"),
                                                         ("commit_failed", "error")]


@pytest.mark.usefixtures("restore_logging")
def test_configure_text_and_quiet_kafka_client() -> None:
    stream = io.StringIO()
    logs.configure("text", "DEBUG", stream=stream)
    logging.getLogger("worker.test").info("draining", extra={"event": "drain"})
    logging.getLogger("kafka.conn").warning("reconnecting")
    assert stream.getvalue().rstrip().endswith("INFO worker.test: draining event=drain")
    assert "reconnecting" not in stream.getvalue()
    assert logging.getLogger("kafka").level == logging.ERROR
