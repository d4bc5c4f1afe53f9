"""Real components end to end: broker → worker → a real Prometheus server scraping it.

A Prometheus server (Debian package `prometheus`, loopback only, 1 s scrapes, the chart's
rules file loaded) scrapes a worker that processes the example payloads through the real
broker. The assertions are on values queried from Prometheus: consumed equals published
plus dead-lettered, the lag comes back to 0, every dashboard query parses and returns
series, and every rule evaluates without error. The worker's own answers (/healthz,
/readyz, /metrics through promtool) and its JSON log events are checked on the way.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from tests.integration.kafka_io import REPO, Topics, end_offsets, make_topics, produce
from tests.monitoring.tools import DASHBOARD, RULES, require_tool

pytestmark = pytest.mark.integration

JOB = "article-worker"
NAMESPACE = "integration"  # a target label, as a Kubernetes scrape would add it
SELECTOR = f'job="{JOB}"'
#: Grafana's built-in variables and the dashboard's own, as a user would have them set.
DASHBOARD_VARIABLES = {
    "$__rate_interval": "1m", "$__range": "5m", "$job": JOB, "$namespace": NAMESPACE,
}
DEADLINE_S = 40.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def example_payloads() -> list[tuple[bytes, bytes]]:
    """(key, value) of every example payload, published the way scripts/demo.py does."""
    examples = REPO / "examples"
    out: list[tuple[bytes, bytes]] = []
    for path in sorted(examples.glob("*.json")):
        out.append((path.name.encode(), orjson.dumps(orjson.loads(path.read_bytes()))))
    for path in sorted(examples.glob("*.jsonl")):
        for i, line in enumerate(path.read_bytes().splitlines(), 1):
            out.append((f"{path.name}:{i}".encode(), line))
    for path in sorted((examples / "broken").glob("*.bin")):
        out.append((f"broken/{path.name}".encode(), path.read_bytes()))
    return out


def http_get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_for(what: str, check: Callable[[], bool], timeout_s: float = DEADLINE_S) -> None:
    """Poll `check` until true; fail with `what` after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (OSError, http.client.HTTPException):
            pass  # not listening yet
        time.sleep(0.25)
    pytest.fail(f"timed out after {timeout_s:.0f} s waiting for {what}")


@dataclass
class Prometheus:
    """A running Prometheus server and its HTTP API."""

    port: int
    process: subprocess.Popen[bytes]

    def api(self, path: str, **params: str) -> Any:
        query = urllib.parse.urlencode(params)
        status, body = http_get(self.port, f"/api/v1/{path}?{query}")
        doc = json.loads(body)
        assert status == 200, doc
        assert doc["status"] == "success", doc
        return doc["data"]

    def query(self, promql: str) -> list[dict[str, Any]]:
        data = self.api("query", query=promql)
        assert data["resultType"] == "vector", data
        result: list[dict[str, Any]] = data["result"]
        return result

    def scalar(self, promql: str) -> float | None:
        """The value of a query that yields one series, or None when it yields none."""
        result = self.query(promql)
        assert len(result) <= 1, result
        return float(result[0]["value"][1]) if result else None


