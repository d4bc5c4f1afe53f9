"""Pass-through baseline: the worker's Kafka client work with no processing at all.

Consumer and producer come from `worker.kafka.clients` with the same settings as the worker
(config/worker.yaml, the same flags), and the loop keeps the worker's commit discipline
(`worker.loop`): poll a batch, wait for the previous batch's acknowledgements only if they
have not all come yet, send every value unchanged, commit the previous batch's offsets
without waiting for the answer; when the input runs dry (and on the way out) wait for the
last batch and commit it. Its throughput is the ceiling of this client on this machine.

    python -m benchmarks.passthrough --bootstrap-servers 127.0.0.1:49092 \\
        --input-topic in --output-topic out --group-id g --stop-when-idle 10
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any

from kafka import TopicPartition
from kafka.structs import OffsetAndMetadata

from worker.kafka.clients import build_consumer, build_producer
from worker.settings import DEFAULT_CONFIG_PATH, Settings, load_settings


class _Batch:
    """The futures of one batch's sends and the offsets they complete."""

    def __init__(self) -> None:
        self.futures: list[Any] = []
        self.offsets: dict[TopicPartition, OffsetAndMetadata] = {}


def _acknowledged(producer: Any, batch: _Batch, timeout_s: float) -> None:
    """Wait (flushing) only if some future is not done; raise if a record was not acked."""
    if not all(f.is_done for f in batch.futures):
        producer.flush(timeout=timeout_s)
    for future in batch.futures:
        future.get(timeout=0)  # raises if a record was not acknowledged


def run(settings: Settings, stop: threading.Event, stop_when_idle_s: float | None) -> int:
    """Copy input to output until stopped or idle; the number of messages copied."""
    consumer = build_consumer(settings)
    producer = build_producer(settings)
    consumer.subscribe([settings.topics.input])
    flush_timeout_s = settings.producer.flush_timeout_s
    copied = 0
    last_record_at = time.monotonic()
    inflight: _Batch | None = None
    try:
        while not stop.is_set():
            records: dict[TopicPartition, list[Any]] = consumer.poll(
                timeout_ms=0 if inflight is not None else settings.consumer.poll_timeout_ms,
                max_records=settings.consumer.max_poll_records,
            )
            if not records:
                if inflight is not None:
                    _acknowledged(producer, inflight, flush_timeout_s)
                    consumer.commit(offsets=inflight.offsets)
                    copied += len(inflight.futures)
                    inflight = None
                elif stop_when_idle_s is not None and copied and \
                        time.monotonic() - last_record_at >= stop_when_idle_s:  # fmt: skip
                    break
                continue
            last_record_at = time.monotonic()
            if inflight is not None:
                _acknowledged(producer, inflight, flush_timeout_s)
            batch = _Batch()
            for tp, recs in records.items():
                for rec in recs:
                    batch.futures.append(producer.send(
                        settings.topics.output, key=rec.key, value=rec.value,
                        headers=list(rec.headers or [])))
                batch.offsets[tp] = OffsetAndMetadata(recs[-1].offset + 1, "", -1)
            if inflight is not None:
                consumer.commit_async(offsets=inflight.offsets)
                copied += len(inflight.futures)
            inflight = batch
        if inflight is not None:
            _acknowledged(producer, inflight, flush_timeout_s)
            consumer.commit(offsets=inflight.offsets)
            copied += len(inflight.futures)
    finally:
        consumer.close(autocommit=False)
        producer.close(timeout=settings.shutdown.drain_timeout_s)
    return copied


def main(argv: list[str] | None = None) -> int:
    """Parse the worker-like flags and copy."""
    parser = argparse.ArgumentParser(description="Kafka pass-through baseline")
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--input-topic", required=True)
    parser.add_argument("--output-topic", required=True)
    parser.add_argument("--dlq-topic", default=None, help="accepted for symmetry; unused")
    parser.add_argument("--group-id", required=True)
    parser.add_argument("--stop-when-idle", type=float, default=None)
    args = parser.parse_args(argv)
    config = DEFAULT_CONFIG_PATH if DEFAULT_CONFIG_PATH.is_file() else None
    settings = load_settings(Path(config) if config else None, overrides={
        "kafka.bootstrap_servers": args.bootstrap_servers,
        "topics.input": args.input_topic,
        "topics.output": args.output_topic,
        "consumer.group_id": args.group_id,
    })
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    copied = run(settings, stop, args.stop_when_idle)
    print(f"passthrough: copied {copied} messages", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
