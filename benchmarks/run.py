"""`make bench`: every benchmark in one go; writes results/latest.json and results/latest.md.

1. pipeline only (offline, one process pinned to one core): text and HTML payloads;
2. end to end through a real broker (started here with scripts/kafka.sh on a free port):
   a pre-loaded 4-partition topic, the worker started cold, until all is committed;
3. the pass-through baseline (same client settings and commit discipline, no processing);
4. exactly-once against at-least-once (reported as not measured while the worker writes no
   transactions in that mode);
5. two worker processes against one (both unpinned);
6. a rate-limited producer: end-to-end age of a worker that keeps up.

`--only-scaling` runs only what phase 5 needs (a short pass-through first, to warm the
broker) and writes results/scaling.{json,md}.

The machine, the load average before and after every phase and the git commit go into the
results: the numbers mean little without them. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from benchmarks import e2e
from benchmarks.common import (
    DEFAULT_CORPUS_DIR,
    REPO,
    child_env,
    loadavg,
    machine,
    module_command,
    pinned,
    proc_sample,
    replicate,
    text_sources,
)
from benchmarks.report import evaluate_targets, render_markdown

RESULTS_DIR = REPO / "benchmarks" / "results"


def pipeline_phase(kind: str, count: int, cpu: int | None, corpus_dir: Path) -> dict[str, Any]:
    """The offline pipeline in its own (pinned) process, so its peak RSS is its own."""
    cmd = module_command("benchmarks.pipeline", "--kind", kind, "--count", str(count),
                         "--corpus-dir", str(corpus_dir))
    out = subprocess.run(pinned(cmd, cpu), cwd=REPO, capture_output=True, check=False,
                         env=child_env(), timeout=3600)
    if out.returncode != 0:
        raise RuntimeError(f"pipeline benchmark failed: {out.stderr.decode()[-3000:]}")
    result: dict[str, Any] = orjson.loads(out.stdout.splitlines()[-1])
    result["cpu_pinning"] = cpu
    return result


def broker_phases(bootstrap: str, args: argparse.Namespace, cpu: int | None, workdir: Path,
                  note: Callable[[str], None], *, broker_pid: int | None = None
                  ) -> dict[str, Any]:  # fmt: skip
    """Every phase that needs the broker; each phase's failure is recorded, not fatal."""
    results: dict[str, Any] = {}
    n = args.e2e_count
    raw = e2e.new_input_topic(bootstrap, "text")
    results["preload"] = e2e.preload(
        bootstrap, raw, replicate(text_sources(args.corpus_dir), n, "e2e"))
    note(f"pre-loaded {n} text payloads on {raw}")

    def phase(name: str, fn: Callable[[], dict[str, Any]]) -> None:
        load_before = loadavg()
        try:
            result = fn()
        except Exception as exc:  # noqa: BLE001 - one broken phase must not lose the others
            result = {"error": f"{type(exc).__name__}: {exc}"}
        result["load_before"], result["load_after"] = load_before, loadavg()
        results[name] = result
        note(f"{name}: {_summary(result)}")

    def worker_run(tag: str, procs: int, pin: list[int | None], **settings: str
                   ) -> Callable[[], dict[str, Any]]:  # fmt: skip
        def run() -> dict[str, Any]:
            topics = e2e.new_run_topics(bootstrap, raw, tag)
            env = e2e.worker_env(**settings)
            cmd = e2e.worker_command(bootstrap, topics)
            return e2e.measure(bootstrap, topics, n, [(cmd, pin[i], env) for i in range(procs)],
                               workdir=workdir, label=tag, broker_pid=broker_pid,
                               read_committed="processing__guarantee" in settings)
        return run

    def passthrough_run() -> dict[str, Any]:
        topics = e2e.new_run_topics(bootstrap, raw, "pass")
        cmd = e2e.passthrough_command(bootstrap, topics)
        result = e2e.measure(bootstrap, topics, n, [(cmd, cpu, e2e.worker_env())],
                             workdir=workdir, label="passthrough", count_dlq=False,
                             broker_pid=broker_pid)
        for key in ("age_p50_s", "age_p99_s", "age_max_s", "output_distinct_sources"):
            result.pop(key, None)  # pass-through copies payloads: there is no source to age
        result["messages_per_s"] = result.pop("articles_per_s")
        result["steady_messages_per_s"] = result.pop("steady_articles_per_s")
        result["cpu_s_per_message"] = result.pop("cpu_s_per_article")
        return result

    if not args.only_scaling:
        phase("e2e_text", worker_run("alo", 1, [cpu]))
    # Also with --only-scaling: a few seconds that warm the broker's JIT for the runs below.
    phase("passthrough", passthrough_run)
    if args.eos and not args.only_scaling:
        phase("exactly_once", worker_run("eos", 1, [cpu], processing__guarantee="exactly_once"))
        _set_eos_status(results["exactly_once"])
    if args.scaling:
        if broker_pid is not None:
            results["broker_idle"] = broker_idle(broker_pid)
            note(f"broker idle: {results['broker_idle']}")
        phase("scaling_one", worker_run("one", 1, [None]))
        phase("scaling_two", worker_run("two", 2, [None, None]))
    if args.rate_seconds > 0 and not args.only_scaling:
        measured = results.get("e2e_text", {}).get("steady_articles_per_s") or 0.0
        rates = [500.0]
        if measured and measured < 1000:
            rates.append(round(measured / 2, 1))
        for rate in rates:
            count = max(1, int(rate * args.rate_seconds))
            values = list(replicate(text_sources(args.corpus_dir), count, f"rate{int(rate)}"))
            phase(f"rate_limited_{int(rate)}", _rate_run(bootstrap, values, rate, workdir, cpu))
    return results


