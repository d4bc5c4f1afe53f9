"""A local Kafka cluster for tests, started and stopped through ``scripts/kafka.sh``.

Going through the script (instead of launching Java from here) means the fixture runs the
broker exactly the way ``make kafka-up`` does, so a broken script fails the tests.

Port layout (the script's): node ``i`` (1-based) listens for clients on
``base_port + i - 1``, for the controller quorum on ``base_port + 100 + i - 1`` and, with
SASL_SSL, on ``base_port + 200 + i - 1``; all on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from kafka import KafkaAdminClient
from kafka.errors import UnknownTopicOrPartitionError

REPO_ROOT = Path(__file__).resolve().parents[2]
KAFKA_SH = REPO_ROOT / "scripts" / "kafka.sh"

CONTROLLER_PORT_OFFSET = 100
SASL_PORT_OFFSET = 200
PORT_OFFSETS = (0, CONTROLLER_PORT_OFFSET, SASL_PORT_OFFSET)

# Base ports developers use with `make kafka-up` (KAFKA_PORT); a test cluster never takes
# their port sets, so a broker started by hand later does not collide with a test run.
DEVELOPER_BASE_PORTS = (19092, 29092, 39092, 49092)

# Lowest port a test cluster may use: well above the registered-service ports.
_LOWEST_PORT = 15000
# Settings of the machine rather than of the cluster: a developer's values are honoured.
_PASSED_THROUGH = frozenset(
    {"KAFKA_LIB_DIR", "KAFKA_HEAP_OPTS", "KAFKA_JVM_PERFORMANCE_OPTS", "KAFKA_STOP_TIMEOUT"}
)
# The first `mvn` run downloads ~50 jars into ~/.m2.
_FETCH_TIMEOUT_S = 900.0


class KafkaScriptError(RuntimeError):
    """``scripts/kafka.sh`` exited non-zero; the message carries the tail of its stderr."""


def port_is_free(port: int) -> bool:
    """Whether a listening socket could bind 127.0.0.1:port right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # The JVM binds its server sockets with SO_REUSEADDR, so ports that only have
        # TIME_WAIT leftovers are usable by the broker and count as free here too.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def port_accepts_connections(port: int, timeout_s: float = 1.0) -> bool:
    """Whether something listens on 127.0.0.1:port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout_s):
            return True
    except OSError:
        return False


def cluster_ports(base_port: int, nodes: int) -> list[int]:
    """Every port a cluster of ``nodes`` nodes with this base port listens on (or may)."""
    return [base_port + offset + i for offset in PORT_OFFSETS for i in range(nodes)]


def _ephemeral_port_floor() -> int:
    try:
        low = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0]
        return int(low)
    except (OSError, IndexError, ValueError):
        return 32768


def find_free_base_port(nodes: int, *, attempts: int = 200) -> int:
    """A base port whose whole derived port set (see module doc) is free right now.

    Candidates come from below the kernel's ephemeral range rather than from binding port 0:
    an ephemeral port is free now but can be taken at any moment as the local port of an
    outgoing connection (the Kafka clients open many), and a fault test that restarts a
    node must be able to bind the same ports again minutes later.
    """
    reserved = {p for base in DEVELOPER_BASE_PORTS for p in cluster_ports(base, 3)}
    floor = _ephemeral_port_floor()
    high = floor - SASL_PORT_OFFSET - nodes
    if high <= _LOWEST_PORT:
        raise RuntimeError(f"no room below the ephemeral port range (it starts at {floor})")
    rng = random.Random()
    for _ in range(attempts):
        base = rng.randrange(_LOWEST_PORT, high)
        ports = cluster_ports(base, nodes)
        if reserved.isdisjoint(ports) and all(port_is_free(p) for p in ports):
            return base
    raise RuntimeError(f"no free set of {3 * nodes} ports found in {attempts} attempts")


@dataclass(frozen=True)
class SaslSslAccess:
    """How a client reaches the SASL_SSL listener (SCRAM-SHA-512 over TLS)."""

    bootstrap_servers: str
    cafile: str
    mechanism: str
    username: str
    password: str


class KafkaCluster:
    """A 1- or 3-node KRaft cluster on 127.0.0.1, run by ``scripts/kafka.sh``.

    Free ports are picked unless ``base_port`` is given. Without ``state_dir`` a temporary
    directory is used and removed by :meth:`stop`; a given one keeps the node logs after
    :meth:`stop` (the script deletes only configs and data).
    """

    def __init__(
        self,
        nodes: int = 1,
        base_port: int | None = None,
        state_dir: Path | None = None,
        *,
        sasl_ssl: bool = False,
        extra_properties: Mapping[str, str] | None = None,
        start_timeout_s: float = 90.0,
        script: Path = KAFKA_SH,
    ) -> None:
        if nodes not in (1, 3):
            raise ValueError(f"nodes must be 1 or 3, not {nodes}")
        self.nodes = nodes
        self.base_port = base_port if base_port is not None else find_free_base_port(nodes)
        self._owns_state_dir = state_dir is None
        self.state_dir = (
            Path(tempfile.mkdtemp(prefix=f"article-worker-kafka-{self.base_port}-"))
            if state_dir is None
            else state_dir
        )
        self.sasl_ssl = sasl_ssl
        self.extra_properties = dict(extra_properties or {})
        self.start_timeout_s = start_timeout_s
        self.script = script
        self.sasl_ssl_access: SaslSslAccess | None = None

    # ---- addresses -------------------------------------------------------------------------

    def client_port(self, node: int) -> int:
        """PLAINTEXT port of ``node`` (1-based)."""
        self._check_node(node)
        return self.base_port + node - 1

    def controller_port(self, node: int) -> int:
        """Controller-quorum port of ``node`` (1-based)."""
        self._check_node(node)
        return self.base_port + CONTROLLER_PORT_OFFSET + node - 1

    def node_address(self, node: int) -> str:
        """``127.0.0.1:<client port>`` of ``node``."""
        return f"127.0.0.1:{self.client_port(node)}"

    @property
    def bootstrap_servers(self) -> str:
        """Comma-separated client addresses of all nodes."""
        return ",".join(self.node_address(i) for i in range(1, self.nodes + 1))

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> str:
        """Start every node (``kafka.sh up``), wait until they answer; returns the bootstrap.

        If start-up fails, whatever did start is stopped before the error propagates, so a
        failed fixture leaves no broker behind.
        """
        self._run("fetch", timeout_s=_FETCH_TIMEOUT_S)
        try:
            stdout = self._run("up", timeout_s=self.start_timeout_s + 60)
        except BaseException:
            self._run_quietly("down")
            raise
        lines = [line.strip() for line in stdout.splitlines() if line.strip()]
        if not lines or lines[-1] != self.bootstrap_servers:
            self._run_quietly("down")
            raise KafkaScriptError(
                f"kafka.sh up printed {lines[-1:]!r}, expected {self.bootstrap_servers!r}"
            )
        info = dict(line.split("=", 1) for line in lines[:-1] if "=" in line)
        if self.sasl_ssl:
            self.sasl_ssl_access = SaslSslAccess(
                bootstrap_servers=info["KAFKA_SASL_SSL_BOOTSTRAP_SERVERS"],
                cafile=info["KAFKA_SSL_CAFILE"],
                mechanism=info["KAFKA_SASL_MECHANISM"],
                username=info["KAFKA_SASL_USERNAME"],
                password=info["KAFKA_SASL_PASSWORD"],
            )
        return lines[-1]

    def stop(self) -> None:
        """Stop every node by pid (``kafka.sh down``) and delete the data."""
        self._run("down", timeout_s=120)
        if self._owns_state_dir:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def stop_node(self, node: int) -> None:
        """Stop ``node`` gracefully (SIGTERM, SIGKILL after 20 s); its data stays."""
        self._check_node(node)
        self._run("stop-node", str(node), timeout_s=60)

    def kill_node(self, node: int) -> None:
        """SIGKILL ``node``, as a crash would; its data stays."""
        self._check_node(node)
        self._run("kill-node", str(node), timeout_s=30)

    def start_node(self, node: int) -> None:
        """Restart a stopped ``node`` on its data and wait until the cluster lists it again."""
        self._check_node(node)
        self._run("start-node", str(node), timeout_s=self.start_timeout_s + 30)

    def pid(self, node: int) -> int | None:
        """Pid of ``node``'s broker process if it runs, else None."""
        self._check_node(node)
        pid_file = self.state_dir / f"node-{node}" / "kafka.pid"
        try:
            pid = int(pid_file.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except (OSError, ValueError):
            return None
        # A recycled pid or a zombie (empty cmdline) is not our broker.
        config = str(self.state_dir / f"node-{node}" / "server.properties").encode()
        return pid if b"kafka.Kafka" in cmdline and config in cmdline else None

    def is_running(self, node: int) -> bool:
        """Whether ``node``'s broker process is alive."""
        return self.pid(node) is not None

    def status(self) -> str:
        """The script's ``status`` text (one line per node), whatever the exit code."""
        result = self._invoke("status", timeout_s=30)
        return result.stdout

    # ---- topics ----------------------------------------------------------------------------

    def create_topic(
        self,
        name: str,
        partitions: int = 4,
        replication_factor: int | None = None,
        config: Mapping[str, str] | None = None,
        *,
        timeout_s: float = 30.0,
    ) -> None:
        """Create a topic and wait until every partition has a leader.

        ``replication_factor`` defaults to the number of nodes (at most 3).
        """
        rf = replication_factor if replication_factor is not None else min(self.nodes, 3)
        admin = KafkaAdminClient(
            bootstrap_servers=self.bootstrap_servers, client_id="kafka-cluster-create-topic"
        )
        try:
            admin.create_topics(
                {
                    name: {
                        "num_partitions": partitions,
                        "replication_factor": rf,
                        "configs": dict(config or {}),
                    }
                },
                timeout_ms=int(timeout_s * 1000),
            )
            admin.wait_for_topics([name], timeout_ms=int(timeout_s * 1000))
        finally:
            admin.close()

    # ---- context manager -------------------------------------------------------------------

    def __enter__(self) -> KafkaCluster:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ---- internals -------------------------------------------------------------------------

    def _check_node(self, node: int) -> None:
        if not 1 <= node <= self.nodes:
            raise ValueError(f"node must be in 1..{self.nodes}, not {node}")

    def env(self) -> dict[str, str]:
        """The environment that points ``scripts/kafka.sh`` at this cluster."""
        env = dict(os.environ)
        # Every cluster-shaping KAFKA_* knob is set explicitly: a developer's exported
        # KAFKA_NODES=3 or KAFKA_EXTRA_PROPERTIES must not change what a test asked for.
        for key in [k for k in env if k.startswith("KAFKA_") and k not in _PASSED_THROUGH]:
            del env[key]
        env.update(
            {
                "KAFKA_PORT": str(self.base_port),
                "KAFKA_CONTROLLER_PORT": str(self.base_port + CONTROLLER_PORT_OFFSET),
                "KAFKA_SASL_PORT": str(self.base_port + SASL_PORT_OFFSET),
                "KAFKA_NODES": str(self.nodes),
                "KAFKA_STATE_DIR": str(self.state_dir),
                "KAFKA_SASL_SSL": "1" if self.sasl_ssl else "0",
                "KAFKA_START_TIMEOUT": str(round(self.start_timeout_s)),
                # The interpreter running the tests has kafka-python, whatever .venv holds.
                "KAFKA_PYTHON": sys.executable,
            }
        )
        if self.extra_properties:
            env["KAFKA_EXTRA_PROPERTIES"] = "\n".join(
                f"{k}={v}" for k, v in self.extra_properties.items()
            )
        return env

    def _invoke(self, *args: str, timeout_s: float) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.script), *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )

    def _run(self, *args: str, timeout_s: float) -> str:
        started = time.monotonic()
        result = self._invoke(*args, timeout_s=timeout_s)
        if result.returncode != 0:
            raise KafkaScriptError(
                f"scripts/kafka.sh {' '.join(args)} exited {result.returncode} after "
                f"{time.monotonic() - started:.1f} s (state dir {self.state_dir}):\n"
                f"{result.stderr[-6000:]}"
            )
        return result.stdout

    def _run_quietly(self, *args: str) -> None:
        # Clean-up on an error path: the original error matters more than this one, which
        # still reaches stderr so a leaked broker does not go unnoticed.
        try:
            self._run(*args, timeout_s=120)
        except (KafkaScriptError, subprocess.TimeoutExpired) as exc:
            print(f"kafka_cluster: clean-up '{' '.join(args)}' failed: {exc}", file=sys.stderr)


