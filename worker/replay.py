"""`article-worker replay`: publish dead letters again, e.g. after a fix was deployed.

Reads the dead-letter topic from its beginning up to its end offsets as they were when the
command started (so replayed records that fail again are not replayed twice in one run),
keeps the dead letters that match the reason and time filters, and publishes each with its
original key and value bytes to the input topic (or `--to`). The `dlq.*` headers that
described the failure are dropped, the original headers are kept, and `dlq.replay_count`
says how many times the message has been replayed. `--dry-run` only counts.

The reader uses `read_committed`, so dead letters of aborted exactly-once transactions are
never replayed.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError

from worker.delivery import Delivery, Pending
from worker.errors import ConfigError, FatalIOError
from worker.output import DLQ_HEADER_FAILED_AT, DLQ_HEADER_REASON, REPLAY_COUNT_HEADER

log = logging.getLogger(__name__)

_POLL_MS = 500
_BATCH = 500


@dataclass(frozen=True, slots=True)
class ReplayFilter:
    """Which dead letters to replay; None means "any"."""

    reasons: frozenset[str] | None = None
    since: datetime | None = None
    until: datetime | None = None
    max_replay_count: int | None = None

    def accepts(self, reason: str | None, failed_at: datetime | None, replays: int) -> bool:
        """Whether a dead letter with these facts is replayed."""
        if self.reasons is not None and reason not in self.reasons:
            return False
        if (self.since is not None or self.until is not None) and failed_at is None:
            return False
        if self.since is not None and failed_at is not None and failed_at < self.since:
            return False
        if self.until is not None and failed_at is not None and failed_at >= self.until:
            return False
        return self.max_replay_count is None or replays < self.max_replay_count


@dataclass(slots=True)
class ReplayReport:
    """What a replay run did (printed as JSON by the CLI)."""

    source: str
    target: str
    dry_run: bool
    scanned: int = 0
    matched: int = 0
    published: int = 0
    by_reason: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for printing."""
        return {"source": self.source, "target": self.target, "dry_run": self.dry_run,
                "scanned": self.scanned, "matched": self.matched, "published": self.published,
                "by_reason": dict(sorted(self.by_reason.items()))}


def parse_time(text: str) -> datetime:
    """An ISO 8601 time with a zone (`2026-01-31T12:00:00+00:00` or `...Z`)."""
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"not an ISO 8601 time: {text!r}") from None
    if parsed.tzinfo is None:
        raise ConfigError(f"time {text!r} needs a zone, e.g. {text}+00:00 or {text}Z")
    return parsed


def replay_headers(headers: Iterable[tuple[str, bytes]]) -> tuple[list[tuple[str, bytes]], int]:
    """The headers to publish (original ones, replay count + 1) and the new count."""
    kept: list[tuple[str, bytes]] = []
    previous = 0
    for name, value in headers:
        if name == REPLAY_COUNT_HEADER:
            previous = _int(value)
        elif not name.startswith("dlq."):
            kept.append((name, value))
    count = previous + 1
    kept.append((REPLAY_COUNT_HEADER, str(count).encode("ascii")))
    return kept, count


def _int(value: bytes | None) -> int:
    try:
        return int((value or b"0").decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return 0


def _failed_at(headers: dict[str, bytes], timestamp_ms: int | None) -> datetime | None:
    raw = headers.get(DLQ_HEADER_FAILED_AT)
    if raw is not None:
        try:
            return datetime.fromisoformat(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            pass
    if timestamp_ms is not None and timestamp_ms > 0:
        return datetime.fromtimestamp(timestamp_ms / 1000, UTC)
    return None


def read_dead_letters(consumer: KafkaConsumer, topic: str) -> Iterator[Any]:
    """Every record of `topic` up to its end offsets at the time of the call."""
    partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic)
                                                           or ())]
    if not partitions:
        raise ConfigError(f"dead-letter topic {topic} does not exist")
    consumer.assign(partitions)
    ends = consumer.end_offsets(partitions)
    consumer.seek_to_beginning(*partitions)
    todo = {tp for tp in partitions if ends[tp] > consumer.position(tp)}
    while todo:
        batch = consumer.poll(timeout_ms=_POLL_MS, max_records=_BATCH)
        for tp, records in batch.items():
            for rec in records:
                if rec.offset < ends[tp]:
                    yield rec
        for tp in list(todo):
            if consumer.position(tp) >= ends[tp]:
                todo.discard(tp)


def replay(
    consumer: KafkaConsumer,
    producer: KafkaProducer | None,
    *,
    source: str,
    target: str,
    where: ReplayFilter,
    flush_timeout_s: float,
    attempts: int,
) -> ReplayReport:
    """Replay the matching dead letters of `source` to `target` (count only without producer)."""
    report = ReplayReport(source=source, target=target, dry_run=producer is None)
    delivery = None
    if producer is not None:
        delivery = Delivery(producer, flush_timeout_s=flush_timeout_s, attempts=attempts,
                            keepalive=lambda: None, on_ack=lambda p: None,
                            on_error=lambda p, e, r: None)
    pending: list[Pending] = []
    try:
        for rec in read_dead_letters(consumer, source):
            report.scanned += 1
            headers = [(k, v) for k, v in (rec.headers or [])]
            named = dict(headers)
            reason_raw = named.get(DLQ_HEADER_REASON)
            reason = reason_raw.decode("utf-8", "replace") if reason_raw else None
            out_headers, count = replay_headers(headers)
            if not where.accepts(reason, _failed_at(named, rec.timestamp), count - 1):
                continue
            report.matched += 1
            report.by_reason[reason or "(none)"] += 1
            if delivery is None:
                continue
            pending.append(Pending(target, rec.key, rec.value or b"", out_headers, "replay",
                                   reason or "", rec.timestamp))
            if len(pending) >= _BATCH:
                delivery.deliver(pending)
                report.published += len(pending)
                pending = []
        if delivery is not None and pending:
            delivery.deliver(pending)
            report.published += len(pending)
    except KafkaError as exc:
        raise FatalIOError(f"replay failed after {report.published} published: "
                           f"{type(exc).__name__}: {exc}") from exc
    log.info("replay done", extra={"event": "replay", **report.as_dict()})
    return report
