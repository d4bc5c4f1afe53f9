"""Offline pipeline benchmark: payload bytes in, output document bytes out, no broker.

Each message goes through the same code as the worker: `Processor.handle` (decode, deadline,
pipeline, duplicate window, with the stage histograms on) and `article_document` + `dumps`.
The per-stage breakdown is read back from the worker's own `stage_duration_seconds`
histogram, so it times exactly what production times.

Run it in its own process so that its peak RSS is the pipeline's::

    taskset -c 0 python -m benchmarks.pipeline --kind text --count 10000
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import prometheus_client

from benchmarks.common import (
    DEFAULT_CORPUS_DIR,
    html_sources,
    percentile,
    proc_sample,
    replicate,
    text_sources,
)
from worker.metrics import STAGES, Metrics
from worker.output import article_document, dead_letter_document, dumps
from worker.pipeline.run import PipelineConfig
from worker.processor import Processor
from worker.rules_file import load_rules
from worker.settings import Settings

_STAGE_METRIC = "article_worker_stage_duration_seconds"


def run_pipeline(kind: str, count: int, *, warmup: int = 50,
                 corpus_dir: Path = DEFAULT_CORPUS_DIR) -> dict[str, Any]:
    """Process `count` payloads of `kind` ("text" or "html") in this process; the numbers."""
    sources = text_sources(corpus_dir) if kind == "text" else html_sources(corpus_dir)
    settings = Settings()
    registry = prometheus_client.CollectorRegistry()
    metrics = Metrics(registry)
    processor = Processor(
        PipelineConfig(rules=load_rules(settings.processing.rules_file)),
        max_payload_bytes=settings.processing.max_payload_bytes,
        message_timeout_s=settings.processing.message_timeout_s,
        duplicate_window=settings.processing.duplicates.window,
        metrics=metrics,
    )
    # Warm-up on separate payloads: lazy loading (language models, gazetteers) is start-up
    # cost, reported apart as the first message's latency.
    first_ms: float | None = None
    for value in replicate(sources, warmup, f"warm-{kind}"):
        start = time.perf_counter()
        _one(processor, value)
        if first_ms is None:
            first_ms = (time.perf_counter() - start) * 1000
    stage_before = _stage_sums(registry)
    rss_after_warmup = proc_sample(os.getpid()).rss_bytes

    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    payload_bytes = 0
    output_s = 0.0
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    for value in replicate(sources, count, f"bench-{kind}"):
        payload_bytes += len(value)
        start = time.perf_counter()
        outcome, out_s = _one(processor, value)
        latencies.append(time.perf_counter() - start)
        output_s += out_s
        outcomes[outcome] += 1
    wall_s = time.perf_counter() - wall_start
    cpu_s = time.process_time() - cpu_start
    stage_after = _stage_sums(registry)
    stages_ms = {
        stage: (stage_after[stage] - stage_before[stage]) * 1000 / count
        for stage in STAGES if stage != "output" and stage_after[stage] > stage_before[stage]
    }
    stages_ms["output"] = output_s * 1000 / count
    sample = proc_sample(os.getpid())
    return {
        "kind": kind,
        "payloads": count,
        "distinct_sources": len(sources),
        "mean_payload_bytes": round(payload_bytes / count) if count else 0,
        "outcomes": dict(outcomes),
        "wall_s": round(wall_s, 3),
        "cpu_s": round(cpu_s, 3),
        "articles_per_s": round(count / wall_s, 1),
        "articles_per_cpu_s": round(count / cpu_s, 1) if cpu_s else None,
        "latency_ms": {
            "p50": round(percentile(latencies, 50) * 1000, 3),
            "p90": round(percentile(latencies, 90) * 1000, 3),
            "p99": round(percentile(latencies, 99) * 1000, 3),
            "max": round(max(latencies) * 1000, 3) if latencies else None,
            "mean": round(sum(latencies) * 1000 / count, 3) if count else None,
            "first_message": round(first_ms, 3) if first_ms is not None else None,
        },
        "stages_mean_ms": {k: round(v, 4) for k, v in stages_ms.items()},
        "rss_after_warmup_bytes": rss_after_warmup,
        "peak_rss_bytes": sample.peak_rss_bytes,
        "pid_cpu_affinity": sorted(os.sched_getaffinity(0)),
    }


def _one(processor: Processor, value: bytes) -> tuple[str, float]:
    """One message through the worker's code; the outcome label and the output time."""
    outcome = processor.handle(value, partition=0)
    start = time.perf_counter()
    now = datetime.now(UTC)
    if outcome.article is not None:
        doc = article_document(outcome.article, source=None, processed_at=now,
                               duplicate_of=outcome.duplicate_of)
        label = "duplicate" if outcome.duplicate_of else "article"
    else:
        assert outcome.error is not None  # an outcome has an article or an error
        doc = dead_letter_document(value, outcome.error, source=None, failed_at=now,
                                   source_id=outcome.source_id)
        label = f"dead_letter:{outcome.error.reason}"
    dumps(doc)
    return label, time.perf_counter() - start


def _stage_sums(registry: prometheus_client.CollectorRegistry) -> dict[str, float]:
    return {
        stage: registry.get_sample_value(f"{_STAGE_METRIC}_sum", {"stage": stage}) or 0.0
        for stage in (*STAGES, "total")
    }


def main(argv: list[str] | None = None) -> int:
    """Print one JSON result line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--kind", choices=("text", "html"), default="text")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--corpus-dir", type=Path, default=DEFAULT_CORPUS_DIR)
    args = parser.parse_args(argv)
    result = run_pipeline(args.kind, args.count, warmup=args.warmup, corpus_dir=args.corpus_dir)
    sys.stdout.buffer.write(orjson.dumps(result) + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
