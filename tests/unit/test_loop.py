"""worker.loop with in-memory stand-ins for kafka-python's consumer and producer.

The fakes record every call in one shared `events` list so that the tests can check the
order of sends, flushes, commits and transaction steps. The pipeline is the real one (it is
pure); no network, no clock-based assertions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest
from kafka import TopicPartition
from kafka.errors import CommitFailedError, KafkaError, KafkaTimeoutError, ProducerFencedError
from prometheus_client import CollectorRegistry

import worker.delivery
import worker.loop
import worker.transactions
from worker.errors import FatalIOError
from worker.health import HealthState
from worker.loop import Worker
from worker.metrics import Metrics
from worker.pipeline.run import PipelineConfig
from worker.processor import Processor
from worker.rules_file import load_rules
from worker.settings import Settings

TOPIC = "in"
TP0 = TopicPartition(TOPIC, 0)
TP1 = TopicPartition(TOPIC, 1)


@dataclass(frozen=True)
class Rec:
    """A consumed record."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]] = field(default_factory=list)
    timestamp: int = 1_700_000_000_000


def article(i: int) -> bytes:
    """A valid payload."""
    text = (f"Pemerintah kota mengumumkan rencana baru nomor {i} untuk memperbaiki jalan.\n\n"
            f"Pekerjaan dimulai bulan depan menurut pejabat setempat ({i}).")
    return orjson.dumps({"id": f"a-{i}", "text": text})


def records(tp: TopicPartition, first: int, values: list[bytes]) -> list[Rec]:
    """Records of one partition starting at offset `first`."""
    return [Rec(tp.topic, tp.partition, first + i, f"k{first + i}".encode(), v)
            for i, v in enumerate(values)]


class Future:
    """A send future: done or not, failed or not."""

    def __init__(self, error: BaseException | None = None, done: bool = True) -> None:
        self.is_done = done
        self.exception = error

    def failed(self) -> bool:
        return self.exception is not None


class FakeProducer:
    """Acknowledges sends unless told to fail some; records transaction calls."""

    def __init__(self, events: list[tuple[Any, ...]], *, name: str = "p1",
                 fail_topic: str | None = None, fail_times: int = 0,
                 pending_flushes: int = 0, ack_later: bool = False) -> None:
        self.events = events
        self.name = name
        self.fail_topic = fail_topic
        self.fail_times = fail_times
        #: Flush calls that return with the futures still pending (a slow broker).
        self.pending_flushes = pending_flushes
        #: Sends stay unacknowledged until `acknowledge` (the broker answering in the
        #: background) or a flush; otherwise they are acknowledged at once.
        self.ack_later = ack_later
        self._open: list[Future] = []
        self.closed = False

    def send(self, topic: str, value: Any = None, key: Any = None, headers: Any = None
             ) -> Future:
        self.events.append(("send", self.name, topic, key))
        if topic == self.fail_topic and self.fail_times != 0:
            self.fail_times -= 1
            return Future(KafkaTimeoutError("refused"))
        future = Future(done=self.pending_flushes == 0 and not self.ack_later)
        self._open.append(future)
        return future

    def acknowledge(self) -> None:
        """The broker acknowledges everything sent so far (without a flush)."""
        if self._open:
            self.events.append(("ack", self.name))
        for future in self._open:
            future.is_done = True
        self._open = []

    def flush(self, timeout: float | None = None) -> None:
        self.events.append(("flush", self.name))
        if self.pending_flushes > 0:
            self.pending_flushes -= 1
            if self.pending_flushes > 0:
                return
        self.acknowledge()

    def init_transactions(self) -> None:
        self.events.append(("init", self.name))

    def begin_transaction(self) -> None:
        self.events.append(("begin", self.name))

    def send_offsets_to_transaction(self, offsets: dict[TopicPartition, Any], group: Any
                                    ) -> None:
        self.events.append(("offsets", self.name, {tp: m.offset for tp, m in offsets.items()},
                            group))

    def commit_transaction(self) -> None:
        self.events.append(("commit_txn", self.name))

    def abort_transaction(self) -> None:
        self.events.append(("abort", self.name))

    def close(self, timeout: float | None = None) -> None:
        self.closed = True
        self.events.append(("close", self.name))


