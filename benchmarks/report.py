"""Targets and the Markdown table of a results document (pure functions of the JSON)."""

from __future__ import annotations

import math
from typing import Any

PEAK_RSS_LIMIT = 150 * 1000 * 1000  # 150 MB
SINGLE_CORE_TARGET = 1000.0
E2E_RATIO_TARGET = 0.70
AGE_P99_TARGET_S = 1.0
SCALING_TARGET = 1.7


def _get(doc: dict[str, Any] | None, *path: str) -> Any:
    cur: Any = doc
    for key in path:
        if not isinstance(cur, dict):
            return None
        cur = cur.get(key)
    if isinstance(cur, float) and math.isnan(cur):
        return None
    return cur


def _check(value: float | None, ok: bool | None, target: str) -> dict[str, Any]:
    return {"value": value, "target": target, "met": ok}


def evaluate_targets(results: dict[str, Any]) -> dict[str, Any]:
    """Each target of the issue: the measured value, the target, and met/not met/unknown."""
    e2e = _get(results, "e2e_text", "articles_per_s")
    pipe = _get(results, "pipeline_text", "articles_per_s")
    passthrough = _get(results, "passthrough", "messages_per_s")
    targets: dict[str, Any] = {}
    ceiling = min(pipe, passthrough) if pipe and passthrough else None
    ratio = round(e2e / ceiling, 3) if e2e and ceiling else None
    targets["e2e_vs_ceiling"] = _check(
        ratio, None if ratio is None else ratio >= E2E_RATIO_TARGET,
        ">= 0.70 of min(pipeline text, pass-through)")
    targets["e2e_single_core"] = _check(
        e2e, None if e2e is None else e2e >= SINGLE_CORE_TARGET,
        ">= 1000 text articles/s, one worker process on one core")
    targets["pipeline_single_core"] = _check(
        pipe, None if pipe is None else pipe >= SINGLE_CORE_TARGET,
        ">= 1000 text articles/s offline on one core")
    age = _get(results, "rate_limited", "500", "age_p99_s")
    targets["age_p99_at_500"] = _check(
        age, None if age is None else age < AGE_P99_TARGET_S,
        "p99 end-to-end age < 1 s with a producer at 500 articles/s (half of 1000)")
    for name, path in (("peak_rss_e2e", ("e2e_text", "peak_rss_bytes")),
                       ("peak_rss_pipeline_text", ("pipeline_text", "peak_rss_bytes")),
                       ("peak_rss_pipeline_html", ("pipeline_html", "peak_rss_bytes"))):
        rss = _get(results, *path)
        targets[name] = _check(rss, None if rss is None else rss <= PEAK_RSS_LIMIT, "<= 150 MB")
    scaling = _get(results, "scaling", "two_vs_one")
    targets["scaling"] = _check(
        scaling, None if scaling is None else scaling >= SCALING_TARGET,
        ">= 1.7x with two processes on a 4-partition topic")
    return targets


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if unit == "MB":
        return f"{value / 1e6:.0f} MB"
    if unit == "ms":
        return f"{value:.2f} ms"
    if unit == "s":
        return f"{value:.3f} s"
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.3g}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _load(doc: dict[str, Any] | None) -> str:
    before, after = _get(doc, "load_before"), _get(doc, "load_after")
    parts = []
    if before:
        parts.append("before " + "/".join(f"{x:.2f}" for x in before))
    if after:
        parts.append("after " + "/".join(f"{x:.2f}" for x in after))
    return ", ".join(parts) or "–"


def _cpu_ms(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds * 1000:.2f}"


def _ages(doc: dict[str, Any], q: str) -> str:
    """A pre-loaded run's age (since the input was written) and its age since the start."""
    age = _get(doc, f"age_{q}_s")
    if age is None:
        return "–"
    return (f"age {_fmt(age, 's')} (from start "
            f"{_fmt(_get(doc, f'age_from_start_{q}_s'), 's')})")


