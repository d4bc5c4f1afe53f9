"""worker.metrics: names, labels, pre-created series and helpers, on a fresh registry each."""

from __future__ import annotations

import math
import random
import sys

import pytest
from prometheus_client import REGISTRY, CollectorRegistry

from worker import __version__
from worker.errors import REASONS
from worker.metrics import COMMON_LANGUAGES, STAGES, WORKER_STATES, Metrics, observer
from worker.pipeline.version import PIPELINE_VERSION

#: Every label the worker's own metrics may carry: small fixed sets, never ids or free text.
ALLOWED_LABELS = {
    "topic", "partition", "reason", "kind", "action", "stage", "result", "error", "language",
    "state", "version", "pipeline_version", "pipeline_build", "le",
}


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
def metrics(registry: CollectorRegistry) -> Metrics:
    return Metrics(registry)


def test_build_info_carries_both_versions_and_the_build(registry: CollectorRegistry,
                                                         metrics: Metrics) -> None:
    # The test suite runs the plain sources (the editable dev install); the image's compiled
    # build is checked in tests/deploy/test_image_install.py.
    labels = {"version": __version__, "pipeline_version": PIPELINE_VERSION,
              "pipeline_build": "interpreted"}
    assert registry.get_sample_value("article_worker_build_info", labels) == 1.0


def test_known_label_sets_start_at_zero(registry: CollectorRegistry, metrics: Metrics) -> None:
    for reason in REASONS:
        assert registry.get_sample_value(
            "article_worker_dead_letters_total", {"reason": reason}) == 0.0
    for result in ("success", "failure"):
        assert registry.get_sample_value(
            "article_worker_commits_total", {"result": result}) == 0.0
    for kind in ("assigned", "revoked", "lost"):
        assert registry.get_sample_value(
            "article_worker_rebalances_total", {"kind": kind}) == 0.0
    for stage in STAGES:
        assert registry.get_sample_value(
            "article_worker_stage_duration_seconds_count", {"stage": stage}) == 0.0
    for language in (*COMMON_LANGUAGES, "other"):
        assert registry.get_sample_value(
            "article_worker_articles_by_language_total", {"language": language}) == 0.0


def test_prepare_topics_creates_the_per_topic_series(
    registry: CollectorRegistry, metrics: Metrics
) -> None:
    consumed = "article_worker_messages_consumed_total"
    assert registry.get_sample_value(consumed, {"topic": "raw"}) is None
    metrics.prepare_topics("raw", ["clean", "dups"])
    assert registry.get_sample_value(consumed, {"topic": "raw"}) == 0.0
    for topic in ("clean", "dups"):
        assert registry.get_sample_value(
            "article_worker_articles_published_total", {"topic": topic}) == 0.0


@pytest.mark.parametrize(
    ("code", "label"),
    [("id", "id"), ("en", "en"), ("und", "und"), ("fr", "other"), ("xx", "other"),
     (None, "other")],
)
def test_languages_outside_the_fixed_list_count_as_other(
    registry: CollectorRegistry, metrics: Metrics, code: str | None, label: str
) -> None:
    metrics.count_language(code)
    assert registry.get_sample_value(
        "article_worker_articles_by_language_total", {"language": label}) == 1.0


def test_language_label_values_stay_a_fixed_set(
    registry: CollectorRegistry, metrics: Metrics
) -> None:
    for code in ("fr", "de", "ja", "ko", "pt", "es", "ru", None):
        metrics.count_language(code)
    values = {
        sample.labels["language"]
        for family in registry.collect()
        if family.name == "article_worker_articles_by_language"
        for sample in family.samples
    }
    assert values == {*COMMON_LANGUAGES, "other"}


def test_state_is_one_for_the_current_state_only(
    registry: CollectorRegistry, metrics: Metrics
) -> None:
    def states() -> dict[str, float | None]:
        return {s: registry.get_sample_value("article_worker_state", {"state": s})
                for s in WORKER_STATES}

    assert states() == {"starting": 1.0, "running": 0.0, "draining": 0.0, "stopped": 0.0}
    metrics.state.state("running")
    assert states() == {"starting": 0.0, "running": 1.0, "draining": 0.0, "stopped": 0.0}
    metrics.state.state("draining")
    assert metrics.state.current == "draining"
    assert states()["draining"] == 1.0
    assert sum(v or 0.0 for v in states().values()) == 1.0


