"""The Grafana dashboard, statically: portable, complete, and asking only for real series.

tests/integration/test_prometheus.py runs every query against a real Prometheus server.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml
from prometheus_client import CollectorRegistry, generate_latest

from tests.monitoring.tools import DASHBOARD, RULES, created_series_disabled, exercise
from worker.metrics import Metrics

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
_METRIC = re.compile(r"\b(?:article_worker_|process_|python_|job:)[a-zA-Z0-9_:]*")
_SELECTOR = re.compile(r"(\b[a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}")

#: What the issue asks the dashboard to show: (title, a metric its queries must use).
REQUIRED_PANELS = [
    ("Throughput in and out", "article_worker_messages_consumed_total"),
    ("Throughput in and out", "article_worker_articles_published_total"),
    ("Consumer lag by partition", "article_worker_consumer_lag_messages"),
    ("End-to-end age p50 / p99", "article_worker_end_to_end_age_seconds_bucket"),
    ("Stage latency p99", "article_worker_stage_duration_seconds_bucket"),
    ("Dead letters by reason", "article_worker_dead_letters_total"),
    ("Language mix", "article_worker_articles_by_language_total"),
    ("Rebalances", "article_worker_rebalances_total"),
    ("CPU", "process_cpu_seconds_total"),
    ("Memory", "process_resident_memory_bytes"),
]


def dashboard() -> dict[str, Any]:
    with DASHBOARD.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def panels() -> list[dict[str, Any]]:
    return list(dashboard()["panels"])


def exprs() -> list[str]:
    return [target["expr"] for panel in panels() for target in panel["targets"]]


def exposed_names() -> set[str]:
    with created_series_disabled():
        registry = CollectorRegistry()
        exercise(Metrics(registry))
        text = generate_latest(registry).decode()
    names = {line.split("{")[0].split(" ")[0] for line in text.splitlines()
             if line and not line.startswith("#")}
    with RULES.open(encoding="utf-8") as handle:
        rules = yaml.safe_load(handle)
    names |= {rule["record"] for group in rules["groups"] for rule in group["rules"]
              if "record" in rule}
    return names


def test_portable_for_import_and_provisioning() -> None:
    data = dashboard()
    assert data["uid"] == "article-worker"
    assert "__inputs" not in data
    assert "__requires" not in data
    assert data.get("id") is None
    variables = {v["name"]: v for v in data["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    for name in ("job", "namespace"):
        assert variables[name]["datasource"] == DATASOURCE
        assert variables[name]["includeAll"] is True


def test_every_panel_and_query_uses_the_datasource_variable() -> None:
    for panel in panels():
        assert panel["datasource"] == DATASOURCE, panel["title"]
        for target in panel["targets"]:
            assert target["datasource"] == DATASOURCE, panel["title"]


def test_panel_ids_are_unique_and_the_grid_does_not_overlap() -> None:
    ids = [panel["id"] for panel in panels()]
    assert len(ids) == len(set(ids))
    taken: set[tuple[int, int]] = set()
    for panel in panels():
        pos = panel["gridPos"]
        assert pos["x"] + pos["w"] <= 24, panel["title"]
        cells = {(x, y) for x in range(pos["x"], pos["x"] + pos["w"])
                 for y in range(pos["y"], pos["y"] + pos["h"])}
        assert not cells & taken, f"{panel['title']} overlaps another panel"
        taken |= cells


@pytest.mark.parametrize(("title", "metric"), REQUIRED_PANELS)
def test_required_panel_is_there(title: str, metric: str) -> None:
    matching = [p for p in panels() if p["title"] == title]
    assert matching, f"no panel titled {title!r}"
    assert any(metric in t["expr"] for p in matching for t in p["targets"])


@pytest.mark.parametrize("expr", exprs())
def test_every_query_names_exposed_metrics_only(expr: str) -> None:
    names = set(_METRIC.findall(expr))
    assert names, expr
    assert names <= exposed_names(), names - exposed_names()


@pytest.mark.parametrize("expr", exprs())
def test_every_selector_filters_on_the_job_and_namespace_variables(expr: str) -> None:
    selectors = _SELECTOR.findall(expr)
    assert selectors, expr
    for _, matchers in selectors:
        assert 'job=~"$job"' in matchers, expr
        assert 'namespace=~"$namespace"' in matchers, expr


def test_rule_expressions_name_exposed_metrics_only() -> None:
    with RULES.open(encoding="utf-8") as handle:
        rules = yaml.safe_load(handle)
    known = exposed_names()
    for group in rules["groups"]:
        for rule in group["rules"]:
            names = set(_METRIC.findall(rule["expr"]))
            assert names <= known, (rule.get("alert") or rule.get("record"), names - known)
