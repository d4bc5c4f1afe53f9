"""End-to-end runs through a real broker: worker (or pass-through) processes, timed from outside.

A run pre-loads (or reuses) an input topic, starts the processes cold with a fresh consumer
group and fresh output topics, and polls the group's committed offsets until every input
record is committed: since the worker commits only after the broker acknowledged a batch's
outputs, "all committed" is "all published and committed". At that moment the harness reads
each process's CPU seconds and peak RSS from /proc, then stops it with SIGTERM.

End-to-end age of an article = the output record's broker timestamp (the output topics use
`message.timestamp.type=LogAppendTime`, i.e. the moment the broker appended it) minus the
input record's timestamp (`source.timestamp_ms` in the document: when the producer sent it).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

from benchmarks.common import (
    PYTHON,
    REPO,
    child_env,
    module_command,
    percentile,
    pinned,
    proc_sample,
)

KAFKA_SH = REPO / "scripts" / "kafka.sh"
PARTITIONS = 4
_OUTPUT_TOPIC_CONFIG = {"message.timestamp.type": "LogAppendTime"}


# -- broker -------------------------------------------------------------------------------------


def free_base_port(start: int = 49092, stop: int = 60000, step: int = 17) -> int:
    """A client port p with p, p+100 (controller) and p+200 (SASL) all free on 127.0.0.1."""
    for port in range(start, stop, step):
        if all(_port_free(p) for p in (port, port + 100, port + 200)):
            return port
    raise RuntimeError("no free port for the benchmark broker")


def free_port() -> int:
    """Any free TCP port (for a metrics server)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@dataclass
class Broker:
    """A single-node broker started with scripts/kafka.sh on its own port and state dir."""

    port: int
    state_dir: Path
    bootstrap: str = ""

    def env(self) -> dict[str, str]:
        return os.environ | {"KAFKA_PORT": str(self.port), "KAFKA_STATE_DIR": str(self.state_dir),
                             "KAFKA_NODES": "1", "KAFKA_PYTHON": PYTHON}

    def up(self) -> str:
        out = subprocess.run(["bash", str(KAFKA_SH), "up"], env=self.env(), capture_output=True,
                             text=True, check=False, timeout=300)
        if out.returncode != 0:
            raise RuntimeError(f"kafka.sh up failed: {out.stderr[-2000:]}")
        self.bootstrap = out.stdout.strip().splitlines()[-1]
        return self.bootstrap

    def down(self) -> None:
        subprocess.run(["bash", str(KAFKA_SH), "down"], env=self.env(), capture_output=True,
                       text=True, check=False, timeout=120)

    def pid(self) -> int | None:
        try:
            return int((self.state_dir / "node-1" / "kafka.pid").read_text().strip())
        except (OSError, ValueError):
            return None


# -- topics and data ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RunTopics:
    """Fresh output topics and group for one run over a (possibly shared) input topic."""

    raw: str
    clean: str
    dlq: str
    group: str

    def args(self) -> list[str]:
        return ["--input-topic", self.raw, "--output-topic", self.clean,
                "--dlq-topic", self.dlq, "--group-id", self.group]


def create_topics(bootstrap: str, names: Iterable[str], *, output: bool) -> None:
    """Create topics with PARTITIONS partitions (outputs with broker-append timestamps)."""
    config = _OUTPUT_TOPIC_CONFIG if output else {}
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="bench-admin")
    try:
        admin.create_topics([NewTopic(n, num_partitions=PARTITIONS, replication_factor=1,
                                      topic_configs=dict(config)) for n in names])
    finally:
        admin.close()


def new_input_topic(bootstrap: str, tag: str) -> str:
    name = f"bench-{tag}-{uuid.uuid4().hex[:8]}.raw"
    create_topics(bootstrap, [name], output=False)
    return name


def new_run_topics(bootstrap: str, raw: str, tag: str) -> RunTopics:
    suffix = uuid.uuid4().hex[:8]
    topics = RunTopics(raw, f"bench-{tag}-{suffix}.clean", f"bench-{tag}-{suffix}.dlq",
                       f"bench-{tag}-{suffix}")
    create_topics(bootstrap, [topics.clean, topics.dlq], output=True)
    return topics


