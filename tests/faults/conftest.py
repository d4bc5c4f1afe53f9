"""Fixtures of the fault suite: real clusters (3 nodes, and 1 node for the full outage) and
the table printed at the end of the session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.harness import RESULTS, format_table, machine
from tests.support.kafka_cluster import KafkaCluster


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker here too, so the suite runs on its own with --strict-markers."""
    config.addinivalue_line(
        "markers", "faults: full-size fault-injection scenarios (make test-faults)")


@pytest.fixture(scope="session")
def cluster3() -> Iterator[KafkaCluster]:
    """Three combined-mode nodes; topics get RF 3 and min.insync.replicas=2."""
    # Three JVMs starting at once on a 2-core machine can take longer than the default.
    with KafkaCluster(3, start_timeout_s=150) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def cluster1() -> Iterator[KafkaCluster]:
    """One node, so that restarting it is a full outage."""
    # Three JVMs starting at once on a 2-core machine can take longer than the default.
    with KafkaCluster(1, start_timeout_s=150) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where worker logs go (kept by pytest's tmp dir retention for post-mortems)."""
    return tmp_path_factory.mktemp("worker-logs")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the fault table (and write it to $FAULTS_TABLE_FILE when set)."""
    if not RESULTS:
        return
    text = f"Machine: {machine()}\n\n{format_table(RESULTS)}\n"
    terminalreporter.section("fault-injection results")
    terminalreporter.write(text)
    target = os.environ.get("FAULTS_TABLE_FILE")
    if target:
        Path(target).write_text(text, encoding="utf-8")
