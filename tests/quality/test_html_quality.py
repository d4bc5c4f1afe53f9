"""Quality gate: our extractor on the benchmark's dev split must reach F1 >= 0.975.

Runs the shared benchmark (``<repo>/../shared/tools/html_bench.py``) on the dev corpus
(``<repo>/../shared/corpus/html-dev``) with ``benchmarks/html_driver.py`` as a JSON-lines
command, exactly as a person would from the shell. 0.975 is what trafilatura 2.3.1 gets with
favor_precision on this split. Timing is printed for the record, not asserted here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
BENCH = SHARED / "tools" / "html_bench.py"
CORPUS = SHARED / "corpus" / "html-dev"
DRIVER = REPO / "benchmarks" / "html_driver.py"
MIN_F1 = 0.975


def test_dev_f1_beats_trafilatura_precision(tmp_path: Path) -> None:
    assert (CORPUS / "ground-truth.json").is_file(), (
        f"benchmark corpus missing: expected the dev split at {CORPUS} "
        "(the shared/corpus folder next to this repository)"
    )
    assert BENCH.is_file(), f"benchmark tool missing: expected {BENCH}"
    summary = tmp_path / "summary.json"
    command = f"{sys.executable} {DRIVER}"
    completed = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            "score",
            str(CORPUS),
            "--cmd",
            f"ours={command}",
            "--bootstrap",
            "0",
            "--json-out",
            str(summary),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    print(completed.stdout)
    result = json.loads(summary.read_text("utf-8"))["results"]["ours"]
    assert result["pages"] == 62
    assert result["empty"] == 0
    assert result["f1"] >= MIN_F1, f"dev F1 {result['f1']:.4f} < {MIN_F1}"
