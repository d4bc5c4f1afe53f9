"""Fault-injection scenarios against real brokers: nothing is lost, and with exactly-once
nothing is duplicated either.

Every scenario runs in both modes. The `faults`-marked parameters are the full-size runs
(20,000 messages, 20 kills) that `make test-faults` selects; the others are the quick subset
that `make test` runs within the CI budget. Each scenario records a row of the table that is
printed at the end of the session.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from _pytest.mark.structures import ParameterSet
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic

from tests.faults.harness import MODES, POISON, Result, Scenario, read_topics
from tests.support.kafka_cluster import KafkaCluster

pytestmark = [
    pytest.mark.integration,
    # The full runs take minutes each; the default per-test timeout is for ordinary tests.
    pytest.mark.timeout(1800),
    # While a broker is down, kafka-python drops the socket of a refused connection attempt
    # without closing it; the harness's own clients (progress polling) hit that, the worker
    # under test is a separate process and unaffected.
    pytest.mark.filterwarnings("ignore:unclosed <socket.socket:ResourceWarning"),
    pytest.mark.filterwarnings(
        "ignore:Exception ignored in. <socket.socket:pytest.PytestUnraisableExceptionWarning"),
]


@dataclass(frozen=True)
class Size:
    """How big a scenario run is."""

    messages: int
    kills: int


FULL = Size(20_000, 20)
QUICK = Size(2_000, 3)


def sizes(*quick_modes: str) -> list[ParameterSet]:
    """Full runs in both modes (marked `faults`), quick runs in the given modes."""
    params = [pytest.param(mode, FULL, marks=pytest.mark.faults, id=f"{mode}-full")
              for mode in MODES]
    params += [pytest.param(mode, QUICK, id=f"{mode}-quick") for mode in quick_modes]
    return params


@pytest.fixture
def make_scenario(log_dir: Path) -> Iterator[list[Scenario]]:
    """Scenarios made by a test; their workers are killed when the test ends."""
    made: list[Scenario] = []
    yield made
    for scenario in made:
        scenario.close()


def _new(made: list[Scenario], cluster: KafkaCluster, mode: str, name: str, log_dir: Path, *,
         dlq_configs: dict[str, str] | None = None) -> Scenario:
    scenario = Scenario(cluster, mode, name, log_dir, dlq_configs=dlq_configs or {})
    made.append(scenario)
    return scenario


def _check(result: Result) -> None:
    assert result.lost == 0, result
    assert result.distinct == result.inputs, result
    if result.mode == "exactly_once":
        assert result.duplicates == 0, result


def _finish(scn: Scenario, *, timeout: float = 900, env: dict[str, str] | None = None
            ) -> None:
    """A last worker processes whatever is left and drains on SIGTERM with exit 0."""
    last = scn.start_worker(**(env or {}))
    scn.wait_complete(timeout, watch=last)
    rc = last.terminate()
    assert rc == 0, last.log_tail()
    assert scn.committed() == scn.ends()


# -- the scenarios ----------------------------------------------------------------------------


@pytest.mark.parametrize(("mode", "size"), sizes(*MODES))
def test_no_fault_baseline(cluster3: KafkaCluster, log_dir: Path, make_scenario: list[Scenario],
                           mode: str, size: Size) -> None:
    """One worker, no faults: the reference row and the throughput of each mode."""
    scn = _new(make_scenario, cluster3, mode, "no fault (throughput)", log_dir)
    scn.produce(size.messages, poison_every=97)
    start = time.monotonic()
    worker = scn.start_worker()
    scn.wait_complete(900, watch=worker)
    elapsed = time.monotonic() - start
    assert worker.terminate() == 0
    result = scn.tally(note=f"{size.messages / elapsed:.0f} msg/s incl. start-up")
    _check(result)


@pytest.mark.parametrize(("mode", "size"), sizes(*MODES))
def test_worker_kill9_at_random_points(cluster3: KafkaCluster, log_dir: Path,
                                       make_scenario: list[Scenario], mode: str,
                                       size: Size) -> None:
    """kill -9 of the worker at random points, restarted each time."""
    scn = _new(make_scenario, cluster3, mode, "worker kill -9", log_dir)
    scn.produce(size.messages, poison_every=97)
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    # Static membership: the restarted worker takes its predecessor's place (and, in
    # exactly-once mode, its transactional id, which aborts the killed one's transaction).
    env = {"ARTICLE_WORKER__CONSUMER__GROUP_INSTANCE_ID": "w1",
           "ARTICLE_WORKER__CONSUMER__MAX_POLL_RECORDS": "100"}
    kills = 0
    for _ in range(size.kills):
        done = scn.progress()
        if done >= scn.inputs:
            break
        worker = scn.start_worker(**env)
        scn.wait_progress(done + 1, 300, watch=worker)
        # Anywhere in the next batch: while processing, sending, flushing or committing.
        time.sleep(rng.uniform(0.0, 0.6))
        worker.kill9()
        kills += 1
    assert kills == size.kills, f"the input ran out after {kills} kills"
    _finish(scn, env=env)
    result = scn.tally(note=f"{kills} kills (seed {seed})")
    _check(result)


@pytest.mark.parametrize(("mode", "size"), sizes("at_least_once"))
def test_sigterm_during_load(cluster3: KafkaCluster, log_dir: Path, make_scenario: list[Scenario],
                             mode: str, size: Size) -> None:
    """SIGTERM while the worker is busy: it drains, exits 0, and the next one continues."""
    scn = _new(make_scenario, cluster3, mode, "SIGTERM during load", log_dir)
    scn.produce(size.messages, poison_every=97)
    rng = random.Random()
    stops = 3
    total = sum(scn.ends().values())
    for _ in range(stops):
        done = scn.progress()
        worker = scn.start_worker()
        # On a fast machine a worker can finish the whole input before its SIGTERM; the
        # later stops then drain an idle worker, which must exit 0 just the same.
        scn.wait_progress(min(done + 1, total), 300, watch=worker)
        time.sleep(rng.uniform(0.0, 1.0))
        rc = worker.terminate()
        assert rc == 0, worker.log_tail()
        assert '"event":"drain"' in worker.log_tail(100_000)
    _finish(scn)
    result = scn.tally(note=f"{stops} SIGTERMs, each exit 0")
    _check(result)


@pytest.mark.parametrize(("mode", "size"), sizes())
def test_single_broker_restart(cluster1: KafkaCluster, log_dir: Path,
                               make_scenario: list[Scenario], mode: str, size: Size) -> None:
    """The only broker of a 1-node cluster is stopped and restarted under the worker."""
    scn = _new(make_scenario, cluster1, mode, "restart of the only broker", log_dir)
    scn.produce(size.messages, poison_every=97)
    worker = scn.start_worker()
    scn.wait_progress(size.messages // 10, 300, watch=worker)
    try:
        cluster1.stop_node(1)
        time.sleep(5)
    finally:
        cluster1.start_node(1)
    scn.wait_complete(900, watch=worker)
    assert worker.terminate() == 0, worker.log_tail()
    result = scn.tally(note="worker rode through the outage")
    _check(result)


@pytest.mark.parametrize(("mode", "size"), sizes("at_least_once"))
def test_one_of_three_brokers_killed(cluster3: KafkaCluster, log_dir: Path,
                                     make_scenario: list[Scenario], mode: str,
                                     size: Size) -> None:
    """kill -9 of one broker (RF 3, min.insync.replicas=2, acks=all), restarted later."""
    scn = _new(make_scenario, cluster3, mode, "1 of 3 brokers kill -9", log_dir)
    scn.produce(size.messages, poison_every=97)
    worker = scn.start_worker()
    scn.wait_progress(size.messages // 10, 300, watch=worker)
    node = random.choice([1, 2, 3])
    try:
        cluster3.kill_node(node)
        scn.wait_progress(scn.progress() + 1, 300, watch=worker)  # still writable
        time.sleep(5)
    finally:
        cluster3.start_node(node)
    scn.wait_complete(900, watch=worker)
    assert worker.terminate() == 0, worker.log_tail()
    result = scn.tally(note=f"node {node} killed, restarted")
    _check(result)


@pytest.mark.parametrize(("mode", "size"), sizes("exactly_once"))
def test_group_scaled_1_3_1(cluster3: KafkaCluster, log_dir: Path, make_scenario: list[Scenario],
                            mode: str, size: Size) -> None:
    """The group grows from one worker to three and back to one during the load."""
    scn = _new(make_scenario, cluster3, mode, "group scaled 1 → 3 → 1", log_dir)
    scn.produce(size.messages, poison_every=97)
    first = scn.start_worker()
    scn.wait_progress(size.messages // 10, 300, watch=first)
    extra = [scn.start_worker(), scn.start_worker()]
    done = scn.progress()
    scn.wait_progress(done + size.messages // 5, 600, watch=first)
    for worker in extra:
        assert worker.alive(), worker.log_tail()
        assert worker.terminate() == 0, worker.log_tail()
    scn.wait_complete(900, watch=first)
    assert first.terminate() == 0, first.log_tail()
    result = scn.tally(note="2 members joined, then left")
    _check(result)


def _poison_offsets(scn: Scenario) -> dict[int, int]:
    """The first poison offset of each input partition."""
    first: dict[int, int] = {}
    for record in read_topics(scn.bootstrap, [scn.raw], "read_uncommitted"):
        if record.value == POISON and record.partition not in first:
            first[record.partition] = record.offset
    return first


def _assert_stopped_before_poison(scn: Scenario, rc: int, log: str) -> None:
    assert rc == 1, log[-3000:]
    assert scn.dlq in log, log[-3000:]
    assert "cannot make progress" in log, log[-3000:]
    poison = _poison_offsets(scn)
    for partition, offset in scn.committed().items():
        assert offset <= poison.get(partition, offset), (partition, offset, poison)


DLQ_FAST_FAIL = {"ARTICLE_WORKER__PRODUCER__FLUSH_TIMEOUT_S": "5",
                 "ARTICLE_WORKER__PRODUCER__SEND_ATTEMPTS": "3"}


@pytest.mark.parametrize(("mode", "size"), sizes("at_least_once"))
def test_dead_letter_topic_refuses_writes(cluster3: KafkaCluster, log_dir: Path,
                                          make_scenario: list[Scenario], mode: str,
                                          size: Size) -> None:
    """The DLQ rejects every record (max.message.bytes too small): no commit past the
    first poison message, a reason in the log, exit 1 after bounded retries; once the topic
    is fixed a restart finishes the job."""
    scn = _new(make_scenario, cluster3, mode, "DLQ refuses writes", log_dir,
               dlq_configs={"max.message.bytes": "64"})
    scn.produce(size.messages, poison_every=97)
    worker = scn.start_worker(**DLQ_FAST_FAIL)
    rc = worker.wait(300)
    log = worker.log_tail(200_000)
    _assert_stopped_before_poison(scn, rc, log)
    assert "MessageSizeTooLarge" in log or "RecordTooLarge" in log, log[-3000:]
    admin = KafkaAdminClient(bootstrap_servers=scn.bootstrap)
    try:
        admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, scn.dlq,
                                            configs={"max.message.bytes": "1048588"})])
    finally:
        admin.close()
    _finish(scn)
    result = scn.tally(note="exit 1 before the fix, no commit past a failed dead letter")
    _check(result)


@pytest.mark.parametrize(("mode", "size"), sizes())
def test_dead_letter_topic_deleted(cluster3: KafkaCluster, log_dir: Path,
                                   make_scenario: list[Scenario], mode: str,
                                   size: Size) -> None:
    """The DLQ disappears while the worker runs; the next dead letter cannot be written."""
    scn = _new(make_scenario, cluster3, mode, "DLQ deleted while running", log_dir)
    half = size.messages // 2
    scn.produce(half)  # no poison yet: nothing is on the DLQ when it is deleted
    worker = scn.start_worker(**DLQ_FAST_FAIL)
    scn.wait_progress(half // 4, 300, watch=worker)
    admin = KafkaAdminClient(bootstrap_servers=scn.bootstrap)
    try:
        admin.delete_topics([scn.dlq])
        time.sleep(3)
        scn.produce(size.messages - half, poison_every=97)
        rc = worker.wait(300)
        _assert_stopped_before_poison(scn, rc, worker.log_tail(200_000))
        admin.create_topics([NewTopic(scn.dlq, scn.partitions, 3,
                                      topic_configs={"min.insync.replicas": "2"})],
                            wait_for_metadata=True)
    finally:
        admin.close()
    _finish(scn)
    result = scn.tally(note="exit 1 while missing, no commit past a failed dead letter")
    _check(result)


@pytest.mark.parametrize(("mode", "size"), sizes())
def test_peak_rss_under_a_burst_of_large_payloads(cluster1: KafkaCluster, log_dir: Path,
                                                  make_scenario: list[Scenario], mode: str,
                                                  size: Size) -> None:
    """Memory stays bounded when a backlog of 10x the messages, each a 64 KB payload, arrives
    at once (160x the bytes of the normal backlog). The size parameter only selects the run."""
    normal = 200
    peaks: dict[str, int] = {}
    for label, count, payload_size in (("normal", normal, 0),
                                       ("burst", normal * 10, 64 * 1024)):
        scn = _new(make_scenario, cluster1, mode, f"RSS {label}", log_dir)
        scn.produce(count, size=payload_size)
        worker = scn.start_worker("--stop-when-idle", "3")
        peak = 0
        deadline = time.monotonic() + 900
        while worker.alive() and time.monotonic() < deadline:
            peak = max(peak, worker.peak_rss_bytes())
            time.sleep(0.2)
        assert worker.wait(60) == 0, worker.log_tail()
        peaks[label] = peak
        result = scn.tally(note=f"{count} x {payload_size or 400} B, peak RSS "
                                f"{peak / 2**20:.0f} MiB")
        _check(result)
    # 500 records of 64 KB per poll and a 32 MB producer buffer bound the growth.
    assert peaks["burst"] < 1024 * 2**20, peaks