def render_markdown(results: dict[str, Any]) -> str:
    """The results table (with machine, load averages and targets) as Markdown."""
    m = results.get("machine") or {}
    s = results.get("settings") or {}
    lines = [
        f"Benchmark run {results.get('generated_at')} on {m.get('nproc')} cores "
        f"({m.get('cpu_model')}), {(m.get('mem_total_bytes') or 0) / 2**30:.1f} GiB RAM, "
        f"Python {m.get('python')}, commit {m.get('git_commit')}, pipeline build "
        f"{m.get('worker_build', 'interpreted')}. Single-core runs pinned "
        f"with `taskset -c {s.get('single_core_pin')}`; the broker (one local node) is not "
        f"pinned. Load average (1/5/15 min) at start "
        f"{'/'.join(str(x) for x in (results.get('load') or {}).get('start', []))}, at end "
        f"{'/'.join(str(x) for x in (results.get('load') or {}).get('end', []))}.",
        "",
        "| measurement | articles/s | p50 | p99 | CPU ms / article | peak RSS | load avg |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, key in (("pipeline only, text (one core)", "pipeline_text"),
                       ("pipeline only, HTML (one core)", "pipeline_html")):
        doc = results.get(key)
        if not doc:
            continue
        lines.append(
            f"| {label}, {doc.get('payloads'):,} payloads | {_fmt(doc.get('articles_per_s'))} | "
            f"{_fmt(_get(doc, 'latency_ms', 'p50'), 'ms')} | "
            f"{_fmt(_get(doc, 'latency_ms', 'p99'), 'ms')} | "
            f"{_cpu_ms((doc.get('cpu_s') or 0) / max(1, doc.get('payloads') or 1))} | "
            f"{_fmt(doc.get('peak_rss_bytes'), 'MB')} | {_load(doc)} |")
    rows = [
        ("end to end, text, 1 worker (one core), cold start", "e2e_text", "articles_per_s",
         "cpu_s_per_article"),
        ("pass-through baseline (one core), no processing", "passthrough", "messages_per_s",
         "cpu_s_per_message"),
        ("end to end, exactly-once, 1 worker (one core)", "exactly_once", "articles_per_s",
         "cpu_s_per_article"),
    ]
    for label, key, rate_key, cpu_key in rows:
        doc = results.get(key)
        if not doc:
            continue
        if "error" in doc or (key == "exactly_once" and doc.get("status") != "measured"):
            lines.append(f"| {label} | {doc.get('status') or doc.get('error')} | | | | | "
                         f"{_load(doc)} |")
            continue
        lines.append(
            f"| {label}, {doc.get('input_messages'):,} msgs | {_fmt(doc.get(rate_key))} "
            f"(steady {_fmt(doc.get('steady_' + rate_key))}) | {_ages(doc, 'p50')} | "
            f"{_ages(doc, 'p99')} | {_cpu_ms(doc.get(cpu_key))} | "
            f"{_fmt(doc.get('peak_rss_bytes'), 'MB')} | {_load(doc)} |")
    scaling = results.get("scaling") or {}
    for label, key in (("end to end, 1 worker, unpinned", "one"),
                       ("end to end, 2 workers, unpinned", "two")):
        doc = scaling.get(key)
        if not doc:
            continue
        if "error" in doc:
            lines.append(f"| {label} | {doc['error']} | | | | | {_load(doc)} |")
            continue
        lines.append(
            f"| {label}, {doc.get('input_messages'):,} msgs | {_fmt(doc.get('articles_per_s'))}"
            f" (steady {_fmt(doc.get('steady_articles_per_s'))}) | {_ages(doc, 'p50')} | "
            f"{_ages(doc, 'p99')} | {_cpu_ms(doc.get('cpu_s_per_article'))} | "
            f"{_fmt(doc.get('peak_rss_bytes'), 'MB')} | {_load(doc)} |")
    for rate, doc in sorted((results.get("rate_limited") or {}).items(),
                            key=lambda kv: float(kv[0])):
        if "error" in doc:
            lines.append(f"| rate-limited producer {rate}/s | {doc['error']} | | | | | "
                         f"{_load(doc)} |")
            continue
        produced = doc.get("produced") or {}
        lines.append(
            f"| rate-limited producer at {_fmt(produced.get('achieved_rate'))}/s, 1 worker "
            f"(one core), {produced.get('messages'):,} msgs | – | "
            f"age {_fmt(doc.get('age_p50_s'), 's')} | age {_fmt(doc.get('age_p99_s'), 's')} | – | "
            f"{_fmt(doc.get('peak_rss_bytes'), 'MB')} | {_load(doc)} |")
    lines += ["", "Pre-loaded runs: `age` = output append time - input record timestamp, so it "
              "includes the time the input waited on the topic before the worker started (the "
              "topic is shared by the runs); `from start` counts from the process start. "
              "Latency under live traffic is the rate-limited rows.", "", "Ratios: "
              f"end to end / min(pipeline, pass-through) = "
              f"{_fmt(_get(results, 'targets', 'e2e_vs_ceiling', 'value'))}; "
              f"two workers / one = {_fmt(scaling.get('two_vs_one'))}."]
    lines += _scaling_notes(scaling)
    for key, title in (("pipeline_text", "text"), ("pipeline_html", "HTML")):
        stages = _get(results, key, "stages_mean_ms")
        if stages:
            lines += ["", f"Per-stage mean, pipeline {title} (ms per article): " + ", ".join(
                f"{name} {value:.3f}" for name, value in stages.items())]
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    for name, t in (results.get("targets") or {}).items():
        value = t.get("value")
        shown = _fmt(value, "MB") if name.startswith("peak_rss") else _fmt(value)
        met = {True: "yes", False: "**no**", None: "not measured"}[t.get("met")]
        lines.append(f"| {name}: {t.get('target')} | {shown} | {met} |")
    return "\n".join(lines) + "\n"


