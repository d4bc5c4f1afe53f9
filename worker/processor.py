"""One message in, one outcome out: decoding, the pipeline, the time limit and duplicates.

This is the shell around the pure pipeline that both `run` (Kafka) and `process` (offline)
use, so the two modes produce the same articles and dead letters for the same bytes.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass
from typing import Any

from worker.deadline import Deadline, DeadlineExceeded
from worker.duplicates import DuplicateWindow
from worker.errors import Rejected
from worker.metrics import STAGES, Metrics, observer
from worker.pipeline.decode import decode_payload
from worker.pipeline.model import Article, Payload
from worker.pipeline.run import PipelineConfig, process

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one message: an article (maybe a duplicate) or a rejection."""

    article: Article | None
    error: Rejected | None
    source_id: str | None = None
    duplicate_of: str | None = None


class _StageClock:
    """Times one stage into its histogram child; reused for every message (one thread)."""

    __slots__ = ("_observe", "_start")

    def __init__(self, histogram: Any) -> None:
        self._observe = observer(histogram)
        self._start = 0.0

    def __enter__(self) -> None:
        self._start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self._observe(time.perf_counter() - self._start)


class _HistogramTimer:
    # A plain object per stage, bound to its labelled child once: a generator-based context
    # manager and a labels() lookup per stage and message cost more than the stage timing.
    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics
        self._clocks = {name: self._clock(name) for name in STAGES}

    def _clock(self, name: str) -> _StageClock:
        # Observed at once (not buffered): callers without the loop read the histograms
        # right after `handle` (benchmarks/pipeline.py).
        return _StageClock(self._metrics.stage_seconds.labels(stage=name))

    def stage(self, name: str) -> contextlib.AbstractContextManager[None]:
        clock = self._clocks.get(name)
        if clock is None:
            clock = self._clocks[name] = self._clock(name)
        return clock


class Processor:
    """Processes message values; owns the duplicate window and the per-message time limit."""

    def __init__(
        self,
        config: PipelineConfig,
        *,
        max_payload_bytes: int,
        message_timeout_s: float,
        duplicate_window: int,
        metrics: Metrics | None = None,
    ) -> None:
        self._config = config
        self._max_payload_bytes = max_payload_bytes
        self._timeout_s = message_timeout_s
        self._deadline = Deadline(message_timeout_s)
        self._duplicates = DuplicateWindow(duplicate_window)
        self._metrics = metrics
        self._timer = _HistogramTimer(metrics) if metrics is not None else None

    def handle(self, value: bytes | None, *, partition: int = 0) -> Outcome:
        """Process one message value; never raises for bad input."""
        source_id: str | None = None
        try:
            with self._deadline:
                payload = self._decode(value)
                source_id = payload.source_id
                article = process(payload, self._config, self._timer)
        except Rejected as exc:
            return Outcome(article=None, error=exc, source_id=source_id)
        except DeadlineExceeded:
            error = Rejected(
                "timeout", "pipeline", f"processing took longer than {self._timeout_s:g} s"
            )
            return Outcome(article=None, error=error, source_id=source_id)
        except Exception as exc:
            log.exception("unexpected error in the pipeline")
            error = Rejected("unhandled", "pipeline", f"{type(exc).__name__}: {exc}")
            return Outcome(article=None, error=error, source_id=source_id)
        duplicate_of = self._duplicates.check(
            partition, article.fingerprints.content_sha256, article.id
        )
        return Outcome(
            article=article, error=None, source_id=source_id, duplicate_of=duplicate_of
        )

    def forget_partition(self, partition: int) -> None:
        """Drop duplicate state of a partition that this worker no longer owns."""
        self._duplicates.forget(partition)

    def _decode(self, value: bytes | None) -> Payload:
        if self._timer is None:
            return decode_payload(value, max_bytes=self._max_payload_bytes)
        with self._timer.stage("decode"):
            return decode_payload(value, max_bytes=self._max_payload_bytes)
