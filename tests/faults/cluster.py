"""Real Kafka clusters for the fault suite, driven through `scripts/kafka.sh`.

Each cluster gets free ports (never the developer defaults 19092/29092/39092) and its own
state directory, so several test runs and engineers can share a machine. Brokers are stopped
by pid (`kafka.sh down`), never by name.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "kafka.sh"
_RESERVED = {19092, 29092, 39092}


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_base_port(nodes: int) -> int:
    """A base port P with P..P+n-1, P+100.. and P+200.. all free (kafka.sh's layout)."""
    rng = random.Random()
    for _ in range(500):
        base = rng.randrange(20_000, 60_000)
        ports = [base + off + i for off in (0, 100, 200) for i in range(nodes)]
        if _RESERVED.isdisjoint(ports) and all(_port_free(p) for p in ports):
            return base
    raise RuntimeError("no free port range found")


class Cluster:
    """A KRaft cluster of 1 or 3 combined-mode nodes on 127.0.0.1."""

    def __init__(self, nodes: int = 1, *, sasl_ssl: bool = False,
                 extra_properties: str = "") -> None:
        self.nodes = nodes
        self.sasl_ssl = sasl_ssl
        self.port = free_base_port(nodes)
        self.state_dir = Path(tempfile.mkdtemp(prefix=f"aw-faults-{self.port}-"))
        self.extra_properties = extra_properties
        self.bootstrap = ""
        #: KEY=VALUE lines that `up` prints for the SASL_SSL listener.
        self.info: dict[str, str] = {}

    def _env(self) -> dict[str, str]:
        # A developer's exported KAFKA_* settings (ports, node count, extra properties) must
        # not reshape the cluster a scenario asked for.
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("KAFKA_") or k in ("KAFKA_LIB_DIR", "KAFKA_HEAP_OPTS")}
        env.update({
            "KAFKA_PORT": str(self.port),
            "KAFKA_NODES": str(self.nodes),
            "KAFKA_STATE_DIR": str(self.state_dir),
            "KAFKA_SASL_SSL": "1" if self.sasl_ssl else "0",
            "KAFKA_START_TIMEOUT": "150",
        })
        if self.extra_properties:
            env["KAFKA_EXTRA_PROPERTIES"] = self.extra_properties
        return env

    def _run(self, *args: str, timeout: float = 240) -> str:
        result = subprocess.run([str(SCRIPT), *args], env=self._env(), capture_output=True,
                                text=True, timeout=timeout, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"kafka.sh {' '.join(args)} failed:\n{result.stderr[-4000:]}")
        return result.stdout

    def up(self) -> str:
        """Start every node; returns the PLAINTEXT bootstrap address."""
        lines = self._run("up").strip().splitlines()
        self.bootstrap = lines[-1]
        for line in lines[:-1]:
            key, sep, value = line.partition("=")
            if sep:
                self.info[key] = value
        return self.bootstrap

    def kill_node(self, node: int) -> None:
        """SIGKILL one node."""
        self._run("kill-node", str(node))

    def stop_node(self, node: int) -> None:
        """SIGTERM one node (controlled shutdown)."""
        self._run("stop-node", str(node))

    def start_node(self, node: int) -> None:
        """Start a stopped node on its data and wait until it answers."""
        self._run("start-node", str(node))

    def create_topic(self, name: str, partitions: int, *configs: str) -> None:
        """Create a topic with RF = min(nodes, 3) and wait for its leaders."""
        self._run("create-topic", name, str(partitions), str(min(self.nodes, 3)), *configs)

    def down(self) -> None:
        """Stop every node (by pid) and delete the state directory."""
        try:
            self._run("down", timeout=120)
        finally:
            shutil.rmtree(self.state_dir, ignore_errors=True)
