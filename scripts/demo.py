"""The `make demo` driver: topics, sample payloads in, the worker until idle, a report out.

Expects a running broker (the Makefile starts one with scripts/kafka.sh) at
KAFKA_BOOTSTRAP_SERVERS. Publishes every payload under examples/ (JSON files, JSON Lines
files line by line, and `broken/*.bin` files as raw bytes), runs `article-worker run
--stop-when-idle`, then reads the output and dead-letter topics and prints what came out.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import uuid
from collections import Counter
from pathlib import Path

import orjson
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def payloads() -> list[tuple[str, bytes]]:
    """(name, value bytes) of every example payload, in a stable order."""
    out: list[tuple[str, bytes]] = []
    for path in sorted(EXAMPLES.glob("*.json")):
        out.append((path.name, orjson.dumps(orjson.loads(path.read_bytes()))))
    for path in sorted(EXAMPLES.glob("*.jsonl")):
        for i, line in enumerate(path.read_bytes().splitlines(), 1):
            out.append((f"{path.name}:{i}", line))
    for path in sorted((EXAMPLES / "broken").glob("*.bin")):
        out.append((f"broken/{path.name}", path.read_bytes()))
    return out


def main() -> int:
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")
    run_id = uuid.uuid4().hex[:8]
    raw, clean, dlq = f"demo.{run_id}.raw", f"demo.{run_id}.clean", f"demo.{run_id}.dlq"
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([NewTopic(t, num_partitions=2, replication_factor=1)
                         for t in (raw, clean, dlq)])
    admin.close()

    items = payloads()
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for name, value in items:
        producer.send(raw, key=name.encode(), value=value)
    producer.flush()
    producer.close()
    print(f"published {len(items)} example payloads to {raw}")

    started = time.monotonic()
    cmd = [sys.executable, "-m", "worker", "run", "--bootstrap-servers", bootstrap,
           "--group-id", f"demo-{run_id}", "--input-topic", raw, "--output-topic", clean,
           "--dlq-topic", dlq, "--metrics-port", "0", "--stop-when-idle", "3"]
    env = dict(os.environ, ARTICLE_WORKER__LOGGING__FORMAT="text",
               ARTICLE_WORKER__LOGGING__LEVEL="WARNING")
    result = subprocess.run(cmd, cwd=ROOT, env=env, check=False)
    if result.returncode != 0:
        print(f"worker exited with {result.returncode}", file=sys.stderr)
        return result.returncode
    print(f"worker ran {time.monotonic() - started:.1f} s and stopped when idle\n")

    articles = read_all(bootstrap, clean)
    dead = read_all(bootstrap, dlq)
    reasons = Counter(dict(m.headers).get("dlq.reason", b"?").decode() for m in dead)
    print(f"consumed:      {len(items)}")
    print(f"published:     {len(articles)}  (topic {clean})")
    print(f"dead-lettered: {len(dead)}  (topic {dlq})")
    for reason, n in sorted(reasons.items()):
        print(f"  {reason}: {n}")
    docs = [orjson.loads(m.value) for m in articles]
    for doc in docs:
        lang = (doc["language"] or {}).get("code")
        print(f"  - [{lang}] {doc['title']}  ({doc['publisher']}, {doc['published_at']}, "
              f"{doc['stats']['paragraphs']} paragraphs, {len(doc['removed'])} removed)")
    viva = next((d for d in docs if d["source_id"] == "seed-viva-putin-kim"), None)
    if viva is None:
        print("the VIVA example did not come out", file=sys.stderr)
        return 1
    show(viva)
    return 0 if len(articles) + len(dead) == len(items) else 1


def read_all(bootstrap: str, topic: str) -> list[object]:
    """Every record of a topic, read from the beginning until it goes quiet."""
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=3000)
    records = list(consumer)
    consumer.close()
    return records


def show(doc: dict[str, object]) -> None:
    """The VIVA article, in readable form."""
    print("\n" + "=" * 78)
    print(doc["title"])
    lang = doc["language"]
    print(f"publisher: {doc['publisher']}   language: {lang}   published: {doc['published_at']}")
    print(f"dateline: {doc['dateline']}   credit: {doc['source_credit']}")
    print("-" * 78)
    for para in doc["paragraphs"]:  # type: ignore[attr-defined]
        print(textwrap.fill(str(para), 78) + "\n")
    print("-" * 78)
    print("removed:")
    for item in doc["removed"]:  # type: ignore[attr-defined]
        print(f"  [{item['kind']}] {item['text'].strip()}")
    ents = doc["entities"]
    print("entities:", {k: [e["text"] for e in v] for k, v in ents.items()})  # type: ignore[attr-defined]
    print("quotes:")
    for q in doc["quotes"]:  # type: ignore[attr-defined]
        print(f"  {q['speaker']}: \"{textwrap.shorten(q['text'], 90)}\"")
    print("keywords:", ", ".join(doc["keywords"]))  # type: ignore[arg-type]
    print("=" * 78)


if __name__ == "__main__":
    raise SystemExit(main())
