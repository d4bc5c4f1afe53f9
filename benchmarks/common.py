"""What every benchmark shares: payloads, percentiles, /proc readings and the machine.

Payloads are built from the repository's examples and the shared corpora (`--corpus-dir`,
default `../shared/corpus` next to the repository). Every payload gets a distinct id, URL and
(for text) a distinct last paragraph, so nothing downstream can get a free ride from
duplicate detection or from repeated identical input.
"""

from __future__ import annotations

import gzip
import os
import platform
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from worker.pipeline.version import PIPELINE_BUILD

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS_DIR = Path(os.environ.get("BENCH_CORPUS_DIR", REPO.parent / "shared" / "corpus"))

_TITLE_KEYS = ("title", "judul", "judul berita")
_URL_KEYS = ("url", "link", "source_url")

#: A page used when the HTML corpus is absent (smoke tests on a bare clone).
_FALLBACK_PAGE = (
    "<html><head><title>Banjir rob rendam pesisir</title></head><body><nav>Beranda | Berita</nav>"
    "<article><h1>Banjir rob rendam pesisir</h1>"
    + "<p>Banjir rob kembali merendam ratusan rumah warga di kawasan pesisir utara kota. "
    "Ketinggian air di sejumlah titik mencapai 50 sentimeter menurut petugas setempat.</p>" * 6
    + "</article><footer>Hak cipta dilindungi</footer></body></html>"
)


def _meta_value(meta: dict[str, Any], keys: Sequence[str]) -> str | None:
    lowered = {str(k).lower(): v for k, v in meta.items()}
    for key in keys:
        value = lowered.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def text_sources(corpus_dir: Path = DEFAULT_CORPUS_DIR) -> list[dict[str, Any]]:
    """The distinct text payloads: examples/ plus the id-news dev corpus when it is there."""
    sources: list[dict[str, Any]] = [
        orjson.loads(line)
        for line in (REPO / "examples" / "articles.jsonl").read_bytes().splitlines()
        if line.strip()
    ]
    sources.append(orjson.loads((REPO / "examples" / "viva-putin-kim.json").read_bytes()))
    corpus = corpus_dir / "id-news" / "dev.jsonl"
    if corpus.is_file():
        for line in corpus.read_bytes().splitlines():
            if not line.strip():
                continue
            record = orjson.loads(line)
            meta = record.get("raw_meta") or {}
            payload: dict[str, Any] = {"id": record["id"], "text": record["raw"]}
            title, url = _meta_value(meta, _TITLE_KEYS), _meta_value(meta, _URL_KEYS)
            if title:
                payload["title"] = title
            if url:
                payload["url"] = url
            sources.append(payload)
    return sources


def html_sources(corpus_dir: Path = DEFAULT_CORPUS_DIR) -> list[dict[str, Any]]:
    """The distinct HTML payloads: the html-dev pages, or one built-in page without them."""
    html_dir = corpus_dir / "html-dev" / "html"
    truth_file = corpus_dir / "html-dev" / "ground-truth.json"
    urls: dict[str, str | None] = {}
    if truth_file.is_file():
        truth = orjson.loads(truth_file.read_bytes())
        urls = {k: v.get("url") for k, v in truth.items() if isinstance(v, dict)}
    pages = sorted(html_dir.glob("*.html.gz")) if html_dir.is_dir() else []
    if not pages:
        return [{"id": "fallback-page", "url": "https://example.com/berita/banjir",
                 "html": _FALLBACK_PAGE}]
    out = []
    for page in pages:
        page_id = page.name.removesuffix(".html.gz")
        html = gzip.decompress(page.read_bytes()).decode("utf-8", errors="replace")
        payload: dict[str, Any] = {"id": page_id, "html": html}
        url = urls.get(page_id)
        if url:
            payload["url"] = url
        out.append(payload)
    return out


def _with_query(url: str, n: int) -> str:
    return f"{url}{'&' if '?' in url else '?'}bench={n}"


def replicate(sources: Sequence[dict[str, Any]], count: int, prefix: str) -> Iterator[bytes]:
    """`count` payloads (JSON bytes) cycling through `sources`, each with distinct id and URL.

    Text payloads also get a distinct closing paragraph, so their content hashes differ.
    Built lazily: the benchmark's own memory must not inflate the measured peak RSS.
    """
    for i in range(count):
        payload = dict(sources[i % len(sources)])
        payload["id"] = f"{prefix}-{i}"
        payload["url"] = _with_query(payload.get("url") or "https://example.com/bench", i)
        if "text" in payload:
            payload["text"] = payload["text"] + f"\n\nCatatan redaksi nomor {i} untuk pengujian."
        yield orjson.dumps(payload)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class ProcSample:
    """CPU seconds (user + system, all threads) and memory of one process, from /proc."""

    cpu_s: float
    rss_bytes: int
    peak_rss_bytes: int


def proc_sample(pid: int) -> ProcSample:
    """Read /proc/<pid>/stat and /proc/<pid>/status (Linux only)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    # Fields after the command name (which may hold spaces) start at the last ')'.
    fields = stat[stat.rindex(")") + 2 :].split()
    cpu_s = (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime, stime
    rss = peak = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) * 1024
        elif line.startswith("VmHWM:"):
            peak = int(line.split()[1]) * 1024
    return ProcSample(cpu_s=cpu_s, rss_bytes=rss, peak_rss_bytes=peak)


def loadavg() -> list[float]:
    """The 1, 5 and 15 minute load averages."""
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def machine() -> dict[str, Any]:
    """What the numbers came from: cores, CPU model, memory, Python, kernel."""
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "mem_total_bytes": mem_kb * 1024,
        "python": platform.python_version(),
        "python_executable": sys.executable,
        # The image compiles the pipeline with mypyc; `make bench` measures that build.
        "worker_build": PIPELINE_BUILD,
        "kernel": platform.release(),
        "git_commit": _git_commit(),
    }


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, check=True, timeout=10)
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "worker"],
                               capture_output=True, text=True, check=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() + ("+dirty-worker" if dirty.stdout.strip() else "")


def pinned(cmd: Sequence[str], cpu: int | None) -> list[str]:
    """`cmd` run through `taskset -c cpu` when a CPU is given and taskset exists."""
    if cpu is None or not _has_taskset():
        return list(cmd)
    return ["taskset", "-c", str(cpu), *cmd]


def _has_taskset() -> bool:
    return any((Path(d) / "taskset").exists() for d in os.environ.get("PATH", "").split(":"))


PYTHON = sys.executable
#: The directory this `benchmarks` package was imported from: the repository in a developer
#: venv, `.bench/path` (which holds only `benchmarks`) under `make bench`.
IMPORT_ROOT = str(Path(__file__).absolute().parents[1])


def module_command(module: str, *args: str) -> list[str]:
    """Run `module` in a child process that imports what this process imports.

    `-P` keeps the working directory off sys.path and PYTHONPATH is `IMPORT_ROOT` (see
    `child_env`), so under `make bench` the child's `worker` is the compiled install, never the
    sources in the repository.
    """
    return [PYTHON, "-P", "-m", module, *args]


def child_env(base: dict[str, str] | None = None, **extra: str) -> dict[str, str]:
    """`base` (default: this process's environment) with PYTHONPATH for `module_command`."""
    return (dict(os.environ) if base is None else base) | {"PYTHONPATH": IMPORT_ROOT} | extra
