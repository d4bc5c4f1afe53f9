"""worker.kafka.partitioner: the same partitions as kafka-python's default partitioner."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from kafka.partitioner.default import DefaultPartitioner
from kafka.partitioner.default import murmur2 as kafka_murmur2

from worker.kafka.partitioner import Murmur2Partitioner, murmur2


class Cluster:
    """The two lookups a partitioner makes, over fixed partition counts."""

    def __init__(self, partitions: dict[str, int]) -> None:
        self._partitions = {t: set(range(n)) for t, n in partitions.items()}

    def topics(self, exclude_internal_topics: bool = True) -> set[str]:
        return set(self._partitions)

    def partitions_for_topic(self, topic: str) -> set[int] | None:
        return set(self._partitions[topic]) if topic in self._partitions else None

    def available_partitions_for_topic(self, topic: str) -> set[int] | None:
        return self.partitions_for_topic(topic)


@settings(max_examples=2000)
@given(st.binary(max_size=300))
def test_murmur2_is_kafkas(data: bytes) -> None:
    assert murmur2(data) == kafka_murmur2(data)


def test_murmur2_of_every_length_and_the_java_clients_values() -> None:
    data = bytes(range(256)) * 2
    for n in range(len(data)):
        assert murmur2(data[:n]) == kafka_murmur2(data[:n])
    # Values of org.apache.kafka.common.utils.Utils.murmur2 (as unsigned 32-bit ints).
    assert murmur2(b"21") & 0xFFFFFFFF == (-973932308) & 0xFFFFFFFF
    assert murmur2(b"foobar") & 0xFFFFFFFF == (-790332482) & 0xFFFFFFFF


@given(st.binary(min_size=0, max_size=80), st.integers(min_value=1, max_value=64))
def test_keyed_records_go_where_the_default_partitioner_sends_them(
    key: bytes, partitions: int
) -> None:
    cluster: Any = Cluster({"out": partitions})
    expected = DefaultPartitioner().partition("out", key, key, b"v", b"v", cluster)
    assert Murmur2Partitioner().partition("out", key, key, b"v", b"v", cluster) == expected


def test_records_without_a_key_are_spread_by_the_default_partitioner() -> None:
    cluster: Any = Cluster({"dlq": 3})
    seen = {Murmur2Partitioner().partition("dlq", None, None, b"v", b"v", cluster)
            for _ in range(200)}
    assert seen <= {0, 1, 2}
    assert len(seen) > 1
