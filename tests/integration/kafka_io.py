"""Small helpers for integration tests: topics, producing, reading back, committed offsets.

They use kafka-python against the real broker started by the session fixture.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Topics:
    """A fresh set of topics for one test."""

    raw: str
    clean: str
    dlq: str
    group: str

    def args(self) -> list[str]:
        return ["--input-topic", self.raw, "--output-topic", self.clean,
                "--dlq-topic", self.dlq, "--group-id", self.group]


def make_topics(bootstrap: str, partitions: int = 3) -> Topics:
    tag = uuid.uuid4().hex[:10]
    topics = Topics(f"t{tag}.raw", f"t{tag}.clean", f"t{tag}.dlq", f"g{tag}")
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics([NewTopic(t, num_partitions=partitions, replication_factor=1)
                             for t in (topics.raw, topics.clean, topics.dlq)])
    finally:
        admin.close()
    return topics


def produce(bootstrap: str, topic: str, items: Iterable[tuple[bytes | None, bytes]]) -> int:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    n = 0
    for key, value in items:
        producer.send(topic, key=key, value=value)
        n += 1
    producer.flush()
    producer.close()
    return n


def read_all(bootstrap: str, topic: str, idle_ms: int = 3000) -> list[Any]:
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=idle_ms)
    try:
        return list(consumer)
    finally:
        consumer.close()


def end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        return {tp.partition: off for tp, off in consumer.end_offsets(parts).items()}
    finally:
        consumer.close()


def committed(bootstrap: str, group: str, topic: str) -> dict[int, int]:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        offsets = admin.list_group_offsets({group: None}).get(group, {})
    finally:
        admin.close()
    return {tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == topic}


def source_of(record: Any) -> tuple[int, int]:
    """(partition, offset) of the input behind an article or a dead letter."""
    headers = dict(record.headers or [])
    if "dlq.reason" in headers:
        return int(headers["dlq.source.partition"]), int(headers["dlq.source.offset"])
    source = orjson.loads(record.value)["source"]
    return int(source["partition"]), int(source["offset"])


def worker_cmd(bootstrap: str, topics: Topics, *extra: str) -> list[str]:
    return [sys.executable, "-m", "worker", "run", "--bootstrap-servers", bootstrap,
            "--metrics-port", "0", *topics.args(), *extra]


def worker_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARTICLE_WORKER__")}
    env.update(overrides)
    return env


def run_worker(bootstrap: str, topics: Topics, *extra: str, timeout: float = 120,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(worker_cmd(bootstrap, topics, *extra), cwd=REPO, capture_output=True,
                          text=True, timeout=timeout, env=env or worker_env(), check=False)


def article_payloads(n: int, prefix: str = "p") -> list[tuple[bytes, bytes]]:
    """n distinct text payloads built from the example articles."""
    examples = [orjson.loads(line) for line in
                (REPO / "examples" / "articles.jsonl").read_bytes().splitlines()]
    out = []
    for i in range(n):
        base = dict(examples[i % len(examples)])
        base["id"] = f"{prefix}-{i}"
        base["url"] = f"{base['url']}?n={i}"
        base["text"] = base["text"] + f"\n\nCatatan redaksi nomor {i} untuk pengujian."
        out.append((base["id"].encode(), orjson.dumps(base)))
    return out


def keys(records: Sequence[Any]) -> list[bytes]:
    return [r.key for r in records]