def _set_eos_status(eos: dict[str, Any]) -> None:
    if "error" not in eos and not eos.get("transactional_output"):
        eos["status"] = ("not measured: the worker ran with processing.guarantee="
                         "exactly_once but wrote no transactions (mode not implemented yet)")
    elif "error" in eos:
        eos["status"] = "not measured: " + eos["error"]
    else:
        eos["status"] = "measured"


def broker_idle(pid: int, seconds: float = 5.0) -> dict[str, float]:
    """The broker's CPU while nobody talks to it: its share of every run's broker CPU."""
    before = proc_sample(pid).cpu_s
    time.sleep(seconds)
    return {"seconds": seconds,
            "cpu_s_per_s": round((proc_sample(pid).cpu_s - before) / seconds, 4)}


def _rate_run(bootstrap: str, values: list[bytes], rate: float, workdir: Path,
              cpu: int | None) -> Callable[[], dict[str, Any]]:  # fmt: skip
    def run() -> dict[str, Any]:
        return e2e.rate_limited(bootstrap, values, rate, workdir=workdir, cpu=cpu)
    return run


def _summary(result: dict[str, Any]) -> str:
    if "error" in result:
        return str(result["error"])
    keys = ("articles_per_s", "messages_per_s", "age_p99_s", "cpu_s_per_article",
            "peak_rss_bytes", "status")
    return ", ".join(f"{k}={result[k]}" for k in keys if k in result)


def assemble(raw: dict[str, Any]) -> dict[str, Any]:
    """The published layout: the keys the issue names, plus everything measured."""
    out: dict[str, Any] = {k: raw[k] for k in ("generated_at", "machine", "settings", "load")}
    out["pipeline_text"] = raw.get("pipeline_text")
    out["pipeline_html"] = raw.get("pipeline_html")
    broker = raw.get("broker") or {}
    out["e2e_text"] = broker.get("e2e_text")
    out["passthrough"] = broker.get("passthrough")
    out["exactly_once"] = broker.get("exactly_once")
    one, two = broker.get("scaling_one"), broker.get("scaling_two")
    if one or two:
        ratio = None
        if one and two and one.get("articles_per_s") and two.get("articles_per_s"):
            ratio = round(two["articles_per_s"] / one["articles_per_s"], 2)
        out["scaling"] = {"one": one, "two": two, "two_vs_one": ratio,
                          "broker_idle": broker.get("broker_idle"),
                          "cpu_ceiling": scaling_ceiling(one, two, raw["machine"].get("nproc"))}
    out["rate_limited"] = {k.removeprefix("rate_limited_"): v for k, v in broker.items()
                           if k.startswith("rate_limited_")} or None
    out["preload"] = broker.get("preload")
    out["broker_error"] = raw.get("broker_error")
    out["targets"] = evaluate_targets(out)
    return out


