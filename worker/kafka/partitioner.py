"""kafka-python's default partitioner with a faster murmur2: the same partition for every key.

Every output record is keyed (articles by their id), so the producer hashes a key per record;
kafka-python's pure-Python murmur2 masks every intermediate step and costs about as much as
the rest of `send`. This one reads the key in 32-bit words at once and masks only where a
product can overflow. The result is bit for bit the Java client's (and kafka-python's)
murmur2, so records land on the same partitions as before; tests/unit/test_partitioner.py
compares both on many keys.
"""

from __future__ import annotations

import struct
from functools import lru_cache
from typing import Any

from kafka.partitioner.default import DefaultPartitioner

_SEED = 0x9747B28C
_M = 0x5BD1E995
_MASK = 0xFFFFFFFF


@lru_cache(maxsize=64)
def _words(count: int) -> struct.Struct:
    return struct.Struct(f"<{count}I")


def murmur2(data: bytes) -> int:
    """MurmurHash2 of `data` as the Java client computes it (unsigned 32 bits)."""
    length = len(data)
    h = (_SEED ^ length) & _MASK
    count = length >> 2
    if count:
        for word in _words(count).unpack_from(data):
            k = (word * _M) & _MASK
            k = ((k ^ (k >> 24)) * _M) & _MASK
            h = ((h * _M) & _MASK) ^ k
    rest = length & 3
    if rest:
        tail = length - rest
        if rest == 3:
            h ^= data[tail + 2] << 16
        if rest >= 2:
            h ^= data[tail + 1] << 8
        h = ((h ^ data[tail]) * _M) & _MASK
    h ^= h >> 13
    h = (h * _M) & _MASK
    return h ^ (h >> 15)


class Murmur2Partitioner(DefaultPartitioner):  # type: ignore[misc]  # kafka is untyped
    """`DefaultPartitioner` with `murmur2` above; records without a key are left to it."""

    def partition(self, topic: str, key: Any, serialized_key: bytes | None, value: Any,  # noqa: PLR0917 - kafka-python's signature
                  serialized_value: Any, cluster: Any) -> int:
        """The partition of a keyed record: murmur2 of the key over all partitions."""
        if serialized_key is None:
            return int(super().partition(topic, key, serialized_key, value,
                                         serialized_value, cluster))
        partitions = cluster.partitions_for_topic(topic)
        if partitions is None:
            raise ValueError(f"Topic {topic} not found in ClusterMetadata")
        ordered = sorted(partitions)
        return int(ordered[(murmur2(serialized_key) & 0x7FFFFFFF) % len(ordered)])
