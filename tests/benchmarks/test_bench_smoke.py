"""Smoke tests of the benchmark harness: every code path on tiny sizes, no timing asserted.

They check that the harness still runs against the current worker and writes well-formed
results with the keys the README table and the issue rely on, so it cannot rot unnoticed.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from benchmarks import e2e
from benchmarks.common import REPO, percentile, replicate, text_sources
from benchmarks.pipeline import run_pipeline
from benchmarks.report import evaluate_targets, render_markdown

REQUIRED = (
    ("pipeline_text", "articles_per_s"),
    ("pipeline_html", "articles_per_s"),
    ("e2e_text", "articles_per_s"),
    ("passthrough", "messages_per_s"),
    ("e2e_text", "age_p99_s"),
    ("e2e_text", "peak_rss_bytes"),
    ("scaling", "two_vs_one"),
)


def _at(doc: dict[str, Any], *path: str) -> Any:
    cur: Any = doc
    for key in path:
        assert isinstance(cur, dict), f"not an object above {'.'.join(path)}"
        assert key in cur, f"missing {'.'.join(path)}"
        cur = cur[key]
    return cur


def _bench(out_dir: Path, *args: str, timeout: float) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--out-dir", str(out_dir), *args],
        cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith("ARTICLE_WORKER__")},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (out_dir / "latest.md").read_text().startswith("Benchmark run ")
    doc: dict[str, Any] = orjson.loads((out_dir / "latest.json").read_bytes())
    return doc


def test_payloads_are_distinct_and_valid_json() -> None:
    values = list(replicate(text_sources(), 60, "t"))
    docs = [orjson.loads(v) for v in values]
    assert len({d["id"] for d in docs}) == 60
    assert len({d["text"] for d in docs}) == 60
    assert all(d["url"] for d in docs)


def test_percentile_interpolates() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([5.0], 99) == 5.0
    assert math.isnan(percentile([], 50))


@pytest.mark.parametrize("kind", ["text", "html"])
def test_pipeline_run_is_well_formed(kind: str) -> None:
    result = run_pipeline(kind, 3, warmup=1)
    assert result["payloads"] == 3
    assert sum(result["outcomes"].values()) == 3
    assert result["articles_per_s"] > 0
    assert result["peak_rss_bytes"] > 0
    assert {"clean", "enrich", "output"} <= set(result["stages_mean_ms"])
    if kind == "html":
        assert "html" in result["stages_mean_ms"]
    assert result["latency_ms"]["p50"] <= result["latency_ms"]["p99"]


def test_report_handles_missing_and_failed_phases() -> None:
    results: dict[str, Any] = {
        "generated_at": "2026-01-01T00:00:00+00:00", "machine": {"nproc": 2},
        "settings": {}, "load": {"start": [0.1, 0.2, 0.3]},
        "pipeline_text": {"payloads": 10, "articles_per_s": 1200.0, "cpu_s": 0.01,
                          "latency_ms": {"p50": 0.8, "p99": 2.0},
                          "peak_rss_bytes": 90_000_000, "stages_mean_ms": {"clean": 0.2}},
        "e2e_text": {"error": "RuntimeError: broker went away"},
        "passthrough": None, "exactly_once": {"status": "not measured: no transactions"},
        "scaling": {"one": None, "two": None, "two_vs_one": None},
        "rate_limited": None,
    }
    results["targets"] = evaluate_targets(results)
    assert results["targets"]["pipeline_single_core"]["met"] is True
    assert results["targets"]["e2e_single_core"]["met"] is None
    table = render_markdown(results)
    assert "broker went away" in table
    assert "not measured" in table


def test_offline_run_writes_json_and_markdown(tmp_path: Path) -> None:
    doc = _bench(tmp_path, "--no-broker", "--text-count", "4", "--html-count", "2",
                 timeout=240)
    assert _at(doc, "pipeline_text", "articles_per_s") > 0
    assert _at(doc, "pipeline_html", "articles_per_s") > 0
    assert doc["targets"]["pipeline_single_core"]["met"] in (True, False)


@pytest.fixture(scope="module")
def bootstrap() -> Iterator[str]:
    """A broker: KAFKA_BOOTSTRAP_SERVERS when set, else one started here on a free port."""
    given = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if given:
        yield given
        return
    # No skipping: a missing broker is a failure that says how to fix it.
    assert shutil.which("java") is not None, "no java on PATH: the smoke test needs a broker"
    assert (REPO / ".kafka" / "lib").is_dir(), "no broker jars: run `make kafka-fetch`"
    port = e2e.free_base_port(start=51093)
    broker = e2e.Broker(port, Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-smoke-{port}")
    try:
        yield broker.up()
    finally:
        broker.down()


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.timeout(900)
def test_broker_phases_are_well_formed(bootstrap: str, tmp_path: Path) -> None:
    doc = _bench(tmp_path, "--bootstrap", bootstrap, "--text-count", "4", "--html-count", "2",
                 "--e2e-count", "40", "--rate-seconds", "0.2", timeout=840)
    assert doc.get("broker_error") is None
    for path in REQUIRED:
        assert _at(doc, *path) is not None, path
    for key in ("e2e_text", "scaling"):
        assert "error" not in (doc[key] or {}), doc[key]
    e2e_text = doc["e2e_text"]
    assert e2e_text["output_records"] == 40
    assert e2e_text["output_distinct_sources"] == 40
    assert e2e_text["exit_codes"] == [0]
    assert doc["passthrough"]["output_records"] == 40
    assert doc["scaling"]["two"]["processes"] == 2
    assert doc["exactly_once"]["status"]
    assert doc["rate_limited"]["500"]["output_records"] >= 1
