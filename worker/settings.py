"""Typed settings: `config/worker.yaml`, then environment overrides, then CLI flags.

Environment overrides use the prefix `ARTICLE_WORKER__` and `__` between nesting levels:
`ARTICLE_WORKER__KAFKA__BOOTSTRAP_SERVERS=broker:9092` sets `kafka.bootstrap_servers`.
Values from the environment are parsed as YAML scalars, so `true`, `30` and `null` work.
Every layer is validated together at start-up; an unknown key or a bad value is a
`ConfigError` whose message names the key.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from worker.errors import ConfigError

ENV_PREFIX = "ARTICLE_WORKER__"
DEFAULT_CONFIG_PATH = Path("config/worker.yaml")


class _Section(BaseModel):
    # Unknown keys are configuration typos: reject them instead of ignoring them.
    model_config = ConfigDict(extra="forbid", frozen=True)


class KafkaSettings(_Section):
    """Connection to the brokers, shared by the consumer, producer and admin client."""

    bootstrap_servers: str = "127.0.0.1:19092"
    client_id: str = "article-worker"
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    sasl_password_file: Path | None = None
    ssl_cafile: Path | None = None
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None
    ssl_password: SecretStr | None = None
    ssl_check_hostname: bool = True
    request_timeout_ms: int = Field(default=30_000, ge=1_000)
    #: How long the broker may stay unreachable before the worker gives up and exits non-zero.
    unreachable_deadline_s: float = Field(default=120.0, gt=0)

    @model_validator(mode="after")
    def _sasl_complete(self) -> KafkaSettings:
        if self.security_protocol.startswith("SASL_"):
            if self.sasl_mechanism is None:
                raise ValueError("kafka.sasl_mechanism is required with a SASL security_protocol")
            if self.sasl_username is None:
                raise ValueError("kafka.sasl_username is required with a SASL security_protocol")
            if self.sasl_password is None and self.sasl_password_file is None:
                raise ValueError(
                    "kafka.sasl_password or kafka.sasl_password_file is required with SASL"
                )
        return self


class TopicSettings(_Section):
    """Topic names, and whether the worker may create missing topics at start-up."""

    input: str = Field(default="articles.raw", min_length=1)
    output: str = Field(default="articles.clean", min_length=1)
    dlq: str = Field(default="articles.dlq", min_length=1)
    duplicates: str = Field(default="articles.duplicates", min_length=1)
    create: bool = False
    create_partitions: int = Field(default=4, ge=1)
    create_replication_factor: int = Field(default=1, ge=1)


class ConsumerSettings(_Section):
    """Consumer-group membership and polling."""

    group_id: str = Field(default="article-worker", min_length=1)
    group_instance_id: str | None = None
    auto_offset_reset: Literal["earliest", "latest"] = "earliest"
    # Also how long a member keeps processing after it learns of a rebalance (the batch in
    # hand is finished and committed first): 200 records are ~0.2 s of work here. Against
    # 500: the same single-worker throughput on one core (1,056/1,023/1,070 vs
    # 1,005/981/1,059 articles/s, interleaved runs) and ~10 MB less peak RSS.
    max_poll_records: int = Field(default=200, ge=1)
    max_poll_interval_ms: int = Field(default=300_000, ge=10_000)
    session_timeout_ms: int = Field(default=45_000, ge=6_000)
    # A member learns that the group rebalances (a pod added or restarted) only from a
    # heartbeat answer, and a newcomer gets no partitions until then. kafka-python's 3 s
    # left a second worker started together with the first idle for up to 3.5 s; 1 s for
    # 1.1-1.5 s; 300 ms (with 200-record batches) for 0.46-0.58 s, for about three small
    # requests a second per member. Far below 1/3 of session_timeout_ms, Kafka's rule.
    heartbeat_interval_ms: int = Field(default=300, ge=100)
    poll_timeout_ms: int = Field(default=500, ge=10)
    # Small fetch buffers bound memory (peak RSS 226 -> 123 MB on a 20k backlog) at no CPU
    # cost; the broker still returns a larger record batch whole.
    fetch_max_bytes: int = Field(default=4_194_304, ge=1024)
    max_partition_fetch_bytes: int = Field(default=1_048_576, ge=1024)


class ProducerSettings(_Section):
    """Publishing of articles and dead letters."""

    acks: Literal["all", "1", "0"] = "all"
    linger_ms: int = Field(default=5, ge=0)
    batch_size: int = Field(default=262_144, ge=1024)
    compression_type: Literal["gzip", "snappy", "lz4", "zstd"] | None = None
    max_request_size: int = Field(default=10_485_760, ge=1024)
    delivery_timeout_ms: int = Field(default=120_000, ge=1_000)
    #: How long to wait for the acknowledgements of one batch before retrying the failures.
    flush_timeout_s: float = Field(default=60.0, gt=0)
    #: Attempts to re-send records whose delivery failed, before the worker exits non-zero.
    send_attempts: int = Field(default=5, ge=1)


class DuplicateSettings(_Section):
    """What to do with an article whose exact content was seen recently on the same partition."""

    window: int = Field(default=10_000, ge=0)
    action: Literal["publish", "route", "drop"] = "publish"


class ProcessingSettings(_Section):
    """Limits of the per-message pipeline."""

    guarantee: Literal["at_least_once", "exactly_once"] = "at_least_once"
    max_payload_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    #: Wall-clock limit for one message; over it, the message is dead-lettered as `timeout`.
    message_timeout_s: float = Field(default=10.0, gt=0)
    #: Time budget for processing one polled batch; the rest waits for the next poll.
    batch_time_budget_s: float = Field(default=30.0, gt=0)
    rules_file: Path | None = None
    duplicates: DuplicateSettings = DuplicateSettings()


class ShutdownSettings(_Section):
    """Draining on SIGTERM/SIGINT."""

    drain_timeout_s: float = Field(default=30.0, gt=0)


class MetricsSettings(_Section):
    """The HTTP server for /metrics, /healthz and /readyz."""

    host: str = "0.0.0.0"  # noqa: S104 - in a pod the scraper and kubelet come from outside
    port: int = Field(default=9100, ge=0, le=65535)
    #: Liveness turns false when the loop made no progress for this long while it has lag.
    stall_timeout_s: float = Field(default=120.0, gt=0)


class LoggingSettings(_Section):
    """Log format and level."""

    format: Literal["json", "text"] = "json"
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class Settings(_Section):
    """The whole effective configuration."""

    kafka: KafkaSettings = KafkaSettings()
    topics: TopicSettings = TopicSettings()
    consumer: ConsumerSettings = ConsumerSettings()
    producer: ProducerSettings = ProducerSettings()
    processing: ProcessingSettings = ProcessingSettings()
    shutdown: ShutdownSettings = ShutdownSettings()
    metrics: MetricsSettings = MetricsSettings()
    logging: LoggingSettings = LoggingSettings()

    def masked(self) -> dict[str, Any]:
        """The settings as plain data with every secret replaced by `***`."""
        data = self.model_dump(mode="json")
        kafka = data["kafka"]
        for key in ("sasl_password", "ssl_password"):
            if kafka.get(key) is not None:
                kafka[key] = "***"
        return data


def load_settings(
    path: Path | None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Merge file, environment and CLI overrides (dotted keys) and validate them as one."""
    data: dict[str, Any] = {}
    if path is not None:
        data = _read_yaml(path)
    env = os.environ if environ is None else environ
    for key, value in sorted(env.items()):
        if key.startswith(ENV_PREFIX) and len(key) > len(ENV_PREFIX):
            dotted = ".".join(part.lower() for part in key[len(ENV_PREFIX) :].split("__"))
            _set_dotted(data, dotted, _parse_scalar(value), origin=f"environment variable {key}")
    for dotted, value in (overrides or {}).items():
        if value is not None:
            _set_dotted(data, dotted, value, origin="command line")
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path)) from None


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {path} is not valid YAML: {exc}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ConfigError(f"config file {path} must hold a mapping at the top level")
    return loaded


def _parse_scalar(value: str) -> Any:
    try:
        parsed = yaml.safe_load(value)
    except yaml.YAMLError:
        return value
    # A value like `a: b` parses as a mapping; environment values are scalars, keep the string.
    return value if isinstance(parsed, dict | list) else parsed


def _set_dotted(data: dict[str, Any], dotted: str, value: Any, *, origin: str) -> None:
    parts = dotted.split(".")
    node = data
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(f"{dotted} (from {origin}): `{part}` is not a section")
        node = child
    node[parts[-1]] = value


def _describe(exc: ValidationError, path: Path | None) -> str:
    where = f" in {path}" if path is not None else ""
    lines = [f"invalid configuration{where}:"]
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"]) or "(top level)"
        if error["type"] == "extra_forbidden":
            lines.append(f"  {key}: unknown key")
        else:
            # Never echo a secret back, even a malformed one.
            got = "***" if "password" in key else repr(error.get("input"))
            lines.append(f"  {key}: {error['msg']} (got {got})")
    return "\n".join(lines)