def preload(bootstrap: str, topic: str, values: Iterable[bytes]) -> dict[str, Any]:
    """Produce every value (keyed by a counter, so they spread over the partitions)."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20,
                             batch_size=262144, client_id="bench-preload")
    start = time.perf_counter()
    n = 0
    try:
        for value in values:
            producer.send(topic, key=str(n).encode(), value=value)
            n += 1
        producer.flush()
    finally:
        producer.close()
    return {"messages": n, "seconds": round(time.perf_counter() - start, 2)}


def produce_at_rate(bootstrap: str, topic: str, values: Sequence[bytes], rate: float
                    ) -> dict[str, Any]:  # fmt: skip
    """Produce `values` at `rate` messages/s, paced in 10 ms ticks."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5,
                             client_id="bench-rate")
    start = time.perf_counter()
    sent = 0
    try:
        while sent < len(values):
            due = min(len(values), int((time.perf_counter() - start) * rate) + 1)
            while sent < due:
                producer.send(topic, key=str(sent).encode(), value=values[sent])
                sent += 1
            time.sleep(0.01)
        producer.flush()
    finally:
        producer.close()
    seconds = time.perf_counter() - start
    return {"messages": sent, "seconds": round(seconds, 2),
            "achieved_rate": round(sent / seconds, 1), "target_rate": rate}


def end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, client_id="bench-offsets")
    try:
        parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic)
                                                          or ())]
        return {tp.partition: off for tp, off in consumer.end_offsets(parts).items()}
    finally:
        consumer.close()


# -- processes ----------------------------------------------------------------------------------


def worker_command(bootstrap: str, topics: RunTopics, *, metrics_port: int = 0) -> list[str]:
    return module_command("worker", "run", "--bootstrap-servers", bootstrap, *topics.args(),
                          "--metrics-port", str(metrics_port), "--stop-when-idle", "120")


def passthrough_command(bootstrap: str, topics: RunTopics) -> list[str]:
    return module_command("benchmarks.passthrough", "--bootstrap-servers", bootstrap,
                          *topics.args(), "--stop-when-idle", "120")


@dataclass
class Proc:
    """A started process with its log file."""

    popen: subprocess.Popen[bytes]
    log: Path
    samples: list[dict[str, Any]] = field(default_factory=list)


def start(cmd: Sequence[str], log: Path, *, cpu: int | None,
          env: dict[str, str] | None = None) -> Proc:  # fmt: skip
    handle = log.open("wb")
    try:
        popen = subprocess.Popen(pinned(cmd, cpu), cwd=REPO, stdout=handle,
                                 stderr=subprocess.STDOUT, env=env or _clean_env())
    finally:
        handle.close()
    return Proc(popen, log)


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARTICLE_WORKER__")}
    return child_env(env, **extra)


def worker_env(**settings: str) -> dict[str, str]:
    """The environment of a worker process: ARTICLE_WORKER__ overrides, nothing inherited."""
    return _clean_env(**{f"ARTICLE_WORKER__{k.upper()}": v for k, v in settings.items()})


def stop(procs: Sequence[Proc], timeout: float = 40.0) -> list[int | None]:
    """SIGTERM each process by pid, SIGKILL what is left after the timeout; exit codes."""
    for p in procs:
        if p.popen.poll() is None:
            p.popen.send_signal(signal.SIGTERM)
    codes: list[int | None] = []
    for p in procs:
        try:
            codes.append(p.popen.wait(timeout=timeout))
        except subprocess.TimeoutExpired:
            p.popen.kill()
            codes.append(p.popen.wait(timeout=10))
    return codes


