"""`article-worker replay` end to end: dead letters back to a topic, filtered, counted."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic

from tests.integration.kafka_io import (
    REPO,
    Topics,
    article_payloads,
    end_offsets,
    make_topics,
    read_all,
    run_worker,
    worker_env,
)

BROKEN = [
    (b"j1", b'{"id": "j1", "text": ', "invalid_json"),
    (b"j2", b"{{{", "invalid_json"),
    (b"j3", b'{"id": "j3"', "invalid_json"),
    (b"f1", b'{"id": "f1", "text": 7}', "invalid_field"),
    (b"f2", b'{"id": "f2", "text": ["x"]}', "invalid_field"),
]
ORIGINAL_HEADER = ("trace-id", b"abc-123")


def _replay(bootstrap: str, topics: Topics, *args: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "worker", "replay", "--bootstrap-servers", bootstrap,
         "--dlq-topic", topics.dlq, "--input-topic", topics.raw, *args],
        cwd=REPO, capture_output=True, text=True, timeout=120, env=worker_env(), check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    report: dict[str, Any] = orjson.loads(result.stdout.strip().splitlines()[-1])
    return report


@pytest.fixture
def dead_letters(kafka_bootstrap: str) -> Topics:
    """Topics whose DLQ holds the five broken messages (one with an extra header)."""
    topics = make_topics(kafka_bootstrap, partitions=2)
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    for key, value in article_payloads(10, prefix="ok"):
        producer.send(topics.raw, key=key, value=value)
    for key, value, _ in BROKEN:
        headers = [ORIGINAL_HEADER] if key == b"j1" else []
        producer.send(topics.raw, key=key, value=value, headers=headers)
    producer.flush()
    producer.close()
    result = run_worker(kafka_bootstrap, topics, "--stop-when-idle", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(read_all(kafka_bootstrap, topics.dlq)) == len(BROKEN)
    return topics


def test_dry_run_only_counts(kafka_bootstrap: str, dead_letters: Topics) -> None:
    before = end_offsets(kafka_bootstrap, dead_letters.raw)
    report = _replay(kafka_bootstrap, dead_letters, "--dry-run", "--reason", "invalid_json")
    assert report["dry_run"] is True
    assert report["scanned"] == 5
    assert report["matched"] == 3
    assert report["published"] == 0
    assert report["by_reason"] == {"invalid_json": 3}
    assert end_offsets(kafka_bootstrap, dead_letters.raw) == before


def test_replay_to_a_chosen_topic_keeps_key_value_and_headers(
    kafka_bootstrap: str, dead_letters: Topics
) -> None:
    target = f"{dead_letters.raw}.replayed"
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        admin.create_topics([NewTopic(target, 1, 1)])
    finally:
        admin.close()
    report = _replay(kafka_bootstrap, dead_letters, "--reason", "invalid_json", "--to", target)
    assert report["published"] == 3
    assert report["target"] == target
    replayed = read_all(kafka_bootstrap, target)
    originals = {key: value for key, value, reason in BROKEN if reason == "invalid_json"}
    assert {r.key: r.value for r in replayed} == originals  # the same bytes
    for record in replayed:
        headers = dict(record.headers)
        assert headers["dlq.replay_count"] == b"1"
        assert not [name for name in headers if name.startswith("dlq.") and
                    name != "dlq.replay_count"]
        if record.key == b"j1":
            assert headers[ORIGINAL_HEADER[0]] == ORIGINAL_HEADER[1]


def test_time_range_filters_on_the_failure_time(kafka_bootstrap: str,
                                                dead_letters: Topics) -> None:
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    assert _replay(kafka_bootstrap, dead_letters, "--dry-run", "--since", future)["matched"] == 0
    assert _replay(kafka_bootstrap, dead_letters, "--dry-run", "--until", past)["matched"] == 0
    report = _replay(kafka_bootstrap, dead_letters, "--dry-run", "--since", past,
                     "--until", future, "--reason", "invalid_field")
    assert report["matched"] == 2


def test_replayed_messages_that_fail_again_count_their_replays(
    kafka_bootstrap: str, dead_letters: Topics
) -> None:
    # Replay everything to the input topic; the worker dead-letters them again.
    report = _replay(kafka_bootstrap, dead_letters)
    assert report["published"] == 5
    assert report["target"] == dead_letters.raw
    result = run_worker(kafka_bootstrap, dead_letters, "--stop-when-idle", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    second = [r for r in read_all(kafka_bootstrap, dead_letters.dlq)
              if dict(r.headers).get("dlq.replay_count") == b"1"]
    assert sorted(r.key for r in second) == sorted(k for k, _, _ in BROKEN)
    # A second replay skips what was replayed once already when asked to.
    capped = _replay(kafka_bootstrap, dead_letters, "--dry-run", "--max-replay-count", "1")
    assert capped["matched"] == 5  # only the first-generation dead letters
    again = _replay(kafka_bootstrap, dead_letters, "--reason", "invalid_field",
                    "--max-replay-count", "2")
    assert again["published"] == 4  # f1, f2 from both generations
    counts = Counter(dict(r.headers).get("dlq.replay_count")
                     for r in read_all(kafka_bootstrap, dead_letters.raw))
    # 5 from the first replay, then f1 and f2 once more from each generation.
    assert counts == {None: 15, b"1": 7, b"2": 2}

def test_unknown_dead_letter_topic_is_a_config_error(kafka_bootstrap: str) -> None:
    topics = make_topics(kafka_bootstrap, partitions=1)
    result = subprocess.run(
        [sys.executable, "-m", "worker", "replay", "--bootstrap-servers", kafka_bootstrap,
         "--dlq-topic", "no.such.dlq", "--input-topic", topics.raw, "--dry-run"],
        cwd=REPO, capture_output=True, text=True, timeout=120, env=worker_env(), check=False)
    assert result.returncode == 2
    assert "no.such.dlq" in result.stderr
