"""Exact-duplicate detection through a real broker, for each `processing.duplicates.action`.

The input holds exact duplicates of earlier payloads on the same partition (same text and
title: same `content_sha256`), some with the very same bytes (same URL, so the same article
id) and some with another URL (another id, which shows that `duplicate_of` names the *first*
copy and not the copy itself). One payload also appears first on a second partition: the
window is per partition, so there it is not a duplicate. Every article document read back is
validated against `worker/schemas/article-v1.json`.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import time
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import pytest
from jsonschema import Draft202012Validator, FormatChecker
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.kafka_io import (
    REPO,
    Topics,
    article_payloads,
    committed,
    end_offsets,
    make_topics,
    run_worker,
    worker_cmd,
    worker_env,
)

pytestmark = pytest.mark.integration

PARTITIONS = 3
ENV_ACTION = "ARTICLE_WORKER__PROCESSING__DUPLICATES__ACTION"
ENV_WINDOW = "ARTICLE_WORKER__PROCESSING__DUPLICATES__WINDOW"
ENV_DUPLICATES_TOPIC = "ARTICLE_WORKER__TOPICS__DUPLICATES"
DEADLINE_S = 30.0


def _format_checker() -> FormatChecker:
    checker = FormatChecker()
    if "date-time" not in checker.checkers:
        # jsonschema checks date-time only with rfc3339-validator installed; without it the
        # format would silently pass anything.
        def date_time(value: object) -> bool:
            if not isinstance(value, str) or "T" not in value:
                return False
            return datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None

        checker.checks("date-time", raises=ValueError)(date_time)
    return checker


SCHEMA = orjson.loads((REPO / "worker" / "schemas" / "article-v1.json").read_bytes())
Draft202012Validator.check_schema(SCHEMA)
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=_format_checker())


# -- the input -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Input:
    """One produced payload; `copy_of` is the index (in `INPUTS`) of its first copy."""

    partition: int
    key: bytes
    value: bytes
    copy_of: int | None


def _variant(value: bytes, tag: str) -> bytes:
    """The same text and title under another URL: same content hash, another article id."""
    doc = orjson.loads(value)
    doc["url"] = f"{doc['url']}&copy={tag}"
    doc["id"] = f"{doc['id']}-{tag}"
    return orjson.dumps(doc)


def _inputs() -> list[Input]:
    # The example articles whose editor's note survives cleaning: six distinct contents.
    payloads = article_payloads(8, prefix="dup")
    a, b, c, d, e, f = (payloads[i][1] for i in (0, 2, 3, 4, 6, 7))
    a_p1 = _variant(a, "p1")  # A's content, first seen on partition 1
    rows: list[tuple[int, bytes, bytes, int | None]] = [
        # partition 0: A, B, A (other URL), C, A (same bytes), B (same bytes, last offset)
        (0, b"A", a, None),
        (0, b"B", b, None),
        (0, b"A", _variant(a, "again"), 0),
        (0, b"C", c, None),
        (0, b"A", a, 0),
        (0, b"B", b, 1),
        # partition 1: D, A's content (first on this partition), D, A's content again (last)
        (1, b"D", d, None),
        (1, b"A1", a_p1, None),
        (1, b"D", d, 6),
        (1, b"A1", a_p1, 7),
        # partition 2: no duplicates at all
        (2, b"E", e, None),
        (2, b"F", f, None),
    ]
    return [Input(p, k, v, first) for p, k, v, first in rows]


INPUTS = _inputs()
FIRSTS = [i for i, inp in enumerate(INPUTS) if inp.copy_of is None]
COPIES = [i for i, inp in enumerate(INPUTS) if inp.copy_of is not None]


def produce_inputs(bootstrap: str, topic: str) -> list[tuple[int, int]]:
    """Produce `INPUTS` in order, each on its partition; (partition, offset) of each."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5,
                             max_in_flight_requests_per_connection=1)
    try:
        futures = [producer.send(topic, key=inp.key, value=inp.value, partition=inp.partition)
                   for inp in INPUTS]
        producer.flush()
        metas = [future.get(timeout=10) for future in futures]
    finally:
        producer.close()
    where = [(int(m.partition), int(m.offset)) for m in metas]
    assert [p for p, _ in where] == [inp.partition for inp in INPUTS]
    return where


