"""The `article-worker` command: wiring only (settings → components → run) and exit codes.

Exit codes: 0 done (also when some messages were dead-lettered), 1 I/O that could not
recover (brokers unreachable, outputs not acknowledged), 2 configuration errors.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING, Any

import orjson
import prometheus_client
import yaml
from prometheus_client import CollectorRegistry

from worker import __version__, logs
from worker.errors import ConfigError, FatalIOError
from worker.health import HealthState
from worker.metrics import Metrics
from worker.output import article_document, dead_letter_document, dumps
from worker.settings import DEFAULT_CONFIG_PATH, Settings, load_settings

if TYPE_CHECKING:
    from kafka import KafkaConsumer, KafkaProducer

    from worker.processor import Processor

# The pipeline (processor, rules) and the Kafka client are imported where they are used:
# `run` imports them on two threads at once (`_Connecting`), `check-config` needs neither.

log = logging.getLogger("worker")

EXIT_OK, EXIT_IO, EXIT_CONFIG = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="article-worker",
        description="Clean and enrich scraped news articles streamed through Kafka.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="consume, process, publish and commit (a group member)")
    _config_arg(run)
    run.add_argument("--bootstrap-servers", help="kafka.bootstrap_servers")
    run.add_argument("--group-id", help="consumer.group_id")
    run.add_argument("--input-topic", help="topics.input (default articles.raw)")
    run.add_argument("--output-topic", help="topics.output (default articles.clean)")
    run.add_argument("--dlq-topic", help="topics.dlq (default articles.dlq)")
    run.add_argument("--metrics-port", type=int, help="metrics.port (0 disables the server)")
    run.add_argument(
        "--stop-when-idle", type=float, metavar="SECONDS",
        help="exit 0 once nothing arrived for this long (demos, backfills, tests)",
    )

    proc = sub.add_parser("process", help="process JSON Lines offline, one output line per input")
    _config_arg(proc)
    proc.add_argument("-i", "--input", type=Path, help="input file (default stdin)")
    proc.add_argument("-o", "--output", type=Path, help="output file (default stdout)")

    check = sub.add_parser("check-config", help="validate and print the effective configuration")
    _config_arg(check)

    replay = sub.add_parser(
        "replay", help="publish dead letters again (original key and value bytes)",
        description="Re-publish dead letters, filtered by reason and time, to the input topic "
        "(or --to) with their original key, value and headers and a dlq.replay_count header.",
    )
    _config_arg(replay)
    replay.add_argument("--bootstrap-servers", help="kafka.bootstrap_servers")
    replay.add_argument("--dlq-topic", help="the dead-letter topic to read (topics.dlq)")
    replay.add_argument("--input-topic", help="topics.input, the default target")
    replay.add_argument("--to", metavar="TOPIC", help="publish here instead of topics.input")
    replay.add_argument("--reason", action="append", metavar="REASON",
                        help="only dead letters with this reason (repeatable)")
    replay.add_argument("--since", metavar="TIME",
                        help="only dead letters that failed at or after this ISO 8601 time")
    replay.add_argument("--until", metavar="TIME",
                        help="only dead letters that failed before this ISO 8601 time")
    replay.add_argument("--max-replay-count", type=int, metavar="N",
                        help="skip dead letters already replayed N times or more")
    replay.add_argument("--dry-run", action="store_true", help="only count what would be sent")
    return parser


def _config_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", type=Path, default=None,
        help=f"YAML config file (default {DEFAULT_CONFIG_PATH} when it exists)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(_config_path(args.config), overrides=_overrides(args))
        logs.configure(settings.logging.format, settings.logging.level)
        if args.command == "check-config":
            return _check_config(settings)
        if args.command == "process":
            return _process(settings, args.input, args.output)
        if args.command == "replay":
            return _replay(settings, args)
        return _run(settings, args.stop_when_idle)
    except ConfigError as exc:
        print(f"article-worker: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except FatalIOError as exc:
        log.error("cannot make progress, exiting: %s", exc, extra={"event": "fatal"})
        return EXIT_IO


def _config_path(given: Path | None) -> Path | None:
    if given is not None:
        if not given.is_file():
            raise ConfigError(f"config file {given} does not exist")
        return given
    return DEFAULT_CONFIG_PATH if DEFAULT_CONFIG_PATH.is_file() else None


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    flags = {
        "bootstrap_servers": "kafka.bootstrap_servers",
        "group_id": "consumer.group_id",
        "input_topic": "topics.input",
        "output_topic": "topics.output",
        "dlq_topic": "topics.dlq",
        "metrics_port": "metrics.port",
    }
    return {dotted: getattr(args, name, None) for name, dotted in flags.items()}


def _replay(settings: Settings, args: argparse.Namespace) -> int:
    # Imported here so that `process` and `check-config` start without the Kafka client.
    from worker.kafka.clients import build_consumer, build_producer  # noqa: PLC0415
    from worker.replay import ReplayFilter, parse_time, replay  # noqa: PLC0415

    if args.max_replay_count is not None and args.max_replay_count < 1:
        raise ConfigError("--max-replay-count must be at least 1")
    where = ReplayFilter(
        reasons=frozenset(args.reason) if args.reason else None,
        since=parse_time(args.since) if args.since else None,
        until=parse_time(args.until) if args.until else None,
        max_replay_count=args.max_replay_count,
    )
    target = args.to or settings.topics.input
    consumer = build_consumer(settings, group_id=None, isolation_level="read_committed",
                              enable_auto_commit=False)
    producer = None
    if not args.dry_run:
        # Replays are ordinary, non-transactional records (acks=all, idempotent).
        plain = settings.model_copy(update={"processing": settings.processing.model_copy(
            update={"guarantee": "at_least_once"})})
        producer = build_producer(plain)
    try:
        report = replay(consumer, producer, source=settings.topics.dlq, target=target,
                        where=where, flush_timeout_s=settings.producer.flush_timeout_s,
                        attempts=settings.producer.send_attempts)
    finally:
        consumer.close()
        if producer is not None:
            producer.close(timeout=settings.shutdown.drain_timeout_s)
    sys.stdout.write(orjson.dumps(report.as_dict()).decode() + "\n")
    return EXIT_OK


def _check_config(settings: Settings) -> int:
    from worker.rules_file import load_rules  # noqa: PLC0415 - see the imports

    load_rules(settings.processing.rules_file)  # a broken rules file is a config error too
    sys.stdout.write(yaml.safe_dump(settings.masked(), sort_keys=False, allow_unicode=True))
    return EXIT_OK


def _processor(settings: Settings, metrics: Metrics | None) -> Processor:
    from worker.pipeline.run import PipelineConfig  # noqa: PLC0415 - see the imports
    from worker.processor import Processor  # noqa: PLC0415
    from worker.rules_file import load_rules  # noqa: PLC0415

    config = PipelineConfig(rules=load_rules(settings.processing.rules_file))
    return Processor(
        config,
        max_payload_bytes=settings.processing.max_payload_bytes,
        message_timeout_s=settings.processing.message_timeout_s,
        duplicate_window=settings.processing.duplicates.window,
        metrics=metrics,
    )


def _process(settings: Settings, input_path: Path | None, output_path: Path | None) -> int:
    processor = _processor(settings, metrics=None)
    try:
        source: IO[bytes] = input_path.open("rb") if input_path else sys.stdin.buffer
        sink: IO[bytes] = output_path.open("wb") if output_path else sys.stdout.buffer
    except OSError as exc:
        raise ConfigError(f"cannot open {exc.filename}: {exc.strerror}") from None
    try:
        for raw_line in source:
            line = raw_line.rstrip(b"\r\n")
            outcome = processor.handle(line)
            now = datetime.now(UTC)
            if outcome.article is not None:
                doc = article_document(
                    outcome.article, source=None, processed_at=now,
                    duplicate_of=outcome.duplicate_of,
                )
            else:
                assert outcome.error is not None  # an outcome has an article or an error
                doc = dead_letter_document(
                    line, outcome.error, source=None, failed_at=now, source_id=outcome.source_id
                )
            # One line per input, flushed at once, so that a driver can go line by line.
            sink.write(dumps(doc) + b"\n")
            sink.flush()
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): not an error of ours.
        return EXIT_OK
    except OSError as exc:
        log.error("I/O error: %s", exc, extra={"event": "io_error"})
        return EXIT_IO
    finally:
        if input_path:
            source.close()
        if output_path:
            sink.close()
    return EXIT_OK


def _leave_before_start(signum: int, frame: FrameType | None) -> None:
    # SIGTERM/SIGINT while starting up: nothing was consumed yet, so there is nothing to
    # drain; leave at once with exit 0 instead of dying from the signal (exit -15).
    log.info("signal received before the loop started, exiting", extra={
        "event": "signal", "signal": signal.Signals(signum).name})
    raise SystemExit(EXIT_OK)


class _Connecting:
    """`worker.kafka.connect.connect` on a daemon thread, started at once; `result` waits.

    Connecting mostly waits for the network and loading the pipeline is CPU, so `run` does
    both at once. Clients that are ready after `abandon` (start-up failed) are closed.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._clients: tuple[KafkaConsumer, KafkaProducer] | None = None
        self._error: BaseException | None = None
        self._abandoned = False
        threading.Thread(target=self._connect, name="connect", daemon=True).start()

    def _connect(self) -> None:
        try:
            from worker.kafka.connect import connect  # noqa: PLC0415 - see the imports

            clients = connect(self._settings)
        except BaseException as exc:  # noqa: BLE001 - raised again by `result`
            self._error = exc
        else:
            with self._lock:
                keep = not self._abandoned
                if keep:
                    self._clients = clients
            if not keep:
                _close(clients)
        finally:
            self._done.set()

    def result(self) -> tuple[KafkaConsumer, KafkaProducer]:
        """The consumer and the producer; what `connect` raised, raised here."""
        self._done.wait()
        if self._error is not None:
            raise self._error
        assert self._clients is not None  # done without an error: connected
        return self._clients

    def abandon(self) -> None:
        """Start-up failed: close the clients, now or once they are ready."""
        with self._lock:
            self._abandoned = True
            clients, self._clients = self._clients, None
        if clients is not None:
            _close(clients)