def test_unknown_state_is_rejected(metrics: Metrics) -> None:
    with pytest.raises(ValueError, match="unknown state 'paused'"):
        metrics.state.state("paused")


def test_time_stage_observes_seconds_under_the_stage(
    registry: CollectorRegistry, metrics: Metrics
) -> None:
    with metrics.time_stage("output"):
        pass
    labels = {"stage": "output"}
    assert registry.get_sample_value(
        "article_worker_stage_duration_seconds_count", labels) == 1.0
    total = registry.get_sample_value("article_worker_stage_duration_seconds_sum", labels)
    assert total is not None
    assert 0.0 <= total < 1.0  # seconds, not milliseconds


def test_time_stage_rejects_an_unknown_stage(metrics: Metrics) -> None:
    with pytest.raises(ValueError, match="unknown stage"), metrics.time_stage("parse"):
        pass


def test_message_duration_is_its_own_histogram(
    registry: CollectorRegistry, metrics: Metrics
) -> None:
    metrics.message_seconds.observe(0.02)
    assert registry.get_sample_value("article_worker_message_duration_seconds_count") == 1.0
    assert registry.get_sample_value(
        "article_worker_message_duration_seconds_bucket", {"le": "0.025"}) == 1.0
    assert registry.get_sample_value(
        "article_worker_message_duration_seconds_bucket", {"le": "0.01"}) == 0.0


def test_forget_partition_drops_lag_and_committed_offset(
    registry: CollectorRegistry, metrics: Metrics
) -> None:
    key = {"topic": "raw", "partition": "3"}
    metrics.lag.labels(**key).set(12)
    metrics.committed_offset.labels(**key).set(400)
    metrics.forget_partition("raw", 3)
    assert registry.get_sample_value("article_worker_consumer_lag_messages", key) is None
    assert registry.get_sample_value("article_worker_committed_offset", key) is None
    metrics.forget_partition("raw", 3)  # a partition without series: nothing to do
    metrics.forget_partition("raw", 99)


def test_process_metrics_are_on_the_passed_registry(
    registry: CollectorRegistry, metrics: Metrics
) -> None:
    python_info = [s for f in registry.collect() if f.name == "python_info" for s in f.samples]
    assert [s.labels["major"] for s in python_info] == [str(sys.version_info.major)]
    cpu = registry.get_sample_value("process_cpu_seconds_total")
    memory = registry.get_sample_value("process_resident_memory_bytes")
    assert cpu is not None
    assert cpu > 0.0
    assert memory is not None
    assert memory > 1_000_000.0


def test_two_instances_do_not_collide_or_touch_the_global_registry() -> None:
    first, second = CollectorRegistry(), CollectorRegistry()
    Metrics(first).consumed.labels(topic="raw").inc()
    Metrics(second)
    consumed = "article_worker_messages_consumed_total"
    assert first.get_sample_value(consumed, {"topic": "raw"}) == 1.0
    assert second.get_sample_value(consumed, {"topic": "raw"}) is None
    assert REGISTRY.get_sample_value("article_worker_build_info", {
        "version": __version__, "pipeline_version": PIPELINE_VERSION,
        "pipeline_build": "interpreted"}) is None


def test_names_units_and_labels_follow_the_conventions(
    registry: CollectorRegistry, metrics: Metrics
) -> None:
    metrics.prepare_topics("raw", ["clean"])
    metrics.lag.labels(topic="raw", partition="0").set(1)
    metrics.committed_offset.labels(topic="raw", partition="0").set(1)
    metrics.producer_errors.labels(error="KafkaTimeoutError").inc()
    metrics.producer_retries.labels(error="KafkaTimeoutError").inc()
    own = [f for f in registry.collect() if f.name.startswith("article_worker_")]
    assert len(own) >= 20
    for family in own:
        assert family.documentation, family.name
        if family.type == "counter":
            assert all(s.name.endswith(("_total", "_created")) for s in family.samples)
        if family.type == "histogram":
            assert family.name.endswith(("_seconds", "_bytes", "_messages")), family.name
        assert "milliseconds" not in family.name
        for sample in family.samples:
            assert set(sample.labels) <= ALLOWED_LABELS, (family.name, sample.labels)


