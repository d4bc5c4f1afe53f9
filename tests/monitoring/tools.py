"""Helpers for the monitoring tests: the Prometheus tools, the monitoring files, sample data.

A missing tool fails the test with the install command: these tests never skip.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import prometheus_client
import pytest

from worker.metrics import STAGES, Metrics

REPO = Path(__file__).resolve().parents[2]
FILES = REPO / "helm" / "article-worker" / "files"
RULES = FILES / "article-worker.rules.yaml"
DASHBOARD = FILES / "article-worker.json"
RULES_TEST = Path(__file__).resolve().parent / "rules_test.yaml"

_INSTALL = (
    "install it with scripts/install-tools.sh (or `apt-get install -y "
    "--no-install-recommends prometheus`, the Debian package that ships promtool and the server)"
)


def require_tool(name: str) -> str:
    """The path of `name` on PATH or in <repo>/.tools/bin; fails the test when it is missing."""
    found = shutil.which(name) or shutil.which(name, path=str(REPO / ".tools" / "bin"))
    if found is None:
        pytest.fail(f"{name} not found on PATH or in .tools/bin: {_INSTALL}", pytrace=False)
    return found


def exercise(metrics: Metrics) -> None:
    """Give every metric at least one sample, as a worker that ran for a while has."""
    metrics.state.state("running")
    metrics.prepare_topics("articles.raw", ["articles.clean"])
    metrics.consumed.labels(topic="articles.raw").inc(3)
    metrics.published.labels(topic="articles.clean").inc(2)
    metrics.dead_letters.labels(reason="invalid_json").inc()
    metrics.duplicates.labels(kind="exact", action="publish").inc()
    for stage in STAGES:
        metrics.stage_seconds.labels(stage=stage).observe(0.003)
    metrics.message_seconds.observe(0.012)
    metrics.e2e_age_seconds.observe(1.5)
    metrics.batch_size.observe(3)
    metrics.payload_bytes.observe(5120)
    for partition in ("0", "1"):
        metrics.lag.labels(topic="articles.raw", partition=partition).set(0)
        metrics.committed_offset.labels(topic="articles.raw", partition=partition).set(42)
    metrics.commits.labels(result="success").inc()
    metrics.last_commit.set(1_767_225_600.0)
    metrics.rebalances.labels(kind="assigned").inc()
    metrics.producer_errors.labels(error="KafkaTimeoutError").inc()
    metrics.producer_retries.labels(error="KafkaTimeoutError").inc()
    metrics.count_language("id")
    metrics.assigned_partitions.set(2)


@contextlib.contextmanager
def created_series_disabled() -> Iterator[None]:
    """Without `*_created` series, as the worker serves them (cli._run disables them).

    The switch is global in prometheus_client, so it is put back afterwards.
    """
    prometheus_client.disable_created_metrics()  # type: ignore[no-untyped-call] # untyped lib
    try:
        yield
    finally:
        prometheus_client.enable_created_metrics()  # type: ignore[no-untyped-call] # untyped lib
