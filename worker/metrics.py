"""Every Prometheus metric of the worker, defined once, registered on the registry passed in.

Names use base units (`_seconds`, `_bytes`), counters end in `_total`, and every label takes
values from a small fixed set (topic names from config, reasons from `worker.errors.REASONS`,
stage names, partition numbers, Kafka error class names): never URLs, ids or free text.
docs/metrics.md documents each metric; tests/monitoring checks the exposition with promtool.
"""

from __future__ import annotations

import contextlib
import math
import threading
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    PlatformCollector,
    ProcessCollector,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from worker import __version__
from worker.errors import REASONS
from worker.pipeline.version import PIPELINE_BUILD, PIPELINE_VERSION

NAMESPACE: Final = "article_worker"

#: Languages that get their own label value; every other code is counted as `other`.
#: The worker's traffic is mostly Indonesian and English; `und` is "could not be detected".
COMMON_LANGUAGES: Final = ("id", "en", "ms", "jv", "su", "zh", "ar", "nl", "und")
OTHER_LANGUAGE: Final = "other"

WORKER_STATES: Final = ("starting", "running", "draining", "stopped")
#: Pipeline stages timed one by one; `output` is building and serialising the output record.
STAGES: Final = ("decode", "html", "clean", "enrich", "output")
COMMIT_RESULTS: Final = ("success", "failure")
REBALANCE_KINDS: Final = ("assigned", "revoked", "lost")
DUPLICATE_KINDS: Final = ("exact",)
DUPLICATE_ACTIONS: Final = ("publish", "route", "drop")

# Pipeline stages take tens of microseconds to tens of milliseconds; the per-message limit is
# 10 s by default, so the top buckets show messages that come close to it.
_STAGE_BUCKETS: Final = (
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
)
# End-to-end age spans sub-second (live traffic) to hours (a backlog being drained).
_AGE_BUCKETS: Final = (
    0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0, 14400.0, 86400.0,
)
_SIZE_BUCKETS: Final = tuple(float(2**n) for n in range(8, 25, 2))  # 256 B .. 16 MiB
_BATCH_BUCKETS: Final = (1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500)


class StateSet(Collector):
    """`article_worker_state{state=...}`: 1 for the current lifecycle state, 0 for the others.

    A collector rather than prometheus_client's `Enum` so that the label is called `state`
    (Enum names it after the metric) and a scrape never sees two states at 1.
    """

    def __init__(self, name: str, documentation: str, states: Iterable[str]) -> None:
        self._name = name
        self._documentation = documentation
        self._states = tuple(states)
        self._current = self._states[0]
        self._lock = threading.Lock()

    def state(self, value: str) -> None:
        """Enter `value`, one of the states given at construction."""
        if value not in self._states:
            raise ValueError(f"unknown state {value!r}; expected one of {self._states}")
        with self._lock:
            self._current = value

    @property
    def current(self) -> str:
        """The state the worker is in."""
        with self._lock:
            return self._current

    def describe(self) -> Iterable[Metric]:
        """The metric family without samples, so the registry can detect name clashes."""
        return [GaugeMetricFamily(self._name, self._documentation, labels=["state"])]

    def collect(self) -> Iterable[Metric]:
        """One sample per state."""
        current = self.current
        family = GaugeMetricFamily(self._name, self._documentation, labels=["state"])
        for state in self._states:
            family.add_metric([state], 1.0 if state == current else 0.0)
        return [family]


def _layout(histogram: Any) -> tuple[list[float], list[Any], Any] | None:
    """The bucket bounds, bucket values and sum value of a prometheus_client histogram (child),
    or None for another layout."""
    bounds = getattr(histogram, "_upper_bounds", None)
    buckets = getattr(histogram, "_buckets", None)
    total = getattr(histogram, "_sum", None)
    if bounds is None or buckets is None or total is None or len(bounds) != len(buckets):
        return None
    return bounds, buckets, total


