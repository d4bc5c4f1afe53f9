"""Exactly-once mode against the real broker: a `read_committed` reader of the output and
dead-letter topics sees every input once, and never sees the writes of an aborted
transaction."""

from __future__ import annotations

from collections import Counter
from typing import Any

from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic

from tests.faults.harness import read_topics
from tests.faults.harness import source_of as full_source_of
from tests.integration.kafka_io import (
    Topics,
    article_payloads,
    committed,
    end_offsets,
    produce,
    run_worker,
    worker_env,
)

BROKEN = [(f"bad-{i}".encode(), b'{"id": "bad", "text": ') for i in range(10)]


def _topics(bootstrap: str, tag: str, *, dlq_configs: dict[str, str] | None = None) -> Topics:
    topics = Topics(f"eos{tag}.raw", f"eos{tag}.clean", f"eos{tag}.dlq", f"geos{tag}")
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics([
            NewTopic(topics.raw, 3, 1), NewTopic(topics.clean, 3, 1),
            NewTopic(topics.dlq, 3, 1, topic_configs=dlq_configs or {})])
    finally:
        admin.close()
    return topics


def _eos_env(**extra: str) -> dict[str, str]:
    return worker_env(ARTICLE_WORKER__PROCESSING__GUARANTEE="exactly_once",
                      ARTICLE_WORKER__LOGGING__FORMAT="json", **extra)


def _sources(bootstrap: str, topics: Topics, isolation: str) -> Counter[tuple[int, int]]:
    records: list[Any] = read_topics(bootstrap, [topics.clean, topics.dlq], isolation)
    return Counter(full_source_of(r)[1:] for r in records)


def test_every_input_is_seen_once_by_a_read_committed_reader(kafka_bootstrap: str) -> None:
    topics = _topics(kafka_bootstrap, "once")
    valid = article_payloads(600, prefix="eos")
    produce(kafka_bootstrap, topics.raw, valid[:300] + BROKEN + valid[300:])
    result = run_worker(kafka_bootstrap, topics, "--stop-when-idle", "3", env=_eos_env())
    assert result.returncode == 0, result.stderr[-3000:]
    assert '"guarantee":"exactly_once"' in result.stderr

    seen = _sources(kafka_bootstrap, topics, "read_committed")
    ends = end_offsets(kafka_bootstrap, topics.raw)
    assert set(seen) == {(p, o) for p, end in ends.items() for o in range(end)}
    assert max(seen.values()) == 1
    assert committed(kafka_bootstrap, topics.group, topics.raw) == ends


def test_aborted_transactions_stay_invisible_and_a_restart_completes_the_work(
    kafka_bootstrap: str,
) -> None:
    # Dead letters cannot be written (the DLQ accepts only tiny records): every transaction
    # holding one aborts, and the worker gives up after its bounded attempts.
    topics = _topics(kafka_bootstrap, "abort", dlq_configs={"max.message.bytes": "64"})
    valid = article_payloads(400, prefix="abt")
    produce(kafka_bootstrap, topics.raw, valid[:200] + BROKEN + valid[200:])
    failing = _eos_env(ARTICLE_WORKER__PRODUCER__FLUSH_TIMEOUT_S="5",
                       ARTICLE_WORKER__PRODUCER__SEND_ATTEMPTS="2")
    result = run_worker(kafka_bootstrap, topics, "--stop-when-idle", "3", env=failing,
                        timeout=180)
    assert result.returncode == 1, result.stderr[-3000:]
    assert "transaction" in result.stderr
    assert topics.dlq in result.stderr

    done = committed(kafka_bootstrap, topics.group, topics.raw)
    visible = _sources(kafka_bootstrap, topics, "read_committed")
    written = _sources(kafka_bootstrap, topics, "read_uncommitted")
    # Only inputs below the committed offsets have visible outputs, each exactly once ...
    assert all(offset < done.get(partition, 0) for partition, offset in visible)
    assert max(visible.values(), default=1) == 1
    # ... while the aborted transactions did write records that read_committed hides.
    assert sum(written.values()) > sum(visible.values())

    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topics.dlq,
                                            configs={"max.message.bytes": "1048588"})])
    finally:
        admin.close()
    result = run_worker(kafka_bootstrap, topics, "--stop-when-idle", "3", env=_eos_env())
    assert result.returncode == 0, result.stderr[-3000:]
    seen = _sources(kafka_bootstrap, topics, "read_committed")
    ends = end_offsets(kafka_bootstrap, topics.raw)
    assert set(seen) == {(p, o) for p, end in ends.items() for o in range(end)}
    assert max(seen.values()) == 1