def _scaling_notes(scaling: dict[str, Any]) -> list[str]:
    """What limits two workers against one: CPU per article, the ceiling, each process."""
    lines: list[str] = []
    ceiling = scaling.get("cpu_ceiling")
    if ceiling:
        idle = _get(scaling, "broker_idle", "cpu_s_per_s")
        lines += ["", (
            f"Scaling ceiling on {ceiling['cores']} cores shared with the broker: worker CPU "
            f"{ceiling['worker_cpu_ms_per_article_one']:.3f} ms/article with one worker, "
            f"{ceiling['worker_cpu_ms_per_article_two']:.3f} with two; broker CPU "
            f"{ceiling['broker_cpu_ms_per_article_one']:.3f} / "
            f"{ceiling['broker_cpu_ms_per_article_two']:.3f} ms/article"
            + (f" (idle broker: {idle * 1000:.0f} ms CPU per second)" if idle is not None
               else "")
            + f". Two/one can reach at most {ceiling['formula']} = "
            f"{ceiling['max_two_vs_one']} ({ceiling['max_two_vs_one_same_costs']} if two "
            "workers cost per article what one does).")]
    for key in ("one", "two"):
        each = _get(scaling, key, "each") or []
        if len(each) < 2:
            continue
        lines += ["", f"Each of the {len(each)} workers: " + "; ".join(
            f"partitions {p.get('partitions_at_end')} from "
            f"{_fmt(p.get('first_assigned_after_s'), 's')}, {_fmt(p.get('consumed'))} articles, "
            f"last output at {_fmt(p.get('finished_after_s'), 's')}, "
            f"{_cpu_ms(p.get('cpu_s_per_article'))} ms CPU per article" for p in each)
            + " (times from the start of the processes)."]
    return lines