def _samples(registry: CollectorRegistry, name: str) -> dict[tuple[str, str], float]:
    # `_created` is when the registry's histogram was made, not something observed.
    return {(s.name, s.labels.get("le", "")): s.value
            for family in registry.collect() if family.name == name for s in family.samples
            if not s.name.endswith("_created")}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_buffered_histogram_adds_up_to_the_same_buckets_as_observe(seed: int) -> None:
    rng = random.Random(seed)
    bounds = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
              1.0, 2.5, 5.0, 10.0)
    # Random values, every bound exactly, values past the last bound, zero and negatives.
    values = [rng.lognormvariate(-6, 2) for _ in range(3000)] + list(bounds) + [11.0, 0.0, -1.0]
    plain, buffered = CollectorRegistry(), CollectorRegistry()
    direct, indirect = Metrics(plain), Metrics(buffered)
    for value in values:
        direct.stage_seconds.labels(stage="clean").observe(value)
    buffer = indirect.buffered(indirect.stage_seconds.labels(stage="clean"))
    for i, value in enumerate(values):
        buffer.observe(value)
        if i % 500 == 0:
            indirect.flush()  # flushed now and then, as the loop does per batch
    assert buffered.get_sample_value(
        "article_worker_stage_duration_seconds_count", {"stage": "clean"}) != len(values)
    indirect.flush()
    name = "article_worker_stage_duration_seconds"
    want, got = _samples(plain, name), _samples(buffered, name)
    assert want.keys() == got.keys()
    for key, value in want.items():
        assert got[key] == pytest.approx(value, rel=1e-12), key


@pytest.mark.parametrize("seed", [1, 2])
def test_an_observer_fills_the_same_buckets_as_observe(seed: int) -> None:
    rng = random.Random(seed)
    bounds = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
              1.0, 2.5, 5.0, 10.0)
    values = [rng.lognormvariate(-6, 2) for _ in range(3000)] + list(bounds) + [
        11.0, 0.0, -1.0, float("nan"), float("inf")]
    plain, fast = CollectorRegistry(), CollectorRegistry()
    direct, indirect = Metrics(plain), Metrics(fast)
    observe = observer(indirect.stage_seconds.labels(stage="clean"))
    for value in values:
        direct.stage_seconds.labels(stage="clean").observe(value)
        observe(value)
    name = "article_worker_stage_duration_seconds"
    want, got = _samples(plain, name), _samples(fast, name)
    assert want.keys() == got.keys()
    for key, value in want.items():
        assert got[key] == pytest.approx(value, rel=1e-12, nan_ok=True), key


def test_an_observer_of_an_unknown_histogram_layout_calls_observe() -> None:
    seen: list[float] = []

    class Other:
        def observe(self, value: float) -> None:
            seen.append(value)

    observer(Other())(0.5)
    assert seen == [0.5]


def test_a_buffered_nan_is_observed_the_plain_way(metrics: Metrics,
                                                   registry: CollectorRegistry) -> None:
    buffer = metrics.buffered(metrics.message_seconds)
    buffer.observe(float("nan"))
    buffer.observe(0.02)
    metrics.flush()
    # As observe() does: a NaN lands in no bucket, and the sum becomes NaN.
    count = "article_worker_message_duration_seconds_count"
    assert registry.get_sample_value(count) == 1.0
    total = registry.get_sample_value("article_worker_message_duration_seconds_sum")
    assert total is not None
    assert math.isnan(total)
    metrics.flush()  # nothing left: nothing counted twice
    assert registry.get_sample_value(count) == 1.0