# -- the broker ------------------------------------------------------------------------------


def create_topic(bootstrap: str, name: str) -> None:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics([NewTopic(name, num_partitions=PARTITIONS, replication_factor=1)])
    finally:
        admin.close()


def read_to_end(bootstrap: str, topic: str) -> list[Any]:
    """Every record of `topic` up to its current end offsets (the writer has stopped)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        assert parts, f"topic {topic} has no partitions"
        ends = consumer.end_offsets(parts)
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        records: list[Any] = []
        deadline = time.monotonic() + DEADLINE_S
        while any(consumer.position(tp) < ends[tp] for tp in parts):
            assert time.monotonic() < deadline, f"could not read {topic} to its end"
            for recs in consumer.poll(timeout_ms=500).values():
                records.extend(recs)
        return records
    finally:
        consumer.close()


def articles(bootstrap: str, topic: str) -> dict[tuple[int, int], tuple[Any, dict[str, Any]]]:
    """The article documents on `topic`, schema-checked, by the (partition, offset) of their
    input; every input has at most one."""
    out: dict[tuple[int, int], tuple[Any, dict[str, Any]]] = {}
    for record in read_to_end(bootstrap, topic):
        doc = orjson.loads(record.value)
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(doc)]
        assert errors == [], f"{topic}: invalid article/v1 document: {errors}"
        assert record.key == doc["id"].encode()
        source = (doc["source"]["partition"], doc["source"]["offset"])
        assert source not in out, f"{topic}: input {source} published twice"
        out[source] = (record, doc)
    return out


def check_copies(
    where: list[tuple[int, int]],
    docs: dict[tuple[int, int], tuple[Any, dict[str, Any]]],
    indexes: list[int],
) -> None:
    """`duplicate_of` of each input in `indexes`: None for a first copy, else the first
    copy's id (the first copy's document must be in `docs`)."""
    for i in indexes:
        inp = INPUTS[i]
        doc = docs[where[i]][1]
        if inp.copy_of is None:
            assert doc["duplicate_of"] is None, f"input {i} is a first copy: {doc['duplicate_of']}"
            continue
        first = docs[where[inp.copy_of]][1]
        assert doc["fingerprints"]["content_sha256"] == first["fingerprints"]["content_sha256"]
        assert doc["duplicate_of"] == first["id"], f"input {i}"


def setup(bootstrap: str, *, duplicates_topic: bool) -> tuple[Topics, str, list[tuple[int, int]]]:
    """Fresh topics (and a duplicates topic when asked) with `INPUTS` produced."""
    topics = make_topics(bootstrap, partitions=PARTITIONS)
    dup_topic = f"{topics.clean}.dup"
    if duplicates_topic:
        create_topic(bootstrap, dup_topic)
    return topics, dup_topic, produce_inputs(bootstrap, topics.raw)


def run_until_idle(bootstrap: str, topics: Topics, **env: str) -> None:
    result = run_worker(bootstrap, topics, "--stop-when-idle", "3", timeout=60,
                        env=worker_env(**env))
    assert result.returncode == 0, result.stderr[-3000:]
    assert committed(bootstrap, topics.group, topics.raw) == end_offsets(bootstrap, topics.raw)


# -- metrics ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def duplicates_total(port: int) -> dict[str, float] | None:
    """`article_worker_duplicates_total{kind="exact"}` by action; None while not serving."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as resp:
            text = resp.read().decode()
    except OSError:
        return None
    return {
        sample.labels["action"]: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "article_worker_duplicates_total" and sample.labels["kind"] == "exact"
    }


# -- the tests -------------------------------------------------------------------------------


def test_publish_marks_later_copies_with_the_first_copys_id(kafka_bootstrap: str) -> None:
    topics, _, where = setup(kafka_bootstrap, duplicates_topic=False)
    run_until_idle(kafka_bootstrap, topics)  # the default action is publish

    docs = articles(kafka_bootstrap, topics.clean)
    assert set(docs) == set(where)  # every input, copies included
    # The inputs are what they claim: first copies differ, except A's on partition 1.
    hashes = {i: docs[where[i]][1]["fingerprints"]["content_sha256"] for i in FIRSTS}
    assert hashes[7] == hashes[0]
    assert len(set(hashes.values())) == len(FIRSTS) - 1
    check_copies(where, docs, list(range(len(INPUTS))))
    # A's content on partition 1 is not a duplicate of partition 0's: windows are per partition.
    assert docs[where[7]][1]["duplicate_of"] is None
    assert docs[where[9]][1]["duplicate_of"] == docs[where[7]][1]["id"]
    assert docs[where[9]][1]["duplicate_of"] != docs[where[0]][1]["id"]
    # A copy under another URL is another article that names the first one, and a later
    # copy still names the first, not the copy before it.
    assert docs[where[2]][1]["id"] != docs[where[0]][1]["id"]
    assert docs[where[4]][1]["duplicate_of"] == docs[where[0]][1]["id"]
    assert read_to_end(kafka_bootstrap, topics.dlq) == []


