"""Quality gate: the offline mode scored against the hand-labelled id-news corpus.

Runs `../shared/tools/eval_text.py` with the thresholds of the text-cleaning issue. The corpus
and the scorer live beside the repository (as in CI); when they are missing this test fails
and says so, rather than skipping silently.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus" / "id-news" / "dev.jsonl"
SCORER = SHARED / "tools" / "eval_text.py"

THRESHOLDS = [
    "--min", "body_f1=0.97", "--max", "leak=0.02", "--min", "title_acc=0.95",
    "--min", "publisher_acc=0.9", "--min", "language_acc=1", "--min", "date_acc=0.9",
    "--max", "invented_dates=0", "--min", "dateline_acc=0.9", "--min", "ent_recall=0.8",
    "--min", "ent_prec=0.5", "--min", "quote_recall=0.8", "--min", "speaker_acc=0.9",
    "--max", "dead_letters=0",
]


def test_dev_corpus_meets_the_quality_bar() -> None:
    missing = "the text quality gate cannot run without ../shared"
    assert CORPUS.is_file(), f"the labelled corpus {CORPUS} is missing: {missing}"
    assert SCORER.is_file(), f"the scorer {SCORER} is missing: {missing}"
    cmd = f"{sys.executable} -m worker process"
    result = subprocess.run(
        [sys.executable, str(SCORER), str(CORPUS), "--cmd", cmd, *THRESHOLDS],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )
    print(result.stdout)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
