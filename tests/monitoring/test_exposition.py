"""`promtool check metrics` on the worker's real /metrics answer, every metric populated."""

from __future__ import annotations

import http.client
import re
import subprocess
from collections.abc import Iterator

import pytest
from prometheus_client import CollectorRegistry

from tests.monitoring.tools import created_series_disabled, exercise
from worker.health import HealthState
from worker.metrics import Metrics
from worker.server import MetricsServer


@pytest.fixture
def no_created_series() -> Iterator[None]:
    # The lint must see what production serves.
    with created_series_disabled():
        yield


@pytest.fixture
def exposition(no_created_series: None) -> bytes:
    registry = CollectorRegistry()
    exercise(Metrics(registry))
    server = MetricsServer("127.0.0.1", 0, registry, HealthState(stall_timeout_s=60.0))
    server.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        conn.request("GET", "/metrics")
        response = conn.getresponse()
        assert response.status == 200
        body = response.read()
        conn.close()
    finally:
        server.stop()
    return body


def test_promtool_check_metrics_finds_nothing(promtool: str, exposition: bytes) -> None:
    result = subprocess.run([promtool, "check", "metrics"], input=exposition,
                            capture_output=True, check=False, timeout=30)
    findings = (result.stdout + result.stderr).decode()
    assert result.returncode == 0, findings
    assert findings.strip() == ""


def test_every_worker_metric_is_exposed_with_help_and_type(exposition: bytes) -> None:
    text = exposition.decode()
    families = dict(re.findall(r"^# TYPE (\S+) (\S+)$", text, re.MULTILINE))
    helps = set(re.findall(r"^# HELP (\S+) \S", text, re.MULTILINE))
    expected = {
        "article_worker_messages_consumed_total": "counter",
        "article_worker_articles_published_total": "counter",
        "article_worker_dead_letters_total": "counter",
        "article_worker_duplicates_total": "counter",
        "article_worker_stage_duration_seconds": "histogram",
        "article_worker_message_duration_seconds": "histogram",
        "article_worker_end_to_end_age_seconds": "histogram",
        "article_worker_batch_size_messages": "histogram",
        "article_worker_payload_size_bytes": "histogram",
        "article_worker_consumer_lag_messages": "gauge",
        "article_worker_committed_offset": "gauge",
        "article_worker_commits_total": "counter",
        "article_worker_last_commit_timestamp_seconds": "gauge",
        "article_worker_rebalances_total": "counter",
        "article_worker_producer_errors_total": "counter",
        "article_worker_producer_retries_total": "counter",
        "article_worker_articles_by_language_total": "counter",
        "article_worker_assigned_partitions": "gauge",
        "article_worker_state": "gauge",
        "article_worker_build_info": "gauge",
        "process_cpu_seconds_total": "counter",
        "process_resident_memory_bytes": "gauge",
    }
    # The text format names counter families without `_total` in # TYPE lines.
    got = {name: families.get(name.removesuffix("_total"), families.get(name))
           for name in expected}
    assert got == expected
    own = {name for name in families if name.startswith("article_worker_")}
    assert own <= helps
    assert "_created" not in text
