"""Golden test of the defining example: the VIVA payload through the offline `process` mode."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "viva-putin-kim.json"
EXPECTED_BODY = REPO / "tests" / "golden" / "viva-putin-kim.body.json"


def run_process(payload: bytes) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-m", "worker", "process"], input=payload + b"\n",
        capture_output=True, cwd=REPO, check=True, timeout=60,
    )
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    doc: dict[str, object] = orjson.loads(lines[0])
    return doc


def test_viva_example_comes_out_as_labelled() -> None:
    doc = run_process(orjson.dumps(orjson.loads(EXAMPLE.read_bytes())))
    assert doc["title"] == "Pertemuan Pertama Putin-Kim, Sepakat Tingkatkan Hubungan Bilateral"
    assert doc["publisher"] == "VIVA"
    assert doc["language"]["code"] == "id"  # type: ignore[index]
    # The dateline is kept verbatim: the seed has no-break spaces around its dash.
    assert doc["dateline"] == {"raw": "VIVA\u00a0–", "location": None}
    # The nine paragraphs of the hand label (record seed-viva-putin-kim of the id-news corpus).
    assert doc["paragraphs"] == orjson.loads(EXPECTED_BODY.read_bytes())
    removed = [(r["kind"], r["text"].strip()) for r in doc["removed"]]  # type: ignore[attr-defined]
    assert ("image_caption", "Pemimpin Korea Utara, Kim Jong-un.") in removed
    assert ("photo_credit", "Sumber :") in removed
    assert ("photo_credit", "• Istimewa") in removed
    headlines = [t for kind, t in removed if kind == "related_headline"]
    assert headlines == [
        "Delegasi Korea Utara Kunjungi Iran, Isu Kerjasama Semakin Kuat",
        "Deretan Negara Paling Tak Percaya Tuhan di Dunia, Mayoritas di Benua Asia!",
        "Kim Jong Un Dikabarkan Punya Selingkuhan Seorang Penyanyi, Hingga Punya Anak Bersama",
    ]
    assert [t for kind, t in removed if kind == "pagination"] == ["Halaman Selanjutnya"] * 2
    assert doc["published_at"] == "2019-04-25"
