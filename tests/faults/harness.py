"""The fault-injection harness: topics, load, worker processes, faults and the final tally.

A scenario produces its whole input up front (the worker then runs under a backlog, i.e.
"during load"), runs real `article-worker run` processes against a real cluster, injects its
faults, lets a last worker finish, and then counts, for every input record, the outputs on the
clean and dead-letter topics that name it as their source (topic, partition, offset). In
exactly-once mode the outputs are read with `read_committed`, as a downstream consumer would.
"""

from __future__ import annotations

import os
import platform
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import KafkaError

from tests.support.kafka_cluster import REPO_ROOT as REPO
from tests.support.kafka_cluster import KafkaCluster

MODES = ("at_least_once", "exactly_once")

_TEXT = ("Pemerintah kota mengumumkan rencana baru untuk memperbaiki jalan dan jembatan di "
         "wilayah utara setelah banjir besar melanda pekan lalu menurut pejabat setempat")
_WORDS = _TEXT.split(" ")


@dataclass(frozen=True)
class Result:
    """One row of the fault table."""

    scenario: str
    mode: str
    inputs: int
    distinct: int
    duplicates: int
    lost: int
    seconds: float
    note: str = ""


#: Every result of this session, printed as a table at the end (see conftest.py).
RESULTS: list[Result] = []


def payload(i: int, size: int = 0) -> bytes:
    """A small valid article (about 400 bytes), or about `size` bytes of text."""
    lead = " ".join(_WORDS[(i + k) % len(_WORDS)] for k in range(25))
    text = f"{lead}. Nomor {i}.\n\n{' '.join(_WORDS)} ({i})."
    if size > len(text):
        paragraph = " ".join(_WORDS) + "."
        parts = [text]
        n = 0
        while sum(len(p) for p in parts) < size:
            n += 1
            parts.append(f"{paragraph} Bagian {n} dari berita {i}.")
        text = "\n\n".join(parts)
    return orjson.dumps({"id": f"f-{i}", "url": f"https://example.id/berita/{i}",
                         "title": f"Berita nomor {i}", "text": text})


POISON = b'{"id": "poison", "text": '  # invalid JSON: always a dead letter


