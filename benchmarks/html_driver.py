"""JSON-lines driver for html_bench.py: ``{"id","url","html"}`` in, ``{"source_id","body"}`` out.

Usage (from the repository root)::

    python ../shared/tools/html_bench.py score ../shared/corpus/html-dev \\
        --cmd 'ours=.venv/bin/python benchmarks/html_driver.py' -e trafilatura -e readability

One output line per input line, flushed at once (the bench times each page in lockstep).
A page the extractor rejects (`HtmlRejected`) gets an empty body, as the benchmark expects;
the rejection reason goes to stderr. Add ``--extractor`` to also emit which cascade path
produced each body (field ``extractor``), and ``--timing`` to emit the in-process time of
`extract_html` (field ``extract_ms``) and print its median and p95 to stderr at the end: the
bench's own per-page times also count the pipe and JSON round trip.
"""

from __future__ import annotations

import logging
import statistics
import sys
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from worker.pipeline.html import HtmlRejected, extract_html
from worker.pipeline.html.fallback import THIRD_PARTY_LOGGERS

_WARMUP_PAGE = (
    "<html><body><article><p>"
    + "A warm-up sentence so that lazy initialisation does not land on the first page. " * 8
    + "</p></article></body></html>"
)


def main() -> int:
    """Answer every stdin record with one stdout record."""
    for name in THIRD_PARTY_LOGGERS:  # their "discarding data" warnings are expected noise
        logging.getLogger(name).setLevel(logging.ERROR)
    with_extractor = "--extractor" in sys.argv[1:]
    with_timing = "--timing" in sys.argv[1:]
    times: list[float] = []
    extract_html(_WARMUP_PAGE)
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        record = orjson.loads(line)
        answer: dict[str, object] = {"source_id": record.get("id")}
        started = time.perf_counter()
        try:
            result = extract_html(record.get("html") or "", url=record.get("url"))
        except HtmlRejected as exc:
            print(f"{record.get('id')}: rejected: {exc.reason}: {exc.message}", file=sys.stderr)
            answer["body"] = ""
            answer["extractor"] = f"rejected:{exc.reason}"
        else:
            answer["body"] = "\n\n".join(result.paragraphs)
            answer["extractor"] = result.extractor
        if not with_extractor:
            del answer["extractor"]
        if with_timing:
            times.append(1000 * (time.perf_counter() - started))
            answer["extract_ms"] = round(times[-1], 3)
        out.write(orjson.dumps(answer) + b"\n")
        out.flush()
    if times:
        ordered = sorted(times)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        print(
            f"extract_html: {len(times)} pages, median {statistics.median(times):.2f} ms, "
            f"p95 {p95:.2f} ms, mean {statistics.mean(times):.2f} ms",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
