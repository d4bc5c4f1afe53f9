"""Every Prometheus metric of the worker, defined once, registered on the registry passed in.

Names use base units (`_seconds`, `_bytes`), counters end in `_total`, and every label takes
values from a small fixed set (topic names from config, reasons from `worker.errors.REASONS`,
stage names, partition numbers): never URLs, ids or free text.
"""

from __future__ import annotations

from typing import Final

from prometheus_client import CollectorRegistry, Counter, Enum, Gauge, Histogram, Info

from worker import __version__
from worker.errors import REASONS
from worker.pipeline.version import PIPELINE_VERSION

NAMESPACE: Final = "article_worker"

#: Languages that get their own label value; everything else is counted as `other`.
COMMON_LANGUAGES: Final = frozenset({"id", "en", "ms", "jv", "su", "zh", "ar", "nl", "und"})

WORKER_STATES: Final = ("starting", "running", "draining", "stopped")
STAGES: Final = ("decode", "html", "clean", "enrich", "output", "total")

# Pipeline stages take tens of microseconds to tens of milliseconds.
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


class Metrics:
    """The worker's metrics. Build one per registry; tests build a fresh registry each."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        ns = NAMESPACE
        self.consumed = Counter(
            "messages_consumed", "Messages read from an input topic.", ["topic"],
            namespace=ns, registry=registry,
        )
        self.published = Counter(
            "articles_published", "Articles acknowledged by the broker on an output topic.",
            ["topic"], namespace=ns, registry=registry,
        )
        self.dead_letters = Counter(
            "dead_letters", "Messages acknowledged on the dead-letter topic, by reason.",
            ["reason"], namespace=ns, registry=registry,
        )
        self.duplicates = Counter(
            "duplicates", "Articles whose content was seen recently, by kind and action.",
            ["kind", "action"], namespace=ns, registry=registry,
        )
        self.stage_seconds = Histogram(
            "stage_duration_seconds", "Processing time of one message in one pipeline stage.",
            ["stage"], namespace=ns, registry=registry, buckets=_STAGE_BUCKETS,
        )
        self.e2e_age_seconds = Histogram(
            "end_to_end_age_seconds",
            "Age of a record when its output was acknowledged: now minus the record timestamp.",
            namespace=ns, registry=registry, buckets=_AGE_BUCKETS,
        )
        self.batch_size = Histogram(
            "batch_size_messages", "Messages processed in one polled batch.",
            namespace=ns, registry=registry, buckets=_BATCH_BUCKETS,
        )
        self.payload_bytes = Histogram(
            "payload_size_bytes", "Size of consumed message values.",
            namespace=ns, registry=registry, buckets=_SIZE_BUCKETS,
        )
        self.lag = Gauge(
            "consumer_lag_messages", "End offset minus consumer position, per assigned partition.",
            ["topic", "partition"], namespace=ns, registry=registry,
        )
        self.committed_offset = Gauge(
            "committed_offset", "Last offset committed by this worker, per partition.",
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
            "producer_errors", "Failed deliveries, by error class.",
            ["error"], namespace=ns, registry=registry,
        )
        self.producer_retries = Counter(
            "producer_retries", "Re-sends of records whose delivery failed, by error class.",
            ["error"], namespace=ns, registry=registry,
        )
        self.languages = Counter(
            "articles_by_language", "Published articles by detected language (rare ones: other).",
            ["language"], namespace=ns, registry=registry,
        )
        self.assigned_partitions = Gauge(
            "assigned_partitions", "Partitions currently assigned to this worker.",
            namespace=ns, registry=registry,
        )
        self.state = Enum(
            "state", "Lifecycle state of the worker.", states=list(WORKER_STATES),
            namespace=ns, registry=registry,
        )
        self.build_info = Info(
            "build", "Worker and pipeline versions.", namespace=ns, registry=registry,
        )
        self.build_info.info({"version": __version__, "pipeline_version": PIPELINE_VERSION})
        # Pre-create the label sets that are known up front, so that rates and alerts see
        # zero instead of an absent series before the first event.
        for reason in REASONS:
            self.dead_letters.labels(reason=reason)
        for result in ("success", "failure"):
            self.commits.labels(result=result)
        for kind in ("assigned", "revoked", "lost"):
            self.rebalances.labels(kind=kind)
        for stage in STAGES:
            self.stage_seconds.labels(stage=stage)

    def count_language(self, code: str | None) -> None:
        """Count a published article under its language, folding rare codes into `other`."""
        label = code if code in COMMON_LANGUAGES else "other"
        self.languages.labels(language=label).inc()