class FakeConsumer:
    """Hands out prepared batches; a seek into the last batch hands it out again."""

    def __init__(self, events: list[tuple[Any, ...]], batches: list[dict[TopicPartition,
                                                                         list[Rec]]],
                 *, partitions: tuple[TopicPartition, ...] = (TP0, TP1),
                 ends: dict[TopicPartition, int] | None = None) -> None:
        self.events = events
        self.batches = list(batches)
        self.partitions = set(partitions)
        self.ends = ends or {}
        self.listener: Any = None
        self.paused_set: set[TopicPartition] = set()
        self.commit_error: BaseException | None = None
        #: How many commits in a row fail with `commit_error`.
        self.commit_error_times = 1
        #: Asynchronous commits are answered at the next poll (not at once) / never.
        self.answer_commits_later = False
        self.answer_commits = True
        self.unanswered: list[Future] = []
        self.keepalive_records: dict[TopicPartition, list[Rec]] = {}
        self.on_poll: Callable[[int], None] | None = None
        #: Called by a poll that finds no batch left (the tests stop the worker there).
        self.on_empty: Callable[[], None] | None = None
        self._polls = 0
        #: `max_records` of every poll, in order.
        self.max_records: list[int | None] = []
        self._last: dict[TopicPartition, list[Rec]] = {}
        self._assigned = False
        self.generation = 1
        #: A rebalance is coming: the next poll rejoins the group (kafka-python's
        #: coordinator answers `need_rejoin`; this fake is its own coordinator).
        self.rejoin = False
        self._coordinator = self

    def need_rejoin(self) -> bool:
        return self.rejoin

    def subscribe(self, topics: list[str], listener: Any) -> None:
        self.listener = listener

    def poll(self, timeout_ms: int = 0, max_records: int | None = None
             ) -> dict[TopicPartition, list[Rec]]:
        self._polls += 1
        self.max_records.append(max_records)
        for future in self.unanswered:
            future.is_done = True
        self.unanswered = []
        if self.on_poll is not None:
            self.on_poll(self._polls)
        if not self._assigned:
            self._assigned = True
            self.listener.on_partitions_assigned(sorted(self.partitions))
        if self.paused_set:
            self.events.append(("keepalive_poll",))
            found, self.keepalive_records = self.keepalive_records, {}
            return found
        self.events.append(("poll",))
        if not self.batches:
            if self.on_empty is not None:
                self.on_empty()
            return {}
        self._last = self.batches.pop(0)
        return self._last

    def commit(self, offsets: dict[TopicPartition, Any]) -> None:
        if self.commit_error is not None:
            error = self.commit_error
            self.commit_error_times -= 1
            if self.commit_error_times <= 0:
                self.commit_error = None
            raise error
        self.events.append(("commit", {tp: m.offset for tp, m in offsets.items()}))

    def commit_async(self, offsets: dict[TopicPartition, Any]) -> Future:
        """A refusal comes back in the future, as kafka-python does."""
        try:
            self.commit(offsets)
        except KafkaError as exc:
            return Future(exc)
        future = Future(done=self.answer_commits and not self.answer_commits_later)
        if self.answer_commits:
            self.unanswered.append(future)
        return future

    def assignment(self) -> set[TopicPartition]:
        return set(self.partitions)

    def pause(self, *partitions: TopicPartition) -> None:
        self.events.append(("pause", tuple(sorted(partitions))))
        self.paused_set |= set(partitions)

    def resume(self, *partitions: TopicPartition) -> None:
        self.events.append(("resume", tuple(sorted(partitions))))
        self.paused_set -= set(partitions)

    def paused(self) -> set[TopicPartition]:
        return set(self.paused_set)

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.events.append(("seek", tp, offset))
        if tp in self._last and self._last[tp] and self._last[tp][0].offset == offset:
            # Rewound to the start of the batch just handed out: it comes again.
            self.batches.insert(0, {tp: self._last[tp]})
            self._last = {k: v for k, v in self._last.items() if k != tp}

    def end_offsets(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        return {tp: self.ends.get(tp, 0) for tp in partitions}

    def position(self, tp: TopicPartition) -> int:
        return 0

    def group_metadata(self) -> str:
        return f"generation-{self.generation}"

    def close(self, autocommit: bool = False) -> None:
        self.events.append(("close_consumer",))


def settings(**sections: dict[str, Any]) -> Settings:
    """Settings with the topics the fakes use and small limits."""
    data: dict[str, Any] = {
        "topics": {"input": TOPIC, "output": "out", "dlq": "dlq"},
        "producer": {"send_attempts": 3, "flush_timeout_s": 60},
        "kafka": {"unreachable_deadline_s": 120},
    }
    for name, values in sections.items():
        data[name] = data.get(name, {}) | values
    return Settings.model_validate(data)


def components(s: Settings) -> tuple[Processor, Metrics, HealthState]:
    """A real processor (the pipeline is pure), fresh metrics and health."""
    metrics = Metrics(CollectorRegistry())
    processor = Processor(PipelineConfig(rules=load_rules(None)),
                          max_payload_bytes=s.processing.max_payload_bytes,
                          message_timeout_s=s.processing.message_timeout_s,
                          duplicate_window=s.processing.duplicates.window, metrics=metrics)
    return processor, metrics, HealthState(s.metrics.stall_timeout_s)


@pytest.fixture(autouse=True)
def _no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    # Retries back off with real sleeps; the tests check what happens, not how long.
    monkeypatch.setattr(worker.delivery, "backoff_s", lambda attempt: 0.0)
    monkeypatch.setattr(worker.transactions, "backoff_s", lambda attempt: 0.0)


def run_worker(s: Settings, consumer: FakeConsumer, producer: FakeProducer,
               factory: Callable[[], FakeProducer] | None = None) -> Worker:
    processor, metrics, health = components(s)
    w = Worker(s, consumer, producer, processor, metrics=metrics, health=health,
               producer_factory=factory)
    if consumer.on_empty is None:
        consumer.on_empty = w.request_stop
    w.run()
    return w


def kinds(events: list[tuple[Any, ...]]) -> list[Any]:
    return [e[0] for e in events]


# -- at-least-once -----------------------------------------------------------------------------


def test_offsets_are_committed_after_every_output_is_acknowledged() -> None:
    events: list[tuple[Any, ...]] = []
    batch = {TP0: records(TP0, 0, [article(1), b"{bad", article(2)]),
             TP1: records(TP1, 5, [article(3)])}
    producer = FakeProducer(events, ack_later=True)
    w = run_worker(settings(), FakeConsumer(events, [batch]), producer)
    sends = [e for e in events if e[0] == "send"]
    assert sorted(e[2] for e in sends) == ["dlq", "out", "out", "out"]
    commit_at = kinds(events).index("commit")
    assert all(events.index(e) < commit_at for e in sends)
    assert "ack" in kinds(events)[:commit_at]
    assert events[commit_at][1] == {TP0: 3, TP1: 6}
    assert w.stats == {"consumed": 4, "published": 3, "dead_letters": 1, "duplicates": 0}


def test_the_next_batch_is_processed_while_the_broker_acknowledges_the_last() -> None:
    events: list[tuple[Any, ...]] = []
    batches = [{TP0: records(TP0, 0, [article(1), article(2)])},
               {TP0: records(TP0, 2, [article(3)])},
               {TP1: records(TP1, 0, [article(4)])}]
    consumer = FakeConsumer(events, batches)
    producer = FakeProducer(events, ack_later=True)
    consumer.on_poll = lambda polls: producer.acknowledge()  # answers arrive meanwhile
    run_worker(settings(), consumer, producer)
    k = kinds(events)
    # Nothing waited: every batch was acknowledged in the background (the flush on the
    # way out, after the consumer closed, has nothing left to send).
    assert "flush" not in k[:k.index("close_consumer")]
    commits = [e[1] for e in events if e[0] == "commit"]
    assert commits == [{TP0: 2}, {TP0: 3}, {TP1: 1}]
    # Each commit comes after the acknowledgement of the batch it commits, and the first
    # one after the second batch was fetched: the loop did not wait for it.
    assert k.index("commit") > k.index("ack") > k.index("send")
    assert [i for i, e in enumerate(k) if e == "poll"][1] < k.index("commit")


def test_a_refused_output_of_the_sent_batch_is_sent_again_before_its_commit() -> None:
    events: list[tuple[Any, ...]] = []
    batches = [{TP0: records(TP0, 0, [b"{bad"])}, {TP0: records(TP0, 1, [article(1)])}]
    producer = FakeProducer(events, fail_topic="dlq", fail_times=1)
    w = run_worker(settings(), FakeConsumer(events, batches), producer)
    # The refusal is found once the second batch is processed: the dead letter goes again
    # before the second batch is sent, and nothing is committed until it is acknowledged.
    assert [e[2] for e in events if e[0] == "send"] == ["dlq", "dlq", "out"]
    assert [e[1] for e in events if e[0] == "commit"] == [{TP0: 1}, {TP0: 2}]
    k = kinds(events)
    assert [i for i, e in enumerate(k) if e == "poll"][1] < k.index("commit")
    assert w.stats["dead_letters"] == 1


def test_the_first_batches_are_small_and_grow_to_max_poll_records() -> None:
    events: list[tuple[Any, ...]] = []
    batches = [{TP0: records(TP0, i, [article(i)])} for i in range(7)]
    consumer = FakeConsumer(events, batches)
    run_worker(settings(consumer={"max_poll_records": 100}), consumer, FakeProducer(events))
    # An empty poll (the input ran dry) does not grow the limit.
    assert consumer.max_records == [16, 32, 64, 100, 100, 100, 100, 100]


def test_max_poll_records_below_the_first_batch_size_is_kept() -> None:
    events: list[tuple[Any, ...]] = []
    consumer = FakeConsumer(events, [{TP0: records(TP0, 0, [article(1)])}])
    run_worker(settings(consumer={"max_poll_records": 5}), consumer, FakeProducer(events))
    assert set(consumer.max_records) == {5}


def test_stopping_finishes_and_commits_the_sent_batch_before_leaving() -> None:
    events: list[tuple[Any, ...]] = []
    consumer = FakeConsumer(events, [{TP0: records(TP0, 0, [article(1)])},
                                     {TP0: records(TP0, 1, [article(2)])}])
    producer = FakeProducer(events, ack_later=True)
    processor, metrics, health = components(settings())
    w = Worker(settings(), consumer, producer, processor, metrics=metrics, health=health)
    consumer.on_poll = lambda polls: w.request_stop() if polls == 1 else None
    w.run()
    k = kinds(events)
    assert k.count("poll") == 1  # stopped after the first batch
    assert ("commit", {TP0: 1}) in events
    assert k.index("flush") < k.index("commit") < k.index("close_consumer")


def test_a_dead_letter_never_acknowledged_stops_the_worker_before_any_commit() -> None:
    events: list[tuple[Any, ...]] = []
    batch = {TP0: records(TP0, 0, [article(1), b"{bad"])}
    producer = FakeProducer(events, fail_topic="dlq", fail_times=-1)  # refuses for ever
    with pytest.raises(FatalIOError, match=r"not acknowledged after 3 attempts.*topic dlq"):
        run_worker(settings(), FakeConsumer(events, [batch]), producer)
    assert "commit" not in kinds(events)
    assert [e[2] for e in events if e[0] == "send"].count("dlq") == 3  # bounded retries


def test_a_record_acknowledged_on_a_retry_is_committed() -> None:
    events: list[tuple[Any, ...]] = []
    batch = {TP0: records(TP0, 0, [b"{bad", article(1)])}
    producer = FakeProducer(events, fail_topic="dlq", fail_times=2)
    w = run_worker(settings(), FakeConsumer(events, [batch]), producer)
    assert [e for e in events if e[0] == "commit"] == [("commit", {TP0: 2})]
    assert w.stats["dead_letters"] == 1


def test_slow_acknowledgements_pause_fetching_and_keep_the_group_alive() -> None:
    events: list[tuple[Any, ...]] = []
    batch = {TP0: records(TP0, 0, [article(1), article(2)])}
    producer = FakeProducer(events, pending_flushes=3)
    run_worker(settings(), FakeConsumer(events, [batch]), producer)
    k = kinds(events)
    first_pause, resume = k.index("pause"), k.index("resume")
    assert k[first_pause + 1] == "keepalive_poll"
    # Between pausing and resuming: only keep-alive polls, the acknowledgements, the commit.
    assert set(k[first_pause:resume]) == {"pause", "keepalive_poll", "flush", "ack", "commit"}
    assert k.index("commit") < resume


def test_records_fetched_by_a_keepalive_poll_are_handed_back() -> None:
    events: list[tuple[Any, ...]] = []
    consumer = FakeConsumer(events, [{TP0: records(TP0, 0, [article(1)])}])
    # A partition assigned during the keep-alive poll returns records at once.
    consumer.keepalive_records = {TP1: records(TP1, 7, [article(2), article(3)])}
    run_worker(settings(), consumer, FakeProducer(events, pending_flushes=2))
    assert ("seek", TP1, 7) in events
    assert ("commit", {TP0: 1}) in events
    assert not [e for e in events if e[0] == "commit" and TP1 in e[1]]


def test_before_a_rebalance_the_sent_batch_and_a_failed_commit_are_committed() -> None:
    events: list[tuple[Any, ...]] = []
    consumer = FakeConsumer(events, [{TP0: records(TP0, 0, [article(1)])},
                                     {TP0: records(TP0, 1, [article(2)])}])
    consumer.commit_error = KafkaTimeoutError("coordinator moving")
    consumer.commit_error_times = 2  # the first batch's commit and its retry fail
    producer = FakeProducer(events, ack_later=True)

    def rebalance_after_the_second_batch(polls: int) -> None:
        producer.acknowledge()
        if polls == 2:
            consumer.rejoin = True  # seen by the heartbeat while the batch is processed
        if polls == 3:
            # The rebalance happens inside this poll; kafka-python calls the listener.
            events.append(("revoke",))
            consumer.listener.on_partitions_revoked([TP0])

    consumer.on_poll = rebalance_after_the_second_batch
    run_worker(settings(), consumer, producer)
    # The first batch's commit failed; before the poll that rebalances, both batches are
    # acknowledged and committed in one go, while the partition is still ours.
    commits = [e for e in events if e[0] == "commit"]
    assert commits == [("commit", {TP0: 2})]
    assert events.index(commits[0]) < events.index(("revoke",))


def test_a_revoked_partition_of_the_sent_batch_is_not_committed() -> None:
    events: list[tuple[Any, ...]] = []
    consumer = FakeConsumer(events, [{TP0: records(TP0, 0, [article(1)]),
                                      TP1: records(TP1, 0, [article(2)])}])
    producer = FakeProducer(events, ack_later=True)

    def revoke_unannounced(polls: int) -> None:
        if polls == 2:  # a rebalance the heartbeat had not seen yet
            consumer.listener.on_partitions_revoked([TP1])
            consumer.partitions.discard(TP1)

    consumer.on_poll = revoke_unannounced
    run_worker(settings(), consumer, producer)
    assert [e[1] for e in events if e[0] == "commit"] == [{TP0: 1}]


def test_a_refused_commit_is_carried_by_the_next_one() -> None:
    events: list[tuple[Any, ...]] = []
    batches = [{TP0: records(TP0, 0, [article(1)])}, {TP0: records(TP0, 1, [article(2)])},
               {TP1: records(TP1, 0, [article(3)])}]
    consumer = FakeConsumer(events, batches)
    consumer.commit_error = KafkaTimeoutError("coordinator moving")
    w = run_worker(settings(), consumer, FakeProducer(events))
    # The first batch's commit was refused; it went again with the second batch.
    assert [e[1] for e in events if e[0] == "commit"] == [{TP0: 1}, {TP0: 2}, {TP1: 1}]
    assert w._metrics.registry.get_sample_value(
        "article_worker_commits_total", {"result": "failure"}) == 1.0


def test_a_commit_still_unanswered_is_repeated_by_the_last_commit() -> None:
    events: list[tuple[Any, ...]] = []
    batches = [{TP0: records(TP0, 0, [article(1)])}, {TP1: records(TP1, 0, [article(2)])}]
    consumer = FakeConsumer(events, batches)
    consumer.answer_commits = False  # the coordinator never answers the first commit
    run_worker(settings(), consumer, FakeProducer(events))
    commits = [e[1] for e in events if e[0] == "commit"]
    # The first batch's commit was sent without waiting; the commit that finishes the run
    # waits for its answer and carries the first batch's offsets too.
    assert commits == [{TP0: 1}, {TP0: 1, TP1: 1}]


def test_an_answered_commit_is_not_repeated() -> None:
    events: list[tuple[Any, ...]] = []
    batches = [{TP0: records(TP0, 0, [article(1)])}, {TP1: records(TP1, 0, [article(2)])}]
    consumer = FakeConsumer(events, batches)
    consumer.answer_commits_later = True
    run_worker(settings(), consumer, FakeProducer(events))
    assert [e[1] for e in events if e[0] == "commit"] == [{TP0: 1}, {TP1: 1}]


def test_a_commit_rejected_after_a_rebalance_is_not_fatal() -> None:
    events: list[tuple[Any, ...]] = []
    consumer = FakeConsumer(events, [{TP0: records(TP0, 0, [article(1)])}])
    consumer.commit_error = CommitFailedError("group rebalanced")
    w = run_worker(settings(), consumer, FakeProducer(events))
    assert w.stats["published"] == 1


def test_brokers_unreachable_past_the_deadline_stop_the_worker() -> None:
    events: list[tuple[Any, ...]] = []
    consumer = FakeConsumer(events, [])

    def fail(polls: int) -> None:
        raise KafkaError("no brokers")

    consumer.on_poll = fail
    s = settings(kafka={"unreachable_deadline_s": 0.000001})
    with pytest.raises(FatalIOError, match="unreachable"):
        run_worker(s, consumer, FakeProducer(events))


def test_no_heartbeat_while_assigned_partitions_have_lag() -> None:
    events: list[tuple[Any, ...]] = []
    consumer = FakeConsumer(events, [], ends={TP0: 50, TP1: 0})
    s = settings(metrics={"stall_timeout_s": 30})
    processor, metrics, _ = components(s)
    now = [1000.0]
    health = HealthState(30, clock=lambda: now[0])
    w = Worker(s, consumer, FakeProducer(events), processor,
               metrics=metrics, health=health)

    def stop_later(polls: int) -> None:
        now[0] += 20  # every empty poll "takes" 20 s
        if polls == 4:
            w.request_stop()

    consumer.on_poll = stop_later
    w.run()
    verdict = health.liveness()
    assert not verdict.ok
    assert "lag" in verdict.reason


def test_the_batch_budget_fits_in_max_poll_interval() -> None:
    s = settings(consumer={"max_poll_interval_ms": 20_000},
                 processing={"batch_time_budget_s": 300})
    processor, metrics, health = components(s)
    w = Worker(s, FakeConsumer([], []), FakeProducer([]), processor,
               metrics=metrics, health=health)
    assert w._batch_budget_s() == 10.0


# -- exactly-once ------------------------------------------------------------------------------


EOS = {"guarantee": "exactly_once"}


def test_exactly_once_commits_outputs_and_offsets_in_one_transaction() -> None:
    events: list[tuple[Any, ...]] = []
    batch = {TP0: records(TP0, 3, [article(1), b"{bad"])}
    run_worker(settings(processing=EOS), FakeConsumer(events, [batch]), FakeProducer(events))
    txn = [e for e in events if e[0] in ("init", "begin", "send", "offsets", "commit_txn")]
    assert [e[0] for e in txn] == ["init", "begin", "send", "send", "offsets", "commit_txn"]
    assert txn[4][2:] == ({TP0: 5}, "generation-1")
    assert "commit" not in kinds(events)  # no plain consumer commit


def test_a_failed_transaction_gets_a_new_producer_and_the_batch_again() -> None:
    events: list[tuple[Any, ...]] = []
    batch = {TP0: records(TP0, 0, [article(1), b"{bad"])}
    first = FakeProducer(events, name="p1", fail_topic="dlq", fail_times=1)
    w = run_worker(settings(processing=EOS), FakeConsumer(events, [batch]), first,
                   factory=lambda: FakeProducer(events, name="p2"))
    assert first.closed
    assert ("seek", TP0, 0) in events
    assert ("init", "p2") in events
    commits = [e for e in events if e[0] == "commit_txn"]
    assert commits == [("commit_txn", "p2")]  # p1 never committed anything
    assert ("offsets", "p2", {TP0: 2}, "generation-1") in events
    assert w.producer is not first


def test_transactions_failing_again_and_again_stop_the_worker() -> None:
    events: list[tuple[Any, ...]] = []
    batch = {TP0: records(TP0, 0, [b"{bad"])}
    with pytest.raises(FatalIOError, match=r"3 transaction.*in a row failed.*topic dlq"):
        run_worker(settings(processing=EOS), FakeConsumer(events, [batch]),
                   FakeProducer(events, fail_topic="dlq", fail_times=-1),
                   factory=lambda: FakeProducer(events, name="pn", fail_topic="dlq",
                                                fail_times=-1))
    assert "commit_txn" not in kinds(events)
    # The first producer and one new one per failure, the last only to abort the open
    # transaction before the worker exits.
    assert kinds(events).count("init") == 4


def test_a_fenced_producer_stops_the_worker_at_once() -> None:
    events: list[tuple[Any, ...]] = []

    class Fenced(FakeProducer):
        def commit_transaction(self) -> None:
            raise ProducerFencedError("newer instance")

    made: list[FakeProducer] = []

    def factory() -> FakeProducer:
        made.append(FakeProducer(events))
        return made[-1]

    with pytest.raises(FatalIOError, match="fenced"):
        run_worker(settings(processing=EOS),
                   FakeConsumer(events, [{TP0: records(TP0, 0, [article(1)])}]),
                   Fenced(events), factory=factory)
    assert made == []  # fencing is final: no new producer


def test_an_unknown_consumer_never_looks_like_a_coming_rebalance() -> None:
    class Broken:
        def need_rejoin(self) -> bool:
            raise RuntimeError("internals changed")

    class WithBroken:
        _coordinator = Broken()

    assert worker.loop._rebalance_pending(object()) is False
    assert worker.loop._rebalance_pending(WithBroken()) is False
