"""Connecting at start-up: retried with exponential backoff and jitter, bounded by a deadline."""

from __future__ import annotations

import logging

from kafka import KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_delay,
    wait_exponential_jitter,
)

from worker.errors import FatalIOError
from worker.kafka.clients import build_admin, build_consumer, build_producer
from worker.kafka.topics import ensure_topics
from worker.settings import Settings

log = logging.getLogger(__name__)


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    log.warning("brokers not reachable yet (%s), retrying", type(exc).__name__,
                extra={"event": "connect_retry", "attempt": state.attempt_number})


def ensure_topics_ready(settings: Settings) -> None:
    """Reach the brokers and check (or create) the topics; `FatalIOError` past the deadline."""
    topics = [settings.topics.input, settings.topics.output, settings.topics.dlq]
    if settings.processing.duplicates.action == "route":
        topics.append(settings.topics.duplicates)
    retrying = Retrying(
        retry=retry_if_exception_type(KafkaError),
        stop=stop_after_delay(settings.kafka.unreachable_deadline_s),
        wait=wait_exponential_jitter(initial=0.5, max=10.0),
        before_sleep=_log_retry,
        reraise=True,
    )
    try:
        for attempt in retrying:
            with attempt:
                admin = build_admin(settings)
                try:
                    ensure_topics(
                        admin, topics,
                        create=settings.topics.create,
                        partitions=settings.topics.create_partitions,
                        replication_factor=settings.topics.create_replication_factor,
                    )
                finally:
                    admin.close()
    except KafkaError as exc:
        raise FatalIOError(
            f"brokers {settings.kafka.bootstrap_servers} not reachable within "
            f"{settings.kafka.unreachable_deadline_s:g} s: {type(exc).__name__}: {exc}"
        ) from exc


def connect(settings: Settings) -> tuple[KafkaConsumer, KafkaProducer]:
    """Check the topics (`ensure_topics_ready`), then build the consumer and the producer.

    The consumer is subscribed to the input topic already (the loop subscribes it again,
    with its rebalance listener): that asks for the topic's metadata now, and a group joined
    with it known gets its partitions at once. kafka-python otherwise sends the first join
    before the metadata request (held back ~0.1 s after the bootstrap one) and rebalances
    again once the answer comes. The producer fetches the output topic's metadata now, so
    the first send does not wait for it. `FatalIOError` or `ConfigError` as
    `ensure_topics_ready`.
    """
    ensure_topics_ready(settings)
    consumer = build_consumer(settings)
    try:
        consumer.subscribe([settings.topics.input])
        producer = build_producer(settings)
    except BaseException:
        consumer.close(autocommit=False)
        raise
    try:
        producer.partitions_for(settings.topics.output)
    except KafkaError as exc:  # the first send waits for it instead
        log.info("output topic metadata not fetched yet: %s", type(exc).__name__,
                 extra={"event": "metadata_pending"})
    return consumer, producer