@pytest.fixture
def prometheus_for(tmp_path: Path) -> Iterator[Callable[[int], Prometheus]]:
    """Starts a Prometheus server that scrapes the given worker port every second."""
    binary = require_tool("prometheus")
    started: list[subprocess.Popen[bytes]] = []

    def start(target_port: int) -> Prometheus:
        port = free_port()
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(RULES)],
            "scrape_configs": [{
                "job_name": JOB,
                "static_configs": [{"targets": [f"127.0.0.1:{target_port}"],
                                    "labels": {"namespace": NAMESPACE}}],
            }],
        }
        config_path = tmp_path / "prometheus.yml"
        config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
        with (tmp_path / "prometheus.log").open("wb") as log:  # the child keeps its own fd
            process = subprocess.Popen(
                [binary, f"--config.file={config_path}",
                 f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                 f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
                stdout=log, stderr=subprocess.STDOUT,
            )
        started.append(process)
        server = Prometheus(port, process)

        def ready() -> bool:
            assert process.poll() is None, (tmp_path / "prometheus.log").read_text()
            return http_get(port, "/-/ready")[0] == 200

        wait_for("Prometheus to be ready", ready)
        return server

    try:
        yield start
    finally:
        for process in started:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass
class Worker:
    """The worker subprocess, its metrics port and its log file."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def events(self) -> list[dict[str, Any]]:
        return [orjson.loads(line) for line in self.log.read_bytes().splitlines()
                if line.startswith(b"{")]


@pytest.fixture
def worker_for(tmp_path: Path) -> Iterator[Callable[[str, Topics, int], Worker]]:
    """Starts `python -m worker run` on a metrics port, without --stop-when-idle."""
    started: list[subprocess.Popen[bytes]] = []

    def start(bootstrap: str, topics: Topics, port: int) -> Worker:
        log_path = tmp_path / "worker.log"
        env = {key: value for key, value in os.environ.items()
               if not key.startswith("ARTICLE_WORKER__")}
        env.update(ARTICLE_WORKER__METRICS__HOST="127.0.0.1",  # loopback only
                   ARTICLE_WORKER__LOGGING__FORMAT="json", ARTICLE_WORKER__LOGGING__LEVEL="INFO")
        with log_path.open("wb") as log:  # the child keeps its own fd
            process = subprocess.Popen(
                [sys.executable, "-m", "worker", "run", "--bootstrap-servers", bootstrap,
                 "--metrics-port", str(port), *topics.args()],
                cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=log,
            )
        started.append(process)
        return Worker(process, port, log_path)

    try:
        yield start
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
                process.wait()


def dashboard_queries() -> list[tuple[str, str]]:
    """(panel title, query with the variables filled in) of every dashboard target."""
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    out = []
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            expr = target["expr"]
            # Longest names first: `$__rate_interval` before any shorter `$...` prefix.
            for name in sorted(DASHBOARD_VARIABLES, key=len, reverse=True):
                expr = expr.replace(name, DASHBOARD_VARIABLES[name])
            assert "$" not in expr, f"unknown variable left in {target['expr']}"
            out.append((panel["title"], expr))
    return out


def test_prometheus_scrapes_a_worker_processing_the_examples(
    kafka_bootstrap: str,
    prometheus_for: Callable[[int], Prometheus],
    worker_for: Callable[[str, Topics, int], Worker],
) -> None:
    topics = make_topics(kafka_bootstrap, partitions=2)
    payloads = example_payloads()
    sent = len(payloads)
    body_text = "Kim Jong-un"  # in the VIVA example's body: payloads never reach the logs

    port = free_port()
    prom = prometheus_for(port)
    worker = worker_for(kafka_bootstrap, topics, port)

    def worker_alive() -> None:
        assert worker.process.poll() is None, worker.log.read_text()

    # -- the worker's own endpoints while it runs -------------------------------------------
    def ready() -> bool:
        worker_alive()
        return http_get(worker.port, "/readyz")[0] == 200

    wait_for("the worker to be ready (connected and in the group)", ready)
    status, body = http_get(worker.port, "/readyz")
    assert orjson.loads(body) == {"ok": True, "reason": "connected and in the group",
                                  "connected": True, "member": True, "state": "running"}
    # Publish only once Prometheus has scraped the idle worker twice: then every rate and
    # quantile below sees the counters rise instead of starting at their final values.
    wait_for("two scrapes of the running worker", lambda: (prom.scalar(
        f'count_over_time(article_worker_state{{{SELECTOR},state="running"}}[1m])') or 0) >= 2)
    produce(kafka_bootstrap, topics.raw, payloads)

    # -- Prometheus sees every message consumed, and the lag back at 0 ----------------------
    consumed_q = f"sum(article_worker_messages_consumed_total{{{SELECTOR}}})"
    published_q = f"sum(article_worker_articles_published_total{{{SELECTOR}}})"
    dead_q = f"sum(article_worker_dead_letters_total{{{SELECTOR}}})"
    lag_q = f"sum(article_worker_consumer_lag_messages{{{SELECTOR}}})"

    def all_consumed_and_caught_up() -> bool:
        worker_alive()
        return prom.scalar(consumed_q) == sent and prom.scalar(lag_q) == 0.0

    wait_for(f"Prometheus to see {sent} consumed and lag 0", all_consumed_and_caught_up)
    # Acknowledgements are counted just after consumption (same batch): give them a scrape.
    wait_for("published + dead letters to add up",
             lambda: (prom.scalar(published_q) or 0) + (prom.scalar(dead_q) or 0) == sent,
             timeout_s=10)

    # Lag back to 0: one series per assigned partition, each at 0.
    lags = {
        int(series["metric"]["partition"]): float(series["value"][1])
        for series in prom.query(
            f'article_worker_consumer_lag_messages{{{SELECTOR},topic="{topics.raw}"}}')
    }
    assert lags == {0: 0.0, 1: 0.0}
    peak = prom.scalar(
        f"max(max_over_time(article_worker_consumer_lag_messages{{{SELECTOR}}}[5m]))")
    print(f"prometheus: lag per partition {lags}, highest lag seen {peak}")

    consumed = prom.scalar(consumed_q)
    published = prom.scalar(published_q)
    dead = prom.scalar(dead_q)
    print(f"prometheus: consumed={consumed} published={published} dead_letters={dead} "
          f"lag={prom.scalar(lag_q)} (sent {sent})")
    assert consumed == sent
    assert published is not None
    assert dead is not None
    assert published + dead == consumed
    assert published >= 1
    assert dead >= 1  # the examples include broken payloads

    # The topics agree with Prometheus.
    assert sum(end_offsets(kafka_bootstrap, topics.clean).values()) == published
    assert sum(end_offsets(kafka_bootstrap, topics.dlq).values()) == dead
    # Committed offsets per partition equal the input's end offsets: everything committed.
    committed = {
        int(series["metric"]["partition"]): float(series["value"][1])
        for series in prom.query(
            f'article_worker_committed_offset{{{SELECTOR},topic="{topics.raw}"}}')
    }
    ends = end_offsets(kafka_bootstrap, topics.raw)
    assert committed == {p: float(off) for p, off in ends.items() if off > 0}
    print(f"prometheus: committed offsets {committed}, end offsets {ends}")

    # Every acknowledged output has its end-to-end age observed; every message its duration.
    assert prom.scalar(
        f"sum(article_worker_end_to_end_age_seconds_count{{{SELECTOR}}})") == sent
    assert prom.scalar(
        f"sum(article_worker_message_duration_seconds_count{{{SELECTOR}}})") == sent
    assert prom.scalar(f'article_worker_state{{{SELECTOR},state="running"}}') == 1.0
    assert prom.scalar(f"article_worker_assigned_partitions{{{SELECTOR}}}") == 2.0
    build = prom.query(f"article_worker_build_info{{{SELECTOR}}}")
    assert [set(b["metric"]) >= {"version", "pipeline_version"} for b in build] == [True]

    # -- every dashboard query parses and returns series ------------------------------------
    queries = dashboard_queries()

    def without_data() -> list[str]:
        # A query that does not parse fails inside `api` with Prometheus's message.
        return [expr for _, expr in queries if not prom.query(expr)]

    wait_for("every dashboard query to return series", lambda: not without_data(),
             timeout_s=10)
    assert without_data() == []
    # The headline ones have real numbers, not NaN from an empty rate window.
    for title, expr in queries:
        if title.startswith(("End-to-end age", "Throughput", "CPU", "Memory")):
            values = [float(series["value"][1]) for series in prom.query(expr)]
            assert all(math.isfinite(v) for v in values), (title, expr, values)
    jobs = prom.api("label/job/values", **{"match[]": "article_worker_build_info"})
    assert jobs == [JOB]
    print(f"prometheus: all {len(queries)} dashboard queries returned series")

    # -- the rules file loaded and evaluates without error -----------------------------------
    def rules_evaluated() -> bool:
        groups = prom.api("rules")["groups"]
        rules = [rule for group in groups for rule in group["rules"]]
        return bool(rules) and all(rule.get("lastEvaluation", "").startswith("20")
                                   for rule in rules)

    wait_for("every rule to be evaluated", rules_evaluated, timeout_s=10)
    rules = [rule for group in prom.api("rules")["groups"] for rule in group["rules"]]
    assert [(r["name"], r["health"], r.get("lastError")) for r in rules
            if r["health"] != "ok"] == []
    assert prom.scalar(
        f'job:article_worker_messages_consumed:rate5m{{{SELECTOR}}}') is not None
    # The examples are 5 broken payloads out of 11 on purpose, far above the 10% dead-letter
    # threshold: that alert must be on its way (pending for its `for:`), and nothing else.
    def alerts() -> dict[str, str]:
        return {a["labels"]["alertname"]: a["state"] for a in prom.api("alerts")["alerts"]}

    assert dead / sent > 0.1
    expected_alerts = {"ArticleWorkerDeadLetterRatioHigh": "pending"}
    wait_for(f"alerts {expected_alerts}", lambda: alerts() == expected_alerts, timeout_s=10)
    print(f"prometheus: alerts {alerts()}")

    # -- the live /metrics answer passes promtool ------------------------------------------
    status, exposition = http_get(worker.port, "/metrics")
    assert status == 200
    lint = subprocess.run([require_tool("promtool"), "check", "metrics"], input=exposition,
                          capture_output=True, check=False, timeout=30)
    assert (lint.returncode, lint.stdout + lint.stderr) == (0, b"")

    # -- SIGTERM drains and stops; the log tells the story without payload bodies -----------
    status, body = http_get(worker.port, "/healthz")
    assert status == 200
    assert orjson.loads(body)["ok"] is True
    worker.process.send_signal(signal.SIGTERM)
    assert worker.process.wait(timeout=30) == 0, worker.log.read_text()

    events = worker.events()
    kinds = Counter(e.get("event") for e in events)
    for event in ("start", "assignment", "signal", "drain", "stop"):
        assert kinds[event] >= 1, (event, kinds)
    dead_letters = [e for e in events if e.get("event") == "dead_letter"]
    assert len(dead_letters) == dead
    for entry in dead_letters:
        assert entry["topic"] == topics.raw
        assert {"partition", "offset", "reason"} <= set(entry)
    assert body_text not in worker.log.read_text(encoding="utf-8", errors="replace")