def observer(histogram: Any) -> Callable[[float], None]:
    """A function that observes one value into `histogram` (a histogram without labels or a
    labelled child), as its `observe` does, at once.

    prometheus_client's `observe` walks the bucket bounds in Python; this finds the bucket
    by bisection. Falls back to `observe` for another prometheus_client layout and for NaN.
    """
    layout = _layout(histogram)
    if layout is None:
        plain: Callable[[float], None] = histogram.observe
        return plain
    bounds, buckets, total = layout
    fallback = histogram.observe

    def observe(value: float) -> None:
        if value != value:  # NaN, which observe() puts in no bucket  # noqa: PLR0124
            fallback(value)
            return
        total.inc(value)
        # observe() counts a value in the first bucket whose bound is >= the value.
        buckets[bisect_left(bounds, value)].inc(1)

    return observe


class BufferedHistogram:
    """Observations of one histogram (child) kept in a list and added in bulk by `flush`.

    prometheus_client's `observe` takes a lock and walks the bucket bounds in Python for
    every value; the loop observes several histograms per message. Here `observe` is a list
    append, and `flush` (once per batch) adds each bucket's count and the sum at once, as
    the same number of `observe` calls would have. Not thread-safe: one thread observes
    and flushes (the metrics server only reads the histogram).
    """

    __slots__ = ("_histogram", "_values", "observe")

    def __init__(self, histogram: Any) -> None:
        self._histogram = histogram
        self._values: list[float] = []
        #: Record one observation (seen by scrapes after the next `flush`).
        self.observe = self._values.append

    def flush(self) -> None:
        """Add the recorded observations to the histogram."""
        values = self._values
        if not values:
            return
        h = self._histogram
        layout = _layout(h)
        if layout is None or any(map(math.isnan, values)):
            # Another prometheus_client layout (or a NaN, which observe() bins differently):
            # the plain way.
            for value in values:
                h.observe(value)
            values.clear()
            return
        bounds, buckets, total = layout
        counts = [0] * len(bounds)
        for value in values:
            # observe() counts a value in the first bucket whose bound is >= the value.
            counts[bisect_left(bounds, value)] += 1
        total.inc(math.fsum(values))
        for bucket, count in zip(buckets, counts, strict=True):
            if count:
                bucket.inc(count)
        values.clear()


