"""The local Kafka tooling itself: scripts/kafka.sh, KafkaCluster and the session fixture.

These run real brokers (no mocks): the session broker, one extra 1-node cluster for the
script's up/down contract, and a 3-node cluster for the kill-a-node scenario.
"""

from __future__ import annotations

import gc
import logging
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import ConfigResource, ConfigResourceType

from tests.support.kafka_cluster import (
    KAFKA_SH,
    KafkaCluster,
    TopicFactory,
    cluster_ports,
    port_accepts_connections,
)


def _wait_for(what: str, check: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(0.5)


def _process_alive(pid: int) -> bool:
    """Whether pid is a live process (a zombie awaiting its reaper counts as dead)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # The state letter follows the parenthesised command name, which may contain spaces.
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _brokers_using(state_dir: Path) -> list[int]:
    """Pids of every live broker process whose config lives under state_dir."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if b"kafka.Kafka" in cmdline and str(state_dir).encode() in cmdline:
            pids.append(int(proc.name))
    return pids


def _consume(bootstrap: str, topic: str, expected: int, timeout_s: float = 30.0) -> list[Any]:
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"g-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=1000,
    )
    records: list[Any] = []
    deadline = time.monotonic() + timeout_s
    try:
        # consumer_timeout_ms only ends one idle stretch; keep polling until all arrived, so
        # a slow first group join does not look like a missing message.
        while len(records) < expected and time.monotonic() < deadline:
            records.extend(consumer)
    finally:
        consumer.close()
    return records


def test_session_broker_reads_back_what_was_produced(
    kafka_bootstrap: str, topic_factory: TopicFactory
) -> None:
    topic = topic_factory(partitions=2)
    value = f"hello {uuid.uuid4()}".encode()
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    try:
        meta = producer.send(topic, key=b"k1", value=value, headers=[("h", b"v")]).get(timeout=30)
    finally:
        producer.close()

    records = _consume(kafka_bootstrap, topic, expected=1)

    assert [(r.key, r.value, r.headers) for r in records] == [(b"k1", value, [("h", b"v")])]
    assert (records[0].partition, records[0].offset) == (meta.partition, meta.offset)


def test_topic_factory_makes_distinct_topics_and_deletes_them(kafka_bootstrap: str) -> None:
    factory = TopicFactory(kafka_bootstrap, prefix="t-factory")
    first, second = factory(partitions=3), factory()
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        shapes = {t["name"]: len(t["partitions"]) for t in admin.describe_topics([first, second])}
        # Default partition count comes from the broker config kafka.sh writes.
        assert shapes == {first: 3, second: 4}
        factory.delete_all()
        _wait_for(
            "the factory's topics to be deleted",
            lambda: not {first, second} & set(admin.list_topics()),
            timeout_s=30,
        )
    finally:
        admin.close()


def _kafka_sh(cluster: KafkaCluster, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(KAFKA_SH), *args],
        env=cluster.env(),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_kafka_sh_up_is_idempotent_serves_sasl_ssl_and_down_stops_it(tmp_path: Path) -> None:
    # One broker start covers the script's whole contract, SASL_SSL included, to keep the
    # suite short.
    cluster = KafkaCluster(nodes=1, state_dir=tmp_path / "state", sasl_ssl=True)
    try:
        first = _kafka_sh(cluster, "up")
        assert first.returncode == 0, first.stderr
        *info_lines, address = first.stdout.splitlines()
        assert address == cluster.bootstrap_servers
        info = dict(line.split("=", 1) for line in info_lines)
        pid = cluster.pid(1)
        assert pid is not None

        second = _kafka_sh(cluster, "up")
        assert second.returncode == 0, second.stderr
        assert second.stdout.splitlines() == first.stdout.splitlines()
        assert cluster.pid(1) == pid
        assert _brokers_using(cluster.state_dir) == [pid]

        status = _kafka_sh(cluster, "status")
        assert status.returncode == 0, status.stderr
        assert f"node 1: running (pid {pid})" in status.stdout

        created = _kafka_sh(cluster, "create-topic", "made-by-script", "2", "1")
        assert created.returncode == 0, created.stderr

        # SCRAM-SHA-512 over TLS, verified against the CA the script exported.
        producer = KafkaProducer(
            bootstrap_servers=info["KAFKA_SASL_SSL_BOOTSTRAP_SERVERS"],
            security_protocol="SASL_SSL",
            sasl_mechanism=info["KAFKA_SASL_MECHANISM"],
            sasl_plain_username=info["KAFKA_SASL_USERNAME"],
            sasl_plain_password=info["KAFKA_SASL_PASSWORD"],
            ssl_cafile=info["KAFKA_SSL_CAFILE"],
        )
        try:
            producer.send("made-by-script", value=b"over sasl_ssl", partition=1).get(timeout=30)
        finally:
            producer.close()
        records = _consume(cluster.bootstrap_servers, "made-by-script", expected=1)
        assert [(r.partition, r.value) for r in records] == [(1, b"over sasl_ssl")]

        down = _kafka_sh(cluster, "down")
        assert down.returncode == 0, down.stderr
        assert not _process_alive(pid)
        for port in cluster_ports(cluster.base_port, 1):
            assert not port_accepts_connections(port), port
        assert not (cluster.state_dir / "node-1" / "data").exists()
        assert _kafka_sh(cluster, "status").returncode != 0
        assert _kafka_sh(cluster, "down").returncode == 0, "down must be safe when nothing runs"
    finally:
        cluster.stop()


