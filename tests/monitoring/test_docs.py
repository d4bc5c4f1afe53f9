"""docs/metrics.md documents every metric, alert and recording rule that exists."""

from __future__ import annotations

import re

import yaml
from prometheus_client import CollectorRegistry

from tests.monitoring.tools import REPO, RULES, created_series_disabled, exercise
from worker.metrics import Metrics

DOC = (REPO / "docs" / "metrics.md").read_text(encoding="utf-8")


def documented_metrics() -> set[str]:
    """Metric names in the first column of the metrics table."""
    return set(re.findall(r"^\| `(article_worker_[a-z_]+)` \|", DOC, re.MULTILINE))


def test_every_worker_metric_is_documented_and_nothing_else() -> None:
    with created_series_disabled():
        registry = CollectorRegistry()
        exercise(Metrics(registry))
        families = list(registry.collect())
    exposed = set()
    for family in families:
        if not family.name.startswith("article_worker_"):
            continue
        suffix = {"counter": "_total", "info": "_info"}.get(family.type, "")
        exposed.add(family.name + suffix)
    assert documented_metrics() == exposed


def test_every_alert_and_recording_rule_is_documented() -> None:
    with RULES.open(encoding="utf-8") as handle:
        rules = yaml.safe_load(handle)
    for group in rules["groups"]:
        for rule in group["rules"]:
            name = rule.get("alert") or rule["record"]
            if "record" in rule and name.endswith(":p99_5m"):
                name = ":p99_5m"  # written as "`...:p50_5m` and `:p99_5m`"
            assert f"`{name}`" in DOC, name
