"""Poison input never blocks a partition: a stage that raises, or runs over the per-message
time limit, sends the message to the dead-letter topic with its reason and the worker goes on.

No real payload is known to crash the pipeline (each one found becomes a bug fix), so the
worker runs with a stage wrapped to misbehave on marker payloads: `BOOM` raises an unexpected
exception, `SLOW` sleeps past the limit.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import orjson

from tests.integration.kafka_io import (
    REPO,
    article_payloads,
    committed,
    end_offsets,
    make_topics,
    produce,
    read_all,
    source_of,
    worker_cmd,
    worker_env,
)

_SABOTAGE = """
import sys, time
import worker.processor as processor

real = processor.process

def sabotaged(payload, config, timer=None):
    if "BOOM" in payload.content:
        raise RuntimeError("stage blew up on purpose")
    if "SLOW" in payload.content:
        time.sleep(30)
    return real(payload, config, timer)

processor.process = sabotaged
from worker.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_raising_and_slow_messages_are_dead_lettered_and_the_partition_moves_on(
    kafka_bootstrap: str,
) -> None:
    topics = make_topics(kafka_bootstrap, partitions=1)  # one partition: order matters
    good = article_payloads(30, prefix="g")
    boom = (b"boom", orjson.dumps({"id": "boom", "text": "BOOM " * 20}))
    slow = (b"slow", orjson.dumps({"id": "slow", "text": "SLOW " * 20}))
    produce(kafka_bootstrap, topics.raw, [*good[:10], boom, *good[10:20], slow, *good[20:]])

    args = worker_cmd(kafka_bootstrap, topics, "--stop-when-idle", "3")[3:]  # after `-m worker`
    result = subprocess.run(
        [sys.executable, "-c", _SABOTAGE, *args], cwd=REPO, capture_output=True, text=True,
        timeout=180, check=False,
        env=worker_env(ARTICLE_WORKER__PROCESSING__MESSAGE_TIMEOUT_S="1",
                       ARTICLE_WORKER__LOGGING__FORMAT="json"))
    assert result.returncode == 0, result.stderr[-3000:]

    dead = {r.key: dict(r.headers) for r in read_all(kafka_bootstrap, topics.dlq)}
    assert dead[b"boom"]["dlq.reason"] == b"unhandled"
    assert b"RuntimeError" in dead[b"boom"]["dlq.message"]
    assert dead[b"slow"]["dlq.reason"] == b"timeout"
    assert len(dead) == 2

    articles = read_all(kafka_bootstrap, topics.clean)
    assert len(articles) == len(good)  # everything after the poison was processed too
    outputs = Counter(source_of(r) for r in articles) + Counter(
        source_of(r) for r in read_all(kafka_bootstrap, topics.dlq))
    assert sorted(outputs) == [(0, o) for o in range(len(good) + 2)]
    assert committed(kafka_bootstrap, topics.group, topics.raw) == end_offsets(
        kafka_bootstrap, topics.raw)
    assert '"reason":"timeout"' in result.stderr.replace(" ", "")