def _partitions(admin: KafkaAdminClient, topic: str) -> list[dict[str, Any]]:
    (described,) = admin.describe_topics([topic])
    partitions: list[dict[str, Any]] = described["partitions"]
    return partitions


# kafka-python 3.0.12 does not close a socket whose connect was refused (KafkaNetSocket.connect
# in kafka/net/inet.py), so clients that keep retrying the killed node leak sockets; with
# warnings as errors their garbage collection would fail the run. Only that warning is
# ignored, and only here, where talking to a dead node is the point.
@pytest.mark.filterwarnings("ignore:unclosed <socket.socket:ResourceWarning")
@pytest.mark.slow
def test_three_node_cluster_keeps_acks_all_writes_going_with_a_node_killed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # kafka-python logs each refused connect at ERROR with the exception, whose traceback
    # holds the leaked socket; pytest keeps captured records until the end of the phase, so
    # the socket would only be collected after the filter above has lapsed. The refusals
    # are expected here; anything unexpected still fails an assertion below.
    caplog.set_level(logging.CRITICAL, logger="kafka")
    with KafkaCluster(nodes=3) as cluster:
        bootstrap = cluster.bootstrap_servers
        topic = "replicated"
        admin = KafkaAdminClient(bootstrap_servers=bootstrap)
        producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
        try:
            # Replication factor and min ISR left to the broker: kafka.sh's 3-node defaults
            # are what is under test.
            admin.create_topics(
                {topic: {"num_partitions": 3, "replication_factor": -1}}, wait_for_metadata=True
            )
            assert {len(p["replica_nodes"]) for p in _partitions(admin, topic)} == {3}
            configs = admin.describe_configs(
                [ConfigResource(ConfigResourceType.TOPIC, topic, configs=None)],
                config_filter="all",
            )
            assert configs["topic"][topic]["min.insync.replicas"]["value"] == "2"

            for i in range(10):
                producer.send(topic, value=f"before-{i}".encode()).get(timeout=30)

            # Kill the leader of partition 0 so that a leader election is part of the test.
            victim = int(_partitions(admin, topic)[0]["leader_id"])
            cluster.kill_node(victim)
            assert not cluster.is_running(victim)

            # acks=all with min.insync.replicas=2 still succeeds with 2 of 3 replicas, on
            # every partition (explicit partitions: the default partitioner might pick one).
            for i in range(10):
                producer.send(topic, value=f"during-{i}".encode(), partition=i % 3).get(timeout=60)
            _wait_for(
                f"node {victim} to leave every ISR",
                lambda: all(
                    victim not in p["isr_nodes"] and len(p["isr_nodes"]) == 2
                    for p in _partitions(admin, topic)
                ),
                timeout_s=30,
            )

            cluster.start_node(victim)
            assert cluster.is_running(victim)
            _wait_for(
                f"node {victim} to rejoin every ISR",
                lambda: all(len(p["isr_nodes"]) == 3 for p in _partitions(admin, topic)),
                timeout_s=60,
            )
        finally:
            producer.close()
            admin.close()
            # Collect the leaked sockets now, while the filter above is in force.
            gc.collect()

        records = _consume(bootstrap, topic, expected=20)
        assert sorted(r.value.decode() for r in records) == sorted(
            [f"before-{i}" for i in range(10)] + [f"during-{i}" for i in range(10)]
        )
