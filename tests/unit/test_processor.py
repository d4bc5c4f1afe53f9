"""worker.processor with metrics: stage timings reach the histograms at once."""

from __future__ import annotations

import orjson
from prometheus_client import CollectorRegistry

from worker.metrics import Metrics
from worker.pipeline.run import PipelineConfig
from worker.processor import Processor
from worker.rules_file import load_rules


def test_stage_timings_are_observed_by_handle_itself() -> None:
    # benchmarks/pipeline.py reads the stage histograms right after handle(), without the
    # loop (which flushes the buffered per-message histograms) around it.
    registry = CollectorRegistry()
    processor = Processor(PipelineConfig(rules=load_rules(None)), max_payload_bytes=1 << 20,
                          message_timeout_s=10, duplicate_window=10, metrics=Metrics(registry))
    text = "Pemerintah kota mengumumkan rencana baru.\n\nPekerjaan dimulai bulan depan."
    outcome = processor.handle(orjson.dumps({"id": "a", "text": text}))
    assert outcome.article is not None
    for stage in ("decode", "clean", "enrich"):
        assert registry.get_sample_value(
            "article_worker_stage_duration_seconds_count", {"stage": stage}) == 1.0