class Metrics:
    """The worker's metrics. Build one per registry; tests build a fresh registry each.

    Besides the worker's own metrics, the registry gets the standard `process_*` (CPU, memory,
    open files: the dashboard's resource panels) and `python_info` collectors.
    """

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self._buffers: list[BufferedHistogram] = []
        ns = NAMESPACE
        self.consumed = Counter(
            "messages_consumed", "Messages read from an input topic.", ["topic"],
            namespace=ns, registry=registry,
        )
        self.published = Counter(
            "articles_published",
            "Articles acknowledged by the broker on an output topic (duplicates topic included).",
            ["topic"], namespace=ns, registry=registry,
        )
        self.dead_letters = Counter(
            "dead_letters", "Messages acknowledged on the dead-letter topic, by reason.",
            ["reason"], namespace=ns, registry=registry,
        )
        self.duplicates = Counter(
            "duplicates",
            "Articles whose content was seen recently on the same partition, by kind and action.",
            ["kind", "action"], namespace=ns, registry=registry,
        )
        self.stage_seconds = Histogram(
            "stage_duration_seconds", "Processing time of one message in one pipeline stage.",
            ["stage"], namespace=ns, registry=registry, buckets=_STAGE_BUCKETS,
        )
        self.message_seconds = Histogram(
            "message_duration_seconds",
            "Processing time of one message: every stage, from its value to its output record.",
            namespace=ns, registry=registry, buckets=_STAGE_BUCKETS,
        )
        self.e2e_age_seconds = Histogram(
            "end_to_end_age_seconds",
            "Age of a record when its output was acknowledged: now minus the record timestamp.",
            namespace=ns, registry=registry, buckets=_AGE_BUCKETS,
        )
        self.batch_size = Histogram(
            "batch_size_messages", "Messages processed from one polled batch.",
            namespace=ns, registry=registry, buckets=_BATCH_BUCKETS,
        )
        self.payload_bytes = Histogram(
            "payload_size_bytes", "Size of consumed message values.",
            namespace=ns, registry=registry, buckets=_SIZE_BUCKETS,
        )
        self.lag = Gauge(
            "consumer_lag_messages",
            "End offset minus consumer position, per assigned partition.",
            ["topic", "partition"], namespace=ns, registry=registry,
        )
        self.committed_offset = Gauge(
            "committed_offset", "Last offset committed by this worker, per assigned partition.",
            ["topic", "partition"], namespace=ns, registry=registry,
        )
        self.commits = Counter(
            "commits", "Offset commits, by result (success, failure).",
            ["result"], namespace=ns, registry=registry,
        )
        self.last_commit = Gauge(
            "last_commit_timestamp_seconds", "Unix time of the last successful offset commit.",
            namespace=ns, registry=registry,
        )
        self.rebalances = Counter(
            "rebalances", "Partition assignment changes, by kind (assigned, revoked, lost).",
            ["kind"], namespace=ns, registry=registry,
        )
        self.producer_errors = Counter(
            "producer_errors", "Failed deliveries of output records, by Kafka error class.",
            ["error"], namespace=ns, registry=registry,
        )
        self.producer_retries = Counter(
            "producer_retries", "Re-sends of output records whose delivery failed, by error class.",
            ["error"], namespace=ns, registry=registry,
        )
        self.languages = Counter(
            "articles_by_language",
            "Published articles by detected language (codes outside a fixed list: other).",
            ["language"], namespace=ns, registry=registry,
        )
        self.assigned_partitions = Gauge(
            "assigned_partitions", "Partitions currently assigned to this worker.",
            namespace=ns, registry=registry,
        )
        self.state = StateSet(f"{ns}_state", "Lifecycle state of the worker.", WORKER_STATES)
        registry.register(self.state)
        self.build_info = Info(
            "build", "Worker and pipeline versions, and whether the pipeline is compiled.",
            namespace=ns, registry=registry,
        )
        self.build_info.info({"version": __version__, "pipeline_version": PIPELINE_VERSION,
                              "pipeline_build": PIPELINE_BUILD})
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        # Create the label sets known up front, so that rates, ratios and alerts see zero
        # instead of an absent series before the first event.
        for reason in REASONS:
            self.dead_letters.labels(reason=reason)
        for result in COMMIT_RESULTS:
            self.commits.labels(result=result)
        for kind in REBALANCE_KINDS:
            self.rebalances.labels(kind=kind)
        for stage in STAGES:
            self.stage_seconds.labels(stage=stage)
        for kind in DUPLICATE_KINDS:
            for action in DUPLICATE_ACTIONS:
                self.duplicates.labels(kind=kind, action=action)
        for language in (*COMMON_LANGUAGES, OTHER_LANGUAGE):
            self.languages.labels(language=language)

    def buffered(self, histogram: Any) -> BufferedHistogram:
        """A `BufferedHistogram` of `histogram` (a histogram without labels or a labelled
        child), flushed by `flush` with all the others."""
        buffer = BufferedHistogram(histogram)
        self._buffers.append(buffer)
        return buffer

    def flush(self) -> None:
        """Add every buffered observation to its histogram (the loop calls it per batch)."""
        for buffer in self._buffers:
            buffer.flush()

    def prepare_topics(self, input_topic: str, output_topics: Iterable[str]) -> None:
        """Create the per-topic series at zero once the topic names are known (at start)."""
        self.consumed.labels(topic=input_topic)
        for topic in output_topics:
            self.published.labels(topic=topic)

    def count_language(self, code: str | None, n: int = 1) -> None:
        """Count `n` published articles under their language, folding rare codes into `other`."""
        label = code if code in COMMON_LANGUAGES else OTHER_LANGUAGE
        self.languages.labels(language=label).inc(n)

    @contextlib.contextmanager
    def time_stage(self, stage: str) -> Iterator[None]:
        """Observe the duration of the enclosed block under `stage` (one of `STAGES`)."""
        if stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}; expected one of {STAGES}")
        with self.stage_seconds.labels(stage=stage).time():
            yield

    def forget_partition(self, topic: str, partition: int) -> None:
        """Drop the per-partition series of a partition this worker no longer owns.

        Its new owner reports lag and offsets from now on; a stale copy here would be summed
        twice in group-wide lag.
        """
        for gauge in (self.lag, self.committed_offset):
            with contextlib.suppress(KeyError):  # no series yet for a partition never measured
                gauge.remove(topic, str(partition))
