"""The rules file: promtool check and unit tests, and what every alert must carry."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
import yaml

from tests.monitoring.tools import RULES, RULES_TEST

#: The alerts the issue asks for, by what they detect.
REQUIRED_ALERTS = {
    "ArticleWorkerNoProgress",  # no progress while lag > 0
    "ArticleWorkerLagGrowing",
    "ArticleWorkerEndToEndAgeHigh",
    "ArticleWorkerDeadLetterRatioHigh",
    "ArticleWorkerErrorRatioHigh",
    "ArticleWorkerAbsent",
    "ArticleWorkerFrequentRebalances",
    "ArticleWorkerCommitsFailing",
}


def load(path: Any) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def alerts() -> list[dict[str, Any]]:
    return [rule for group in load(RULES)["groups"] for rule in group["rules"]
            if "alert" in rule]


def run(promtool: str, *args: str) -> str:
    result = subprocess.run([promtool, *args], capture_output=True, text=True, check=False,
                            timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return output


def test_promtool_check_rules(promtool: str) -> None:
    output = run(promtool, "check", "rules", str(RULES))
    assert "SUCCESS" in output


def test_promtool_test_rules(promtool: str) -> None:
    output = run(promtool, "test", "rules", str(RULES_TEST))
    assert "SUCCESS" in output
    assert "FAILED" not in output


def test_the_file_is_a_plain_prometheus_rules_file() -> None:
    data = load(RULES)
    assert set(data) == {"groups"}
    names = [group["name"] for group in data["groups"]]
    assert len(names) == len(set(names))


def test_every_required_alert_exists() -> None:
    assert {rule["alert"] for rule in alerts()} >= REQUIRED_ALERTS


@pytest.mark.parametrize("rule", alerts(), ids=lambda rule: rule["alert"])
def test_every_alert_has_severity_summary_description_and_runbook(rule: dict[str, Any]) -> None:
    assert rule["labels"]["severity"] in {"warning", "critical"}
    annotations = rule["annotations"]
    assert set(annotations) >= {"summary", "description", "runbook"}
    for key in ("summary", "description", "runbook"):
        assert len(annotations[key].strip()) > 20, key
    assert rule.get("for"), "every alert waits before firing: no page for a blip"


def test_every_alert_has_a_firing_and_a_quiet_case() -> None:
    fires: set[str] = set()
    quiet: set[str] = set()
    for case in load(RULES_TEST)["tests"]:
        for check in case.get("alert_rule_test", []):
            (fires if check.get("exp_alerts") else quiet).add(check["alertname"])
    names = {rule["alert"] for rule in alerts()}
    assert names - fires == set(), "alerts without a case where they fire"
    assert names - quiet == set(), "alerts without a case where they stay quiet"


def test_recording_rules_follow_the_level_metric_operation_naming() -> None:
    records = [rule["record"] for group in load(RULES)["groups"] for rule in group["rules"]
               if "record" in rule]
    assert records
    for name in records:
        level, metric, operation = name.split(":")
        assert level == "job"
        assert metric.startswith("article_worker_")
        assert operation
