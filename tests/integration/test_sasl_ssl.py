"""SASL_SSL (SCRAM-SHA-512 over TLS) against a real broker, configured the way Kubernetes
Secrets provide it: the password in a mounted file or an environment variable, the CA, a
client certificate and its encrypted key as files. Secrets never show up in logs, in
`check-config` output or in metrics.

The broker's SASL_SSL listener, its SCRAM user (created at format time) and its CA and
certificate come from `scripts/kafka.sh` with `KAFKA_SASL_SSL=1`, started by this module; the
client certificate and key are made here with openssl.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.kafka_io import (
    REPO,
    article_payloads,
    committed,
    end_offsets,
    make_topics,
    produce,
    read_all,
    worker_cmd,
    worker_env,
)
from tests.support.kafka_cluster import KafkaCluster, SaslSslAccess

KEY_PASSPHRASE = "key-passphrase-5f1c"


@pytest.fixture(scope="module")
def sasl_cluster() -> Iterator[KafkaCluster]:
    """A 1-node cluster with PLAINTEXT (for test setup) and SASL_SSL listeners."""
    cluster = KafkaCluster(nodes=1, sasl_ssl=True)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="module")
def access(sasl_cluster: KafkaCluster) -> SaslSslAccess:
    """Address, CA and SCRAM credentials of the SASL_SSL listener."""
    assert sasl_cluster.sasl_ssl_access is not None
    return sasl_cluster.sasl_ssl_access


@pytest.fixture(scope="module")
def client_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A client certificate and its passphrase-protected key (PEM)."""
    where = tmp_path_factory.mktemp("client-tls")
    cert, key = where / "client.pem", where / "client.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-days", "1",
         "-subj", "/CN=article-worker-test-client", "-keyout", str(key), "-out", str(cert),
         "-passout", f"pass:{KEY_PASSPHRASE}"],
        check=True, capture_output=True, timeout=60)
    return cert, key


def _secure_env(access: SaslSslAccess, secrets_dir: Path, *, password_in_file: bool,
                client_cert: tuple[Path, Path] | None = None) -> dict[str, str]:
    env = {
        "ARTICLE_WORKER__KAFKA__SECURITY_PROTOCOL": "SASL_SSL",
        "ARTICLE_WORKER__KAFKA__SASL_MECHANISM": access.mechanism,
        "ARTICLE_WORKER__KAFKA__SASL_USERNAME": access.username,
        "ARTICLE_WORKER__KAFKA__SSL_CAFILE": access.cafile,
        "ARTICLE_WORKER__LOGGING__FORMAT": "json",
    }
    if password_in_file:
        # How a Secret mounted as a volume looks: one file per key, maybe a trailing newline.
        secrets_dir.mkdir(parents=True, exist_ok=True)
        password_file = secrets_dir / "sasl-password"
        password_file.write_text(access.password + "\n", encoding="utf-8")
        password_file.chmod(0o600)
        env["ARTICLE_WORKER__KAFKA__SASL_PASSWORD_FILE"] = str(password_file)
    else:
        env["ARTICLE_WORKER__KAFKA__SASL_PASSWORD"] = access.password
    if client_cert is not None:
        env["ARTICLE_WORKER__KAFKA__SSL_CERTFILE"] = str(client_cert[0])
        env["ARTICLE_WORKER__KAFKA__SSL_KEYFILE"] = str(client_cert[1])
        env["ARTICLE_WORKER__KAFKA__SSL_PASSWORD"] = KEY_PASSPHRASE
    return worker_env(**env)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _scrape(port: int, proc: subprocess.Popen[str], timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
                body: str = r.read().decode("utf-8")
                return body
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError("the metrics endpoint never answered")


def test_worker_over_sasl_ssl_with_file_secrets_and_client_certificate(
    sasl_cluster: KafkaCluster, access: SaslSslAccess, client_cert: tuple[Path, Path],
    tmp_path: Path,
) -> None:
    plain = sasl_cluster.bootstrap_servers  # test setup goes through PLAINTEXT
    topics = make_topics(plain, partitions=2)
    produce(plain, topics.raw, article_payloads(50, prefix="sasl"))
    port = _free_port()
    env = _secure_env(access, tmp_path / "secrets", password_in_file=True,
                      client_cert=client_cert)
    env["ARTICLE_WORKER__METRICS__HOST"] = "127.0.0.1"
    args = worker_cmd(access.bootstrap_servers, topics, "--stop-when-idle", "4")
    args[args.index("--metrics-port") + 1] = str(port)
    proc = subprocess.Popen(args, cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        metrics = _scrape(port, proc)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, stderr[-3000:]
    assert len(read_all(plain, topics.clean)) == 50
    assert committed(plain, topics.group, topics.raw) == end_offsets(plain, topics.raw)
    for secret in (access.password, KEY_PASSPHRASE):
        assert secret not in stdout + stderr
        assert secret not in metrics


def test_password_from_the_environment(access: SaslSslAccess, sasl_cluster: KafkaCluster,
                                       tmp_path: Path) -> None:
    plain = sasl_cluster.bootstrap_servers
    topics = make_topics(plain, partitions=1)
    produce(plain, topics.raw, article_payloads(5, prefix="env"))
    result = subprocess.run(
        worker_cmd(access.bootstrap_servers, topics, "--stop-when-idle", "3"), cwd=REPO,
        env=_secure_env(access, tmp_path, password_in_file=False), capture_output=True,
        text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(read_all(plain, topics.clean)) == 5
    assert access.password not in result.stdout + result.stderr


def test_check_config_masks_every_secret(access: SaslSslAccess, tmp_path: Path,
                                         client_cert: tuple[Path, Path]) -> None:
    env = _secure_env(access, tmp_path, password_in_file=False, client_cert=client_cert)
    result = subprocess.run([sys.executable, "-m", "worker", "check-config"], cwd=REPO,
                            env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert "sasl_password: '***'" in result.stdout
    assert "ssl_password: '***'" in result.stdout
    assert access.password not in result.stdout + result.stderr
    assert KEY_PASSPHRASE not in result.stdout + result.stderr


def test_wrong_password_fails_within_the_deadline_without_echoing_it(
    sasl_cluster: KafkaCluster, access: SaslSslAccess, tmp_path: Path,
) -> None:
    topics = make_topics(sasl_cluster.bootstrap_servers, partitions=1)
    env = _secure_env(access, tmp_path, password_in_file=False)
    wrong = "wrong-password-7d2e"
    env["ARTICLE_WORKER__KAFKA__SASL_PASSWORD"] = wrong
    env["ARTICLE_WORKER__KAFKA__UNREACHABLE_DEADLINE_S"] = "10"
    started = time.monotonic()
    result = subprocess.run(worker_cmd(access.bootstrap_servers, topics), cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1, result.stderr[-3000:]
    assert time.monotonic() - started < 90
    assert wrong not in result.stdout + result.stderr
    assert "not reachable" in result.stderr or "Authentication" in result.stderr