def scaling_ceiling(one: dict[str, Any] | None, two: dict[str, Any] | None,
                    cores: int | None) -> dict[str, Any] | None:  # fmt: skip
    """The best two/one ratio the CPU allows when the broker shares the workers' cores.

    One worker is bound by its own core: at most 1/w articles/s (w = worker CPU seconds per
    article). Two workers and the broker share `nproc` cores: at most nproc/(w2 + b2), with
    w2 and b2 the worker and broker CPU per article of the two-worker run. So two/one is at
    most nproc * w / (w2 + b2); with w2 = w and b2 = b that is the 2w/(w + b) of the issue.
    The harness's own CPU (its commit watcher) and other jobs on the machine only lower it.
    """
    if not one or not two or "error" in one or "error" in two:
        return None
    w, w2 = one.get("cpu_s_per_article"), two.get("cpu_s_per_article")
    b, b2 = one.get("broker_cpu_s_per_article"), two.get("broker_cpu_s_per_article")
    if not (w and w2 and b is not None and b2 is not None and cores):
        return None
    return {
        "cores": cores,
        "worker_cpu_ms_per_article_one": round(w * 1000, 4),
        "broker_cpu_ms_per_article_one": round(b * 1000, 4),
        "worker_cpu_ms_per_article_two": round(w2 * 1000, 4),
        "broker_cpu_ms_per_article_two": round(b2 * 1000, 4),
        "formula": "cores * w_one / (w_two + b_two)",
        "max_two_vs_one": round(cores * w / (w2 + b2), 2),
        "max_two_vs_one_same_costs": round(cores * w / (w + b), 2),
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="article-worker benchmarks")
    parser.add_argument("--text-count", type=int, default=10_000)
    parser.add_argument("--html-count", type=int, default=620)
    parser.add_argument("--e2e-count", type=int, default=20_000)
    parser.add_argument("--rate-seconds", type=float, default=12.0,
                        help="length of each rate-limited run (0 skips it)")
    parser.add_argument("--cpu", type=int, default=None,
                        help="the core to pin single-core runs to (default: the last one)")
    parser.add_argument("--bootstrap", default=None,
                        help="use this running broker instead of starting one")
    parser.add_argument("--no-broker", action="store_true", help="offline phases only")
    parser.add_argument("--no-eos", dest="eos", action="store_false")
    parser.add_argument("--no-scaling", dest="scaling", action="store_false")
    parser.add_argument("--only-scaling", action="store_true",
                        help="only the broker idle reading and the one/two worker runs; "
                             "writes scaling.json/.md instead of latest.*")
    parser.add_argument("--corpus-dir", type=Path, default=DEFAULT_CORPUS_DIR)
    parser.add_argument("--out-dir", type=Path, default=RESULTS_DIR)
    return parser


def _note(msg: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {msg} (load {loadavg()})",
          file=sys.stderr, flush=True)


def _broker_section(raw: dict[str, Any], args: argparse.Namespace, cpu: int | None) -> None:
    """Start a broker (unless one is given), run the broker phases, always stop it."""
    workdir = Path(tempfile.mkdtemp(prefix="article-worker-bench-"))
    raw["logs_dir"] = str(workdir)
    broker = None
    try:
        bootstrap = args.bootstrap
        if bootstrap is None:
            port = e2e.free_base_port()
            broker = e2e.Broker(port, Path(tempfile.gettempdir()) / f"article-worker-bench-{port}")
            _note(f"starting a broker on 127.0.0.1:{port}")
            bootstrap = broker.up()
        raw["broker"] = broker_phases(bootstrap, args, cpu, workdir, _note, broker_pid=
                                      broker.pid() if broker is not None else None)
    except Exception as exc:  # noqa: BLE001 - the offline numbers are still worth writing
        raw["broker_error"] = f"{type(exc).__name__}: {exc}"
        _note(f"broker phases failed: {raw['broker_error']}")
    finally:
        if broker is not None:
            broker.down()
            _note("broker stopped")


def main(argv: list[str] | None = None) -> int:
    """Run, write, print the table."""
    args = _parser().parse_args(argv)
    # SIGTERM (a CI timeout, `kill`) must still stop the worker processes and the broker,
    # which the `finally` blocks do: turn it into SystemExit.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    cpus = sorted(os.sched_getaffinity(0))
    cpu = args.cpu if args.cpu is not None else cpus[-1]
    raw: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {"text_count": args.text_count, "html_count": args.html_count,
                     "e2e_count": args.e2e_count, "rate_seconds": args.rate_seconds,
                     "single_core_pin": cpu, "partitions": e2e.PARTITIONS,
                     "worker_config": "config/worker.yaml defaults"},
        "load": {"start": loadavg()},
    }
    offline = () if args.only_scaling else (("text", args.text_count), ("html", args.html_count))
    for kind, count in offline:
        _note(f"pipeline {kind} x{count} on cpu {cpu}")
        load_before = loadavg()
        result = pipeline_phase(kind, count, cpu, args.corpus_dir)
        result["load_before"], result["load_after"] = load_before, loadavg()
        raw[f"pipeline_{kind}"] = result
        _note(f"pipeline {kind}: {result['articles_per_s']} articles/s")
    if not args.no_broker:
        _broker_section(raw, args, cpu)
    raw["load"]["end"] = loadavg()
    results = assemble(raw)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    stem = "scaling" if args.only_scaling else "latest"
    (args.out_dir / f"{stem}.json").write_bytes(
        orjson.dumps(results, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n")
    table = render_markdown(results)
    (args.out_dir / f"{stem}.md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    started = time.monotonic()
    code = main()
    print(f"[bench] done in {time.monotonic() - started:.0f} s", file=sys.stderr)
    sys.exit(code)
