"""The command line: exit codes, config errors, and the streaming offline mode."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import orjson
import pytest

import worker.cli
import worker.kafka.connect
from worker.cli import main
from worker.errors import ConfigError
from worker.settings import Settings

REPO = Path(__file__).resolve().parents[2]


def test_check_config_prints_effective_config_with_secrets_masked(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARTICLE_WORKER__KAFKA__SASL_PASSWORD", "s3cr3t-value")
    monkeypatch.chdir(REPO)
    assert main(["check-config"]) == 0
    out = capsys.readouterr().out
    assert "bootstrap_servers: 127.0.0.1:19092" in out
    assert "sasl_password: '***'" in out
    assert "s3cr3t-value" not in out


def test_unknown_key_exits_2_and_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "w.yaml"
    config.write_text("topics:\n  inptu: x\n")
    assert main(["check-config", "--config", str(config)]) == 2
    assert "topics.inptu: unknown key" in capsys.readouterr().err


def test_bad_value_exits_2_and_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "w.yaml"
    config.write_text("consumer:\n  max_poll_records: -5\n")
    assert main(["run", "--config", str(config)]) == 2
    assert "consumer.max_poll_records" in capsys.readouterr().err


def test_missing_config_file_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", "--config", "/nonexistent/worker.yaml"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_process_writes_one_line_per_input_in_order(tmp_path: Path) -> None:
    lines = [
        orjson.dumps({"id": "a", "text": "Paragraf pertama berita ini cukup panjang.\n\n"
                                          "Paragraf kedua juga ada isinya."}),
        b"{not json",
        b'["x"]',
        b"",
        orjson.dumps({"id": "e", "text": "ADVERTISEMENT"}),
    ]
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "out.jsonl"
    assert main(["process", "-i", str(src), "-o", str(out)]) == 0
    docs = [orjson.loads(x) for x in out.read_bytes().splitlines()]
    assert len(docs) == len(lines)
    assert docs[0]["schema"] == "article/v1"
    assert docs[0]["source_id"] == "a"
    reasons = [d["error"]["reason"] for d in docs[1:]]
    assert reasons == ["invalid_json", "not_an_object", "invalid_json", "empty_after_cleaning"]
    assert docs[4]["source_id"] == "e"


def test_process_streams_line_by_line() -> None:
    # A driver writes one line and reads its answer before writing the next: this only
    # works if each output line is flushed as soon as its input line is done.
    proc = subprocess.Popen([sys.executable, "-m", "worker", "process"], cwd=REPO,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdin is not None
    assert proc.stdout is not None
    try:
        for i in range(3):
            proc.stdin.write(orjson.dumps({"id": str(i), "text": f"Berita nomor {i} hari ini."})
                             + b"\n")
            proc.stdin.flush()
            doc = orjson.loads(proc.stdout.readline())
            assert doc["source_id"] == str(i)
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
        proc.stdout.close()
    assert proc.returncode == 0


def test_unreadable_input_file_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["process", "-i", "/nonexistent/in.jsonl"]) == 2
    assert "/nonexistent/in.jsonl" in capsys.readouterr().err


class _Client:
    """A consumer or producer stand-in that records `close`."""

    def __init__(self) -> None:
        self.closed = 0

    def close(self, **kwargs: object) -> None:
        self.closed += 1


def test_connecting_hands_over_the_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    clients = (_Client(), _Client())
    monkeypatch.setattr(worker.kafka.connect, "connect", lambda settings: clients)
    assert worker.cli._Connecting(Settings()).result() == clients
    assert [c.closed for c in clients] == [0, 0]


def test_connecting_raises_what_connect_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(settings: Settings) -> None:
        raise ConfigError("topic(s) do not exist: in")

    monkeypatch.setattr(worker.kafka.connect, "connect", refuse)
    with pytest.raises(ConfigError, match="do not exist"):
        worker.cli._Connecting(Settings()).result()


def test_clients_ready_after_abandon_are_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    clients = (_Client(), _Client())
    release = threading.Event()

    def slow(settings: Settings) -> tuple[_Client, _Client]:
        release.wait(10)
        return clients

    monkeypatch.setattr(worker.kafka.connect, "connect", slow)
    connecting = worker.cli._Connecting(Settings())
    connecting.abandon()  # e.g. the rules file is broken
    release.set()
    connecting._done.wait(10)
    assert [c.closed for c in clients] == [1, 1]


def test_abandon_closes_clients_that_are_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    clients = (_Client(), _Client())
    monkeypatch.setattr(worker.kafka.connect, "connect", lambda settings: clients)
    connecting = worker.cli._Connecting(Settings())
    connecting._done.wait(10)
    connecting.abandon()
    assert [c.closed for c in clients] == [1, 1]