def _close(clients: tuple[KafkaConsumer, KafkaProducer]) -> None:
    consumer, producer = clients
    consumer.close(autocommit=False)
    producer.close(timeout=0)


def _run(settings: Settings, stop_when_idle_s: float | None) -> int:
    signal.signal(signal.SIGTERM, _leave_before_start)
    signal.signal(signal.SIGINT, _leave_before_start)
    connecting = _Connecting(settings)
    # `*_created` series double the exposition and no dashboard or alert uses them.
    prometheus_client.disable_created_metrics()  # type: ignore[no-untyped-call]
    registry = CollectorRegistry()
    metrics = Metrics(registry)
    metrics.state.state("starting")
    health = HealthState(settings.metrics.stall_timeout_s)
    server = None
    try:
        if settings.metrics.port:
            from worker.server import MetricsServer  # noqa: PLC0415 - see the imports

            server = MetricsServer(settings.metrics.host, settings.metrics.port, registry,
                                   health)
            server.start()
        processor = _processor(settings, metrics)
    except BaseException:
        connecting.abandon()
        raise
    try:
        from worker.kafka.clients import build_producer  # noqa: PLC0415 - see the imports
        from worker.loop import Worker  # noqa: PLC0415

        try:
            consumer, producer = connecting.result()
        except BaseException:
            connecting.abandon()
            raise
        health.set_connected(True)
        worker = Worker(settings, consumer, producer, processor, metrics=metrics,
                        health=health, producer_factory=lambda: build_producer(settings))
        stopping = _install_signal_handlers(worker, settings.shutdown.drain_timeout_s)
        try:
            worker.run(stop_when_idle_s=stop_when_idle_s)
        finally:
            worker.producer.close(timeout=settings.shutdown.drain_timeout_s)
            stopping.set()
        summary = orjson.dumps(worker.stats).decode()
        log.info("summary %s", summary, extra={"event": "summary", **worker.stats})
        return EXIT_OK
    finally:
        if server is not None:
            server.stop()


def _install_signal_handlers(worker: Any, drain_timeout_s: float) -> threading.Event:
    """SIGTERM/SIGINT ask the loop to drain; a watchdog bounds how long draining may take."""
    done = threading.Event()

    def watchdog() -> None:
        if not done.wait(drain_timeout_s):
            # Draining hung (e.g. brokers gone): leave without committing; nothing is lost,
            # the uncommitted records are processed again after the restart.
            log.error("drain did not finish in %.0f s, exiting", drain_timeout_s,
                      extra={"event": "drain_timeout"})
            logging.shutdown()
            os._exit(EXIT_IO)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("signal received, draining", extra={"event": "signal",
                                                     "signal": signal.Signals(signum).name})
        worker.request_stop()
        threading.Thread(target=watchdog, name="drain-watchdog", daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    return done