class TopicFactory:
    """Creates uniquely named topics on one cluster and deletes them again."""

    def __init__(self, bootstrap_servers: str, prefix: str) -> None:
        self._bootstrap_servers = bootstrap_servers
        self._prefix = prefix
        self.created: list[str] = []

    def __call__(
        self,
        partitions: int | None = None,
        replication_factor: int | None = None,
        config: Mapping[str, str] | None = None,
        *,
        suffix: str = "",
    ) -> str:
        """Create a fresh topic and wait until every partition has a leader; returns its name.

        ``None`` partitions/replication factor mean the broker's defaults (4 partitions,
        replication factor = number of nodes up to 3, for clusters made by kafka.sh).
        """
        name = f"{self._prefix}-{uuid.uuid4().hex[:12]}{suffix}"
        admin = KafkaAdminClient(
            bootstrap_servers=self._bootstrap_servers, client_id="topic-factory"
        )
        try:
            admin.create_topics(
                {
                    name: {
                        "num_partitions": -1 if partitions is None else partitions,
                        "replication_factor": (
                            -1 if replication_factor is None else replication_factor
                        ),
                        "configs": dict(config or {}),
                    }
                }
            )
            self.created.append(name)
            admin.wait_for_topics([name], timeout_ms=30_000)
        finally:
            admin.close()
        return name

    def delete_all(self) -> None:
        """Delete the topics this factory created (a test may have deleted some already)."""
        if not self.created:
            return
        admin = KafkaAdminClient(
            bootstrap_servers=self._bootstrap_servers, client_id="topic-factory"
        )
        try:
            # Deleted one by one so that a topic the test removed itself does not hide the
            # others' outcome.
            for name in self.created:
                with contextlib.suppress(UnknownTopicOrPartitionError):
                    admin.delete_topics([name])
        finally:
            admin.close()
        self.created.clear()
