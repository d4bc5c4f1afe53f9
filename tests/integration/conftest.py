"""Fixtures for tests against a real Kafka broker.

``kafka_bootstrap`` is the broker's address: ``KAFKA_BOOTSTRAP_SERVERS`` when set (e.g. after
``make kafka-up``), otherwise a 1-node cluster that this session starts through
``scripts/kafka.sh`` on free ports and stops at the end. Every test in this directory is
marked ``integration``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.kafka_cluster import KafkaCluster, TopicFactory

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test collected from this directory as ``integration``."""
    # A conftest hook sees the whole session's items, hence the path filter.
    for item in items:
        if _HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Bootstrap address of the session's broker (an external one or one started here)."""
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "").strip()
    if external:
        yield external
        return
    cluster = KafkaCluster(nodes=1, state_dir=tmp_path_factory.mktemp("kafka"))
    bootstrap = cluster.start()
    try:
        yield bootstrap
    finally:
        cluster.stop()


@pytest.fixture
def topic_factory(kafka_bootstrap: str, request: pytest.FixtureRequest) -> Iterator[TopicFactory]:
    """Call it to create a uniquely named topic for this test; all are deleted afterwards."""
    # The test name in the topic name tells whose topic it is in broker logs.
    safe = "".join(c if c.isalnum() else "-" for c in request.node.name)[:40].strip("-")
    factory = TopicFactory(kafka_bootstrap, prefix=f"t-{safe}")
    yield factory
    factory.delete_all()
