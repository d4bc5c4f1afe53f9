"""Build kafka-python clients from settings; the only place that knows their keyword names."""

from __future__ import annotations

import os
import socket
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer

from worker.errors import ConfigError
from worker.kafka.partitioner import Murmur2Partitioner
from worker.settings import Settings


def common_options(settings: Settings) -> dict[str, Any]:
    """Connection and security options shared by every client."""
    k = settings.kafka
    options: dict[str, Any] = {
        "bootstrap_servers": [s.strip() for s in k.bootstrap_servers.split(",") if s.strip()],
        "client_id": k.client_id,
        "security_protocol": k.security_protocol,
        "request_timeout_ms": k.request_timeout_ms,
    }
    if k.security_protocol.startswith("SASL_"):
        options["sasl_mechanism"] = k.sasl_mechanism
        options["sasl_plain_username"] = k.sasl_username
        options["sasl_plain_password"] = sasl_password(settings)
    if k.security_protocol in ("SSL", "SASL_SSL"):
        options["ssl_check_hostname"] = k.ssl_check_hostname
        if k.ssl_cafile is not None:
            options["ssl_cafile"] = str(k.ssl_cafile)
        if k.ssl_certfile is not None:
            options["ssl_certfile"] = str(k.ssl_certfile)
        if k.ssl_keyfile is not None:
            options["ssl_keyfile"] = str(k.ssl_keyfile)
        if k.ssl_password is not None:
            options["ssl_password"] = k.ssl_password.get_secret_value()
    return options


def sasl_password(settings: Settings) -> str:
    """The SASL password, from the file when one is configured (a mounted Secret)."""
    k = settings.kafka
    if k.sasl_password_file is not None:
        try:
            return k.sasl_password_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                f"kafka.sasl_password_file: cannot read {k.sasl_password_file}: {exc.strerror}"
            ) from None
    if k.sasl_password is None:
        raise ConfigError("kafka.sasl_password is not set")
    return k.sasl_password.get_secret_value()


def build_consumer(settings: Settings, **extra: Any) -> KafkaConsumer:
    """A consumer-group member with manual commits."""
    c = settings.consumer
    options = common_options(settings) | {
        "group_id": c.group_id,
        "group_instance_id": c.group_instance_id,
        "enable_auto_commit": False,
        "auto_offset_reset": c.auto_offset_reset,
        "max_poll_records": c.max_poll_records,
        "max_poll_interval_ms": c.max_poll_interval_ms,
        "session_timeout_ms": c.session_timeout_ms,
        "heartbeat_interval_ms": c.heartbeat_interval_ms,
        "fetch_max_bytes": c.fetch_max_bytes,
        "max_partition_fetch_bytes": c.max_partition_fetch_bytes,
    }
    if settings.processing.guarantee == "exactly_once":
        options["isolation_level"] = "read_committed"
    return KafkaConsumer(**(options | extra))


def transactional_id(settings: Settings) -> str:
    """The exactly-once producer's transactional id: stable across restarts where possible.

    With static membership (`consumer.group_instance_id`, e.g. a StatefulSet pod name) a
    restarted worker reuses its id, and `init_transactions` aborts what the killed instance
    left open at once. Without it, host name and pid make the id unique; a killed instance's
    open transaction then ends at the broker's transaction timeout.
    """
    c = settings.consumer
    if c.group_instance_id:
        return f"{c.group_id}.{c.group_instance_id}"
    return f"{c.group_id}.{socket.gethostname()}.{os.getpid()}"


def build_producer(settings: Settings, **extra: Any) -> KafkaProducer:
    """An idempotent producer (acks=all unless configured otherwise); transactional for EOS."""
    p = settings.producer
    acks: int | str = "all" if p.acks == "all" else int(p.acks)
    options = common_options(settings) | {
        "acks": acks,
        "linger_ms": p.linger_ms,
        "batch_size": p.batch_size,
        "compression_type": p.compression_type,
        "max_request_size": p.max_request_size,
        "delivery_timeout_ms": p.delivery_timeout_ms,
        "enable_idempotence": p.acks == "all",
        # send() waits this long for metadata or buffer space; a topic that is gone must
        # fail the attempt within the flush timeout, not after kafka-python's 60 s default.
        "max_block_ms": int(p.flush_timeout_s * 1000),
        # The default partitioning (murmur2 of the key), computed faster.
        "partitioner": Murmur2Partitioner(),
    }
    if settings.processing.guarantee == "exactly_once":
        options["transactional_id"] = transactional_id(settings)
        options["enable_idempotence"] = True
        options["acks"] = "all"
    return KafkaProducer(**(options | extra))


def build_admin(settings: Settings) -> KafkaAdminClient:
    """An admin client for topic checks."""
    return KafkaAdminClient(**common_options(settings))