def test_route_sends_later_copies_to_the_duplicates_topic(kafka_bootstrap: str) -> None:
    topics, dup_topic, where = setup(kafka_bootstrap, duplicates_topic=True)
    run_until_idle(kafka_bootstrap, topics,
                   **{ENV_ACTION: "route", ENV_DUPLICATES_TOPIC: dup_topic})

    clean = articles(kafka_bootstrap, topics.clean)
    routed = articles(kafka_bootstrap, dup_topic)
    assert set(clean) == {where[i] for i in FIRSTS}
    assert set(routed) == {where[i] for i in COPIES}
    check_copies(where, clean, FIRSTS)
    check_copies(where, clean | routed, COPIES)
    assert read_to_end(kafka_bootstrap, topics.dlq) == []


def test_route_without_the_duplicates_topic_stops_at_start(kafka_bootstrap: str) -> None:
    topics = make_topics(kafka_bootstrap, partitions=1)
    missing = f"no.such.duplicates.{uuid.uuid4().hex[:8]}"
    result = run_worker(kafka_bootstrap, topics, "--stop-when-idle", "1", timeout=60,
                        env=worker_env(**{ENV_ACTION: "route", ENV_DUPLICATES_TOPIC: missing}))
    assert result.returncode == 2, result.stderr[-3000:]
    assert missing in result.stderr
    assert committed(kafka_bootstrap, topics.group, topics.raw) == {}


def test_drop_publishes_copies_nowhere_and_commits_past_them(kafka_bootstrap: str) -> None:
    topics, dup_topic, where = setup(kafka_bootstrap, duplicates_topic=True)
    port = free_port()
    env = worker_env(**{ENV_ACTION: "drop", ENV_DUPLICATES_TOPIC: dup_topic})
    cmd = worker_cmd(kafka_bootstrap, topics, "--metrics-port", str(port))
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    ends = end_offsets(kafka_bootstrap, topics.raw)
    try:
        # Bounded wait until every copy is counted and every input committed; then stop.
        deadline = time.monotonic() + DEADLINE_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"worker exited early ({proc.returncode}): "
                            f"{proc.communicate()[1][-3000:]}")
            counted = duplicates_total(port)
            done = committed(kafka_bootstrap, topics.group, topics.raw)
            if counted is not None and counted.get("drop") == len(COPIES) and done == ends:
                break
            assert time.monotonic() < deadline, (
                f"after {DEADLINE_S:g} s: duplicates_total {counted}, expected drop="
                f"{len(COPIES)}; committed {done}, end offsets {ends}")
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, stderr[-3000:]
    assert counted == {"publish": 0, "route": 0, "drop": len(COPIES)}

    docs = articles(kafka_bootstrap, topics.clean)
    assert set(docs) == {where[i] for i in FIRSTS}
    check_copies(where, docs, FIRSTS)
    assert read_to_end(kafka_bootstrap, dup_topic) == []
    assert read_to_end(kafka_bootstrap, topics.dlq) == []
    assert committed(kafka_bootstrap, topics.group, topics.raw) == ends


def test_window_zero_disables_detection(kafka_bootstrap: str) -> None:
    topics, _, where = setup(kafka_bootstrap, duplicates_topic=False)
    # With drop, a copy that were still detected would go missing from the output.
    run_until_idle(kafka_bootstrap, topics, **{ENV_ACTION: "drop", ENV_WINDOW: "0"})

    docs = articles(kafka_bootstrap, topics.clean)
    assert set(docs) == set(where)
    assert [doc["duplicate_of"] for _, doc in docs.values()] == [None] * len(INPUTS)
