"""worker.server: /metrics, /healthz and /readyz over real HTTP on a loopback port."""

from __future__ import annotations

import http.client
from collections.abc import Iterable, Iterator
from typing import Any

import orjson
import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from worker.health import HealthState
from worker.metrics import Metrics
from worker.server import MetricsServer


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
def health() -> HealthState:
    return HealthState(stall_timeout_s=60.0)


@pytest.fixture
def server(registry: CollectorRegistry, health: HealthState) -> Iterator[MetricsServer]:
    srv = MetricsServer("127.0.0.1", 0, registry, health)
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


def request(server: MetricsServer, path: str, method: str = "GET") -> tuple[int, Any, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        conn.request(method, path)
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def test_metrics_serve_the_passed_registry_in_the_text_format(
    server: MetricsServer, registry: CollectorRegistry
) -> None:
    metrics = Metrics(registry)
    metrics.consumed.labels(topic="raw").inc(3)
    status, headers, body = request(server, "/metrics")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert headers["Cache-Control"] == "no-store"
    text = body.decode()
    assert 'article_worker_messages_consumed_total{topic="raw"} 3.0' in text
    assert "article_worker_build_info{" in text
    assert "process_resident_memory_bytes " in text


def test_healthz_answers_json_that_says_why(server: MetricsServer, health: HealthState) -> None:
    health.set_state("running")
    health.idle()
    status, headers, body = request(server, "/healthz")
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    doc = orjson.loads(body)
    assert doc["ok"] is True
    assert doc["reason"] == "idle: no records and no lag"
    assert doc["state"] == "running"
    assert doc["stall_timeout_s"] == 60.0


def test_healthz_is_503_for_a_stalled_loop(
    registry: CollectorRegistry,
) -> None:
    now = [0.0]
    health = HealthState(stall_timeout_s=10.0, clock=lambda: now[0])
    health.set_state("running")
    health.set_lag(5)
    now[0] = 11.0
    srv = MetricsServer("127.0.0.1", 0, registry, health)
    srv.start()
    try:
        status, _, body = request(srv, "/healthz")
    finally:
        srv.stop()
    assert status == 503
    doc = orjson.loads(body)
    assert doc["ok"] is False
    assert doc["reason"] == "no progress for 11 s while partitions have lag"
    assert doc["lag"] == 5


def test_readyz_is_503_until_connected_and_in_the_group(
    server: MetricsServer, health: HealthState
) -> None:
    status, _, body = request(server, "/readyz")
    assert status == 503
    assert orjson.loads(body) == {
        "ok": False, "reason": "not connected to the brokers",
        "connected": False, "member": False, "state": "starting",
    }
    health.set_state("running")
    health.set_connected(True)
    health.set_member(True)
    status, _, body = request(server, "/readyz")
    assert status == 200
    assert orjson.loads(body)["reason"] == "connected and in the group"


def test_query_strings_are_ignored(server: MetricsServer) -> None:
    status, _, _ = request(server, "/healthz?verbose=1")
    assert status == 200


def test_head_answers_without_a_body(server: MetricsServer) -> None:
    status, headers, body = request(server, "/readyz", method="HEAD")
    assert status == 503
    assert int(headers["Content-Length"]) > 0
    assert body == b""


def test_unknown_paths_are_404(server: MetricsServer) -> None:
    status, _, body = request(server, "/admin")
    assert (status, body) == (404, b"not found\n")


class _Broken(Collector):
    def collect(self) -> Iterable[Metric]:
        raise RuntimeError("collector failed")


def test_a_failing_collector_gives_500_and_the_server_keeps_serving(
    server: MetricsServer, registry: CollectorRegistry, caplog: pytest.LogCaptureFixture
) -> None:
    broken = _Broken()
    registry.register(broken)
    status, _, body = request(server, "/metrics")
    assert (status, body) == (500, b"internal error\n")
    assert any(getattr(r, "event", None) == "http_error" for r in caplog.records)
    registry.unregister(broken)
    status, _, _ = request(server, "/metrics")
    assert status == 200


def test_port_reports_the_bound_port(server: MetricsServer) -> None:
    assert server.port > 0
