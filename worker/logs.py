"""Logging set-up: JSON lines by default, plain text as an option; identical errors rate-limited.

Events are ordinary log calls whose fields come in `extra=` (`event`, `topic`, `partition`,
`offset`, `reason`, ...). Both formats print those fields. Field names that look like secrets
are masked whatever their value, as a second line of defence behind the call sites.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson

from worker.pipeline.html.fallback import THIRD_PARTY_LOGGERS

# Attributes every LogRecord has; anything else was passed with `extra=` and is an event field.
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_SECRET_FIELD = re.compile(r"password|passwd|secret|token|credential|api_?key|sasl", re.I)
MASK = "***"


def event_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The fields passed with `extra=`, secrets masked."""
    fields: dict[str, Any] = {}
    for key, value in vars(record).items():
        if key in _STANDARD or key.startswith("_"):
            continue
        fields[key] = MASK if _SECRET_FIELD.search(key) else value
    return fields


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, event fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        """Render one record as a JSON line."""
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in event_fields(record).items():
            entry.setdefault(key, value)  # a field never overwrites the four above
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode("utf-8")


class TextFormatter(logging.Formatter):
    """`time level logger: message key=value ...`, for people reading a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        """Render one record as a line, its event fields appended as key=value."""
        line = super().format(record)
        fields = event_fields(record)
        if not fields:
            return line
        head, sep, tail = line.partition("\n")  # keep a traceback below the fields
        pairs = " ".join(f"{key}={_text_value(value)}" for key, value in fields.items())
        return f"{head} {pairs}{sep}{tail}"


def _text_value(value: Any) -> str:
    text = str(value)
    return orjson.dumps(text).decode("utf-8") if (not text or " " in text) else text


class RateLimitFilter(logging.Filter):
    """Lets an identical warning or error through at most once per `interval_s`.

    Identical means the same logger, level, rendered message and event fields: a broker
    outage that fails every poll logs once a period (the next line that gets through carries
    `suppressed`, the count left out), while dead letters, which differ in partition and
    offset, are each logged. Info and debug records are never limited. At most `max_keys`
    messages are remembered (least recently seen forgotten first), so memory stays bounded.
    """

    def __init__(
        self,
        interval_s: float = 30.0,
        *,
        max_keys: int = 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self._interval_s = interval_s
        self._max_keys = max_keys
        self._clock = clock
        self._lock = threading.Lock()
        # key -> (time the key last got through, records suppressed since then)
        self._last: OrderedDict[tuple[Any, ...], tuple[float, int]] = OrderedDict()

    def filter(self, record: logging.LogRecord) -> bool:
        """False for a repeat within the interval."""
        if record.levelno < logging.WARNING:
            return True
        key = self._key(record)
        now = self._clock()
        with self._lock:
            last, suppressed = self._last.get(key, (float("-inf"), 0))
            if key in self._last:
                self._last.move_to_end(key)
            if now - last < self._interval_s:
                self._last[key] = (last, suppressed + 1)
                return False
            self._last[key] = (now, 0)
            while len(self._last) > self._max_keys:
                self._last.popitem(last=False)
        if suppressed:
            record.suppressed = suppressed
        return True

    @staticmethod
    def _key(record: logging.LogRecord) -> tuple[Any, ...]:
        fields = tuple(sorted((k, repr(v)) for k, v in event_fields(record).items()))
        return (record.name, record.levelno, record.getMessage(), fields)


def configure(fmt: str, level: str, *, stream: Any = None) -> None:
    """Send logs to stderr (or `stream`) in the chosen format; replaces earlier handlers."""
    handler = logging.StreamHandler(sys.stderr if stream is None else stream)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(RateLimitFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # kafka-python logs every reconnect attempt at WARNING/ERROR; our own events say what
    # matters, so its records get through only from ERROR up (or the chosen level if higher).
    quiet = max(logging.getLevelNamesMapping()[level], logging.ERROR)
    logging.getLogger("kafka").setLevel(quiet)
    # The HTML cascade's second opinions log every page they give up on at WARNING; judging
    # that is the cascade's job, not an operator's.
    for name in THIRD_PARTY_LOGGERS:
        logging.getLogger(name).setLevel(quiet)