def machine() -> str:
    """A one-line description of the machine the suite ran on."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gib = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    jars = sorted((REPO / ".kafka" / "lib").glob("kafka_2.13-*.jar"))
    kafka = jars[0].stem.removeprefix("kafka_2.13-") if jars else "?"
    return (f"{cpu}, {os.cpu_count()} cores, {mem_gib:.0f} GiB RAM, Linux "
            f"{platform.release()}, Python {platform.python_version()}, Kafka {kafka} (KRaft)")


class WorkerProc:
    """One `article-worker run` process with its log file."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self._log = log_path.open("ab")
        self.proc = subprocess.Popen(args, cwd=REPO, env=env, stdout=self._log,
                                     stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        """The process id."""
        return self.proc.pid

    def alive(self) -> bool:
        """Whether the process still runs."""
        return self.proc.poll() is None

    def kill9(self) -> None:
        """SIGKILL, then reap."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self._log.close()

    def wait_started(self, timeout: float = 120) -> None:
        """Wait until the worker logged that its loop started (signal handlers are set)."""
        deadline = time.monotonic() + timeout
        while self.alive() and '"event":"start"' not in self.log_tail(1_000_000):
            if time.monotonic() > deadline:
                raise AssertionError(f"worker {self.pid} did not start in {timeout:.0f} s")
            time.sleep(0.1)

    def terminate(self, timeout: float = 60) -> int:
        """SIGTERM once the loop runs, and wait for the exit code (fail after the timeout)."""
        self.wait_started()
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
        return self.wait(timeout)

    def wait(self, timeout: float) -> int:
        """Wait for the exit code; a process still running after `timeout` is killed."""
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=30)
            self._log.close()
            raise AssertionError(f"worker {self.pid} did not exit within {timeout:.0f} s; "
                                 f"log tail:\n{self.log_tail()}") from None
        self._log.close()
        return rc

    def close(self) -> None:
        """SIGKILL the process if it still runs; close the log."""
        if self.alive():
            self.proc.kill()
            self.proc.wait(timeout=30)
        self._log.close()

    def peak_rss_bytes(self) -> int:
        """The process's peak resident set size so far (VmHWM), 0 when it is gone."""
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            return 0
        return 0

    def log_tail(self, chars: int = 3000) -> str:
        """The end of the worker's log."""
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


@dataclass
class Scenario:
    """Topics, load and workers of one scenario on one cluster."""

    cluster: KafkaCluster
    mode: str
    name: str
    log_dir: Path
    partitions: int = 6
    dlq_configs: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        tag = uuid.uuid4().hex[:8]
        self.raw = f"f{tag}.raw"
        self.clean = f"f{tag}.clean"
        self.dlq = f"f{tag}.dlq"
        self.group = f"g{tag}"
        self.bootstrap = self.cluster.bootstrap_servers
        self.workers: list[WorkerProc] = []
        self.inputs = 0
        self.started = time.monotonic()
        self._admin = KafkaAdminClient(bootstrap_servers=self.bootstrap,
                                       client_id="faults-harness")
        rf = min(self.cluster.nodes, 3)
        isr = {"min.insync.replicas": "2"} if rf >= 3 else {}
        self._admin.create_topics([
            NewTopic(self.raw, self.partitions, rf, topic_configs=isr),
            NewTopic(self.clean, self.partitions, rf, topic_configs=isr),
            NewTopic(self.dlq, self.partitions, rf, topic_configs=isr | self.dlq_configs),
        ], wait_for_metadata=True)

    # -- load ------------------------------------------------------------------------------

    def produce(self, n: int, *, poison_every: int = 0, size: int = 0) -> None:
        """Add n input records (every `poison_every`-th is invalid JSON)."""
        producer = KafkaProducer(bootstrap_servers=self.bootstrap, acks="all", linger_ms=20,
                                 batch_size=262_144, max_request_size=10_485_760)
        try:
            for i in range(self.inputs, self.inputs + n):
                poison = poison_every and i % poison_every == poison_every - 1
                value = POISON if poison else payload(i, size)
                producer.send(self.raw, key=f"f-{i}".encode(), value=value)
            producer.flush(timeout=300)
        finally:
            producer.close()
        self.inputs += n

    # -- workers ---------------------------------------------------------------------------

    def env(self, **overrides: str) -> dict[str, str]:
        """The environment of a worker process: test-friendly timeouts, JSON logs."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("ARTICLE_WORKER__")}
        env.update({
            "ARTICLE_WORKER__PROCESSING__GUARANTEE": self.mode,
            "ARTICLE_WORKER__LOGGING__FORMAT": "json",
            # A killed member must not hold its partitions for 45 s.
            "ARTICLE_WORKER__CONSUMER__SESSION_TIMEOUT_MS": "10000",
            "ARTICLE_WORKER__CONSUMER__HEARTBEAT_INTERVAL_MS": "1000",
        })
        env.update(overrides)
        return env

    def start_worker(self, *extra: str, **env: str) -> WorkerProc:
        """Start one `article-worker run` member of the scenario's group."""
        args = [sys.executable, "-m", "worker", "run", "--bootstrap-servers", self.bootstrap,
                "--metrics-port", "0", "--input-topic", self.raw, "--output-topic", self.clean,
                "--dlq-topic", self.dlq, "--group-id", self.group, *extra]
        index = len(self.workers)
        slug = "".join(c if c.isalnum() else "-" for c in self.name)
        worker = WorkerProc(args, self.env(**env),
                            self.log_dir / f"{self.group}-{slug}-{self.mode}-{index}.log")
        self.workers.append(worker)
        return worker

    # -- progress --------------------------------------------------------------------------

    def committed(self) -> dict[int, int]:
        """The group's committed offset per input partition."""
        try:
            offsets = self._admin.list_group_offsets({self.group: None}).get(self.group, {})
        except KafkaError:
            # The group (or the offsets topic) does not exist yet, or its coordinator was on
            # a broker that is gone: kafka-python's admin client keeps asking the dead node,
            # so a new client has to find the new coordinator.
            self._admin.close()
            self._admin = KafkaAdminClient(bootstrap_servers=self.bootstrap,
                                           client_id="faults-harness", request_timeout_ms=10_000)
            return {}
        return {tp.partition: meta.offset for tp, meta in offsets.items()
                if tp.topic == self.raw and meta.offset >= 0}

    def ends(self) -> dict[int, int]:
        """The input topic's end offset per partition."""
        return end_offsets(self.bootstrap, self.raw)

    def progress(self) -> int:
        """How many input records the group has committed."""
        return sum(self.committed().values())

    def wait_progress(self, at_least: int, timeout: float, *, watch: WorkerProc | None = None
                      ) -> int:
        """Wait until `at_least` records are committed; fails when `watch` dies first."""
        deadline = time.monotonic() + timeout
        while True:
            done = self.progress()
            if done >= at_least:
                return done
            if watch is not None and not watch.alive():
                raise AssertionError(f"worker exited with {watch.proc.returncode} at {done} "
                                     f"committed; log tail:\n{watch.log_tail()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"only {done} of {at_least} committed after {timeout:.0f} s")
            time.sleep(0.25)

    def wait_complete(self, timeout: float, *, watch: WorkerProc | None = None) -> None:
        """Wait until the group has committed every input record."""
        self.wait_progress(self.inputs, timeout, watch=watch)

    # -- the verdict -----------------------------------------------------------------------

    def tally(self, note: str = "") -> Result:
        """Count distinct outputs, duplicates and lost inputs; record the table row."""
        isolation = "read_committed" if self.mode == "exactly_once" else "read_uncommitted"
        sources: Counter[tuple[int, int]] = Counter()
        for record in read_topics(self.bootstrap, [self.clean, self.dlq], isolation):
            topic, partition, offset = source_of(record)
            assert topic == self.raw, f"output names source topic {topic}"
            sources[(partition, offset)] += 1
        ends = self.ends()
        expected = {(p, o) for p, end in ends.items() for o in range(end)}
        assert sum(ends.values()) == self.inputs
        distinct = len(expected & set(sources))
        result = Result(
            scenario=self.name, mode=self.mode, inputs=self.inputs, distinct=distinct,
            duplicates=sum(sources.values()) - len(sources),
            lost=len(expected - set(sources)), seconds=time.monotonic() - self.started,
            note=note)
        RESULTS.append(result)
        return result

    def close(self) -> None:
        """Stop every worker still running (SIGKILL) and close the admin client."""
        for worker in self.workers:
            worker.close()
        self._admin.close()


def end_offsets(bootstrap: str, topic: str, isolation: str = "read_uncommitted"
                ) -> dict[int, int]:
    """End offsets (the last stable offset with read_committed) per partition."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, isolation_level=isolation)
    try:
        parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        return {tp.partition: off for tp, off in consumer.end_offsets(parts).items()}
    finally:
        consumer.close()


def read_topics(bootstrap: str, topics: list[str], isolation: str) -> list[Any]:
    """Every record of the topics up to their end offsets, as a consumer with `isolation`."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, isolation_level=isolation,
                             enable_auto_commit=False, max_poll_records=5000)
    try:
        parts = [TopicPartition(t, p) for t in topics
                 for p in consumer.partitions_for_topic(t) or ()]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        ends = consumer.end_offsets(parts)
        out: list[Any] = []
        deadline = time.monotonic() + 300
        while any(consumer.position(tp) < ends[tp] for tp in parts):
            if time.monotonic() > deadline:
                raise AssertionError("reading the outputs took longer than 300 s")
            for records in consumer.poll(timeout_ms=500).values():
                out.extend(records)
        return out
    finally:
        consumer.close()


def source_of(record: Any) -> tuple[str, int, int]:
    """(topic, partition, offset) of the input behind an article or a dead letter."""
    headers = dict(record.headers or [])
    if "dlq.reason" in headers:
        return (headers["dlq.source.topic"].decode(), int(headers["dlq.source.partition"]),
                int(headers["dlq.source.offset"]))
    source = orjson.loads(record.value)["source"]
    return source["topic"], int(source["partition"]), int(source["offset"])


def format_table(results: list[Result]) -> str:
    """The results as a Markdown table."""
    lines = ["| scenario | mode | inputs | distinct outputs | duplicates | lost | seconds | notes |",
             "|---|---|---:|---:|---:|---:|---:|---|"]
    for r in results:
        lines.append(f"| {r.scenario} | {r.mode} | {r.inputs} | {r.distinct} | {r.duplicates} "
                     f"| {r.lost} | {r.seconds:.0f} | {r.note} |")
    return "\n".join(lines)