def wait_ready(port: int, proc: Proc, timeout: float = 60.0) -> None:
    """Wait until the worker's /readyz answers 200 (it is a group member with partitions)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            raise RuntimeError(f"process exited with {proc.popen.returncode}; see {proc.log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"worker not ready within {timeout:.0f} s; see {proc.log}")


# -- the measured run ---------------------------------------------------------------------------


class CommitWatcher:
    """Polls a group's committed offsets until they reach the input's end offsets."""

    def __init__(self, bootstrap: str, group: str, topic: str, target: dict[int, int]) -> None:
        self._admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="bench-watch")
        self._group, self._topic, self._target = group, topic, target
        self.first_commit_at: float | None = None

    def committed(self) -> dict[int, int]:
        try:
            offsets = self._admin.list_group_offsets({self._group: None}).get(self._group, {})
        except Exception:  # noqa: BLE001 - the group may not exist yet
            return {}
        return {tp.partition: meta.offset for tp, meta in offsets.items()
                if tp.topic == self._topic and meta.offset is not None and meta.offset >= 0}

    def wait(self, procs: Sequence[Proc], timeout: float, interval: float = 0.05) -> float:
        """perf_counter time at which everything was committed (to within `interval`).

        Each check costs the broker two requests (FindCoordinator, OffsetFetch): at a fixed
        10 per second that was ~50 ms of broker CPU per second, taken from the cores the
        workers share. So the checks are spaced by a tenth of the expected remaining time
        (from the commit rate so far), between `interval` and 0.5 s: rare while most of the
        input is left, every `interval` near the end.
        """
        started = time.perf_counter()
        deadline = started + timeout
        total = sum(self._target.values())
        while time.perf_counter() < deadline:
            committed = self.committed()
            now = time.perf_counter()
            if committed and self.first_commit_at is None:
                self.first_commit_at = now
            if all(committed.get(p, 0) >= off for p, off in self._target.items()):
                return now
            for p in procs:
                if p.popen.poll() is not None:
                    raise RuntimeError(
                        f"process exited with {p.popen.returncode} before committing all; "
                        f"see {p.log}")
            done = sum(min(committed.get(p, 0), off) for p, off in self._target.items())
            pause = 0.25
            if done:
                remaining = (total - done) * (now - started) / done
                pause = min(0.5, max(interval, remaining / 10))
            time.sleep(pause)
        raise TimeoutError(f"not all committed within {timeout:.0f} s: {self.committed()}")

    def close(self) -> None:
        self._admin.close()


def read_outputs(bootstrap: str, topic: str, *, read_committed: bool,
                 started_ms: float | None = None) -> dict[str, Any]:  # fmt: skip
    """Every record of `topic`: ages, time span, counts, and whether transactions wrote it.

    `ages` follow the definition (output append time - input record timestamp); with
    `started_ms`, `ages_from_start` count from max(input timestamp, process start) instead,
    which for a pre-loaded topic is how long after the start each article came out.
    """
    ends = end_offsets(bootstrap, topic)
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, client_id="bench-read", enable_auto_commit=False,
        isolation_level="read_committed" if read_committed else "read_uncommitted",
        fetch_max_bytes=52428800, max_partition_fetch_bytes=10485760,
    )
    parts = [TopicPartition(topic, p) for p in ends]
    consumer.assign(parts)
    consumer.seek_to_beginning(*parts)
    ages: list[float] = []
    ages_from_start: list[float] = []
    appended: list[int] = []
    sources: set[tuple[Any, Any]] = set()
    #: source partition -> [count, first append ms, last append ms]
    by_partition: dict[Any, list[int]] = {}
    count = 0
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline and any(
            consumer.position(tp) < ends[tp.partition] for tp in parts
        ):
            for records in consumer.poll(timeout_ms=500).values():
                for rec in records:
                    count += 1
                    doc = orjson.loads(rec.value)
                    src = doc.get("source") or {}
                    sources.add((src.get("partition"), src.get("offset")))
                    if src.get("timestamp_ms"):
                        ages.append((rec.timestamp - src["timestamp_ms"]) / 1000.0)
                        base = max(src["timestamp_ms"], started_ms or 0)
                        ages_from_start.append((rec.timestamp - base) / 1000.0)
                    appended.append(rec.timestamp)
                    span = by_partition.setdefault(src.get("partition"),
                                                   [0, rec.timestamp, rec.timestamp])
                    span[0] += 1
                    span[1], span[2] = min(span[1], rec.timestamp), max(span[2], rec.timestamp)
    finally:
        consumer.close()
    return {
        "records": count,
        "distinct_sources": len(sources),
        "end_offsets_total": sum(ends.values()),
        # Transaction markers take offsets: more offsets than records means transactions.
        "transactional": sum(ends.values()) > count,
        "ages": ages,
        "ages_from_start": ages_from_start,
        "first_append_ms": min(appended) if appended else None,
        "last_append_ms": max(appended) if appended else None,
        "by_source_partition": by_partition,
    }


def measure(
    bootstrap: str,
    topics: RunTopics,
    expected: int,
    commands: Sequence[tuple[list[str], int | None, dict[str, str]]],
    *,
    workdir: Path,
    label: str,
    timeout: float = 900.0,
    read_committed: bool = False,
    count_dlq: bool = True,
    broker_pid: int | None = None,
) -> dict[str, Any]:
    """Start `commands` (cmd, cpu, env) cold on `topics` and time them until all committed."""
    target = end_offsets(bootstrap, topics.raw)
    assert sum(target.values()) == expected, (target, expected)
    watcher = CommitWatcher(bootstrap, topics.group, topics.raw, target)
    broker_before = _cpu_of(broker_pid)
    harness_before = time.process_time()
    spawn_wall_ms = time.time() * 1000
    spawned = time.perf_counter()
    procs = [start(cmd, workdir / f"{label}-{i}.log", cpu=cpu, env=env)
             for i, (cmd, cpu, env) in enumerate(commands)]
    try:
        done = watcher.wait(procs, timeout)
        samples = [proc_sample(p.popen.pid) for p in procs]
        broker_after = _cpu_of(broker_pid)
        harness_cpu_s = time.process_time() - harness_before
    finally:
        codes = stop(procs)
        watcher.close()
    elapsed = done - spawned
    out = read_outputs(bootstrap, topics.clean, read_committed=read_committed,
                       started_ms=spawn_wall_ms)
    dlq = read_outputs(bootstrap, topics.dlq, read_committed=read_committed) if count_dlq \
        else {"records": 0}  # fmt: skip
    ages = out.pop("ages")
    from_start = out.pop("ages_from_start")
    by_partition = out.pop("by_source_partition")
    cpu_s = sum(s.cpu_s for s in samples)
    broker_cpu_s = None if broker_after is None or broker_before is None \
        else broker_after - broker_before  # fmt: skip
    steady = None
    if out["first_append_ms"] and out["last_append_ms"] and \
            out["last_append_ms"] > out["first_append_ms"]:  # fmt: skip
        steady = out["records"] / ((out["last_append_ms"] - out["first_append_ms"]) / 1000)
    first_output_s = (out["first_append_ms"] - spawn_wall_ms) / 1000 \
        if out["first_append_ms"] else None  # fmt: skip
    return {
        "processes": len(procs),
        "input_messages": expected,
        "seconds": round(elapsed, 3),
        "articles_per_s": round(expected / elapsed, 1),
        "steady_articles_per_s": round(steady, 1) if steady else None,
        "first_output_after_s": round(first_output_s, 3) if first_output_s is not None else None,
        "output_records": out["records"],
        "output_distinct_sources": out["distinct_sources"],
        "dead_letters": dlq["records"],
        "transactional_output": out["transactional"],
        "age_p50_s": round(percentile(ages, 50), 3),
        "age_p99_s": round(percentile(ages, 99), 3),
        "age_max_s": round(max(ages), 3) if ages else None,
        # Pre-loaded input waited before the start: these count from the process start.
        "age_from_start_p50_s": round(percentile(from_start, 50), 3),
        "age_from_start_p99_s": round(percentile(from_start, 99), 3),
        "cpu_s": round(cpu_s, 2),
        "cpu_s_per_article": round(cpu_s / expected, 6),
        "peak_rss_bytes": max(s.peak_rss_bytes for s in samples),
        "peak_rss_bytes_each": [s.peak_rss_bytes for s in samples],
        "cpu_pinning": [cpu for _, cpu, _ in commands],
        "exit_codes": codes,
        # The broker shares the machine's cores: its CPU is part of what scaling costs.
        "broker_cpu_s": None if broker_cpu_s is None else round(broker_cpu_s, 2),
        "broker_cpu_s_per_article": None if broker_cpu_s is None
        else round(broker_cpu_s / expected, 6),
        # This process (the commit watcher) runs on the same cores too.
        "harness_cpu_s": round(harness_cpu_s, 2),
        "each": [_process_summary(p, s.cpu_s, by_partition, spawn_wall_ms)
                 for p, s in zip(procs, samples, strict=True)],
    }


def _process_summary(proc: Proc, cpu_s: float, by_partition: dict[Any, list[int]],
                     spawn_wall_ms: float) -> dict[str, Any]:  # fmt: skip
    """One process of a run, from its log: when it got partitions, how much it did, when done.

    Times count from the spawn. `finished_after_s` is the last output of the partitions it
    held at the end (what it did before a rebalance took a partition away is not in it).
    """
    assigned_after_s = consumed = None
    partitions: list[int] = []
    for line in proc.log.read_bytes().splitlines():
        try:
            event = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if not isinstance(event, dict):
            continue
        if event.get("event") == "assignment" and event.get("partitions"):
            partitions = event["partitions"]
            if assigned_after_s is None:
                at = datetime.fromisoformat(event["ts"]).timestamp() * 1000
                assigned_after_s = round((at - spawn_wall_ms) / 1000, 3)
        elif event.get("event") == "stop":
            consumed = event.get("consumed")
    last = [by_partition[p][2] for p in partitions if p in by_partition]
    return {
        "cpu_s": round(cpu_s, 2),
        "consumed": consumed,
        "cpu_s_per_article": round(cpu_s / consumed, 6) if consumed else None,
        "first_assigned_after_s": assigned_after_s,
        "partitions_at_end": partitions,
        "finished_after_s": round((max(last) - spawn_wall_ms) / 1000, 3) if last else None,
    }


def _cpu_of(pid: int | None) -> float | None:
    if pid is None:
        return None
    try:
        return proc_sample(pid).cpu_s
    except OSError:
        return None


def rate_limited(bootstrap: str, values: Sequence[bytes], rate: float, *, workdir: Path,
                 cpu: int | None, env: dict[str, str] | None = None) -> dict[str, Any]:  # fmt: skip
    """A warm worker fed at `rate` messages/s: end-to-end age when it keeps up."""
    raw = new_input_topic(bootstrap, "rate")
    topics = new_run_topics(bootstrap, raw, "rate")
    port = free_port()
    proc = start(worker_command(bootstrap, topics, metrics_port=port),
                 workdir / "rate-limited.log", cpu=cpu, env=env or worker_env())
    try:
        wait_ready(port, proc)
        produced = {"messages": 0}
        worker_error: list[BaseException] = []

        def produce() -> None:
            try:
                produced.update(produce_at_rate(bootstrap, raw, values, rate))
            except BaseException as exc:  # noqa: BLE001 - reported below
                worker_error.append(exc)

        thread = threading.Thread(target=produce, name="bench-producer")
        thread.start()
        thread.join()
        if worker_error:
            raise worker_error[0]
        watcher = CommitWatcher(bootstrap, topics.group, raw, end_offsets(bootstrap, raw))
        try:
            watcher.wait([proc], timeout=120)
        finally:
            watcher.close()
        sample = proc_sample(proc.popen.pid)
    finally:
        codes = stop([proc])
    out = read_outputs(bootstrap, topics.clean, read_committed=False)
    ages = out["ages"]
    return {
        "target_rate": rate,
        "produced": produced,
        "output_records": out["records"],
        "age_p50_s": round(percentile(ages, 50), 3),
        "age_p99_s": round(percentile(ages, 99), 3),
        "age_max_s": round(max(ages), 3) if ages else None,
        "peak_rss_bytes": sample.peak_rss_bytes,
        "cpu_pinning": cpu,
        "exit_code": codes[0],
    }
