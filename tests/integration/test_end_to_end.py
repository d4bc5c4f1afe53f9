"""The whole path through a real broker: raw topic → worker → clean and dead-letter topics."""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter

import orjson
import pytest

from tests.integration.kafka_io import (
    REPO,
    article_payloads,
    committed,
    end_offsets,
    make_topics,
    produce,
    read_all,
    run_worker,
    source_of,
    worker_cmd,
    worker_env,
)

pytestmark = pytest.mark.integration

BROKEN: list[tuple[bytes, bytes, str]] = [
    (b"b-utf8", b'{"id": "b-utf8", "text": "caf\xe9"}', "invalid_utf8"),
    (b"b-json", b'{"id": "b-json", "text": ', "invalid_json"),
    (b"b-list", b'["not", "an", "object"]', "not_an_object"),
    (b"b-none", b'{"id": "b-none", "url": "https://x.id/a"}', "missing_content"),
    (b"b-field", b'{"id": "b-field", "text": 7}', "invalid_field"),
    (b"b-big", b'{"text": "' + b"a" * 3000 + b'"}', "payload_too_large"),
    (b"b-empty", b'{"text": "ADVERTISEMENT\\n\\nSCROLL TO CONTINUE WITH CONTENT"}',
     "empty_after_cleaning"),
]


def test_every_message_lands_on_the_right_topic_and_offsets_are_committed(
    kafka_bootstrap: str,
) -> None:
    topics = make_topics(kafka_bootstrap, partitions=3)
    valid = article_payloads(40)
    produce(kafka_bootstrap, topics.raw, valid + [(k, v) for k, v, _ in BROKEN])

    result = run_worker(kafka_bootstrap, topics, "--stop-when-idle", "3",
                        env=worker_env(ARTICLE_WORKER__PROCESSING__MAX_PAYLOAD_BYTES="2048"))
    assert result.returncode == 0, result.stderr[-3000:]

    articles = read_all(kafka_bootstrap, topics.clean)
    dead = read_all(kafka_bootstrap, topics.dlq)
    assert len(articles) == len(valid)
    docs = [orjson.loads(r.value) for r in articles]
    for record, doc in zip(articles, docs, strict=True):
        assert record.key == doc["id"].encode()  # keyed by the article id
        assert doc["schema"] == "article/v1"
        assert doc["source"]["topic"] == topics.raw
    assert sorted(d["source_id"] for d in docs) == sorted(k.decode() for k, _ in valid)

    expected_reasons = {key: reason for key, _, reason in BROKEN}
    assert len(dead) == len(BROKEN)
    for record in dead:
        headers = dict(record.headers)
        assert headers["dlq.reason"].decode() == expected_reasons[record.key]
        original = next(v for k, v, _ in BROKEN if k == record.key)
        assert record.value == original  # the original bytes, unchanged

    assert committed(kafka_bootstrap, topics.group, topics.raw) == end_offsets(
        kafka_bootstrap, topics.raw)


def test_sigterm_mid_batch_loses_nothing(kafka_bootstrap: str) -> None:
    topics = make_topics(kafka_bootstrap, partitions=2)
    total = produce(kafka_bootstrap, topics.raw, article_payloads(3000, prefix="s"))
    env = worker_env(ARTICLE_WORKER__CONSUMER__MAX_POLL_RECORDS="100",
                     ARTICLE_WORKER__LOGGING__FORMAT="json")
    proc = subprocess.Popen(worker_cmd(kafka_bootstrap, topics), cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        # Wait until the worker is in the middle of the work, then ask it to stop.
        while time.monotonic() < deadline:
            if sum(committed(kafka_bootstrap, topics.group, topics.raw).values()) >= 300:
                break
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=45)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr[-3000:]
    assert '"event": "drain"' in stderr or '"event":"drain"' in stderr

    # Everything committed before the stop has its output.
    done = committed(kafka_bootstrap, topics.group, topics.raw)
    assert 0 < sum(done.values()) < total, "SIGTERM came too late to test a partial run"
    outputs = {source_of(r) for r in read_all(kafka_bootstrap, topics.clean)}
    for partition, offset in done.items():
        assert all((partition, o) in outputs for o in range(offset))

    # A restart finishes the rest: every input has an output.
    result = run_worker(kafka_bootstrap, topics, "--stop-when-idle", "3")
    assert result.returncode == 0, result.stderr[-3000:]
    outputs_after = Counter(source_of(r) for r in read_all(kafka_bootstrap, topics.clean))
    ends = end_offsets(kafka_bootstrap, topics.raw)
    missing = [(p, o) for p, end in ends.items() for o in range(end) if (p, o) not in outputs_after]
    assert missing == []
    assert committed(kafka_bootstrap, topics.group, topics.raw) == ends


def test_missing_topic_stops_with_a_clear_message(kafka_bootstrap: str) -> None:
    topics = make_topics(kafka_bootstrap, partitions=1)
    result = run_worker(kafka_bootstrap, topics, "--output-topic", "no.such.topic",
                        "--stop-when-idle", "1", timeout=60)
    assert result.returncode == 2
    assert "no.such.topic" in result.stderr
    assert "topics.create" in result.stderr


def test_topics_are_created_when_allowed(kafka_bootstrap: str) -> None:
    topics = make_topics(kafka_bootstrap, partitions=1)
    result = run_worker(kafka_bootstrap, topics, "--dlq-topic", f"{topics.dlq}.new",
                        "--stop-when-idle", "1", timeout=60,
                        env=worker_env(ARTICLE_WORKER__TOPICS__CREATE="true"))
    assert result.returncode == 0, result.stderr[-3000:]
    assert end_offsets(kafka_bootstrap, f"{topics.dlq}.new") == dict.fromkeys(range(4), 0)
