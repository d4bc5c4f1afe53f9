"""The HTTP server for /metrics, /healthz and /readyz, on a daemon thread."""

from __future__ import annotations

import logging
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from worker.health import HealthState, Verdict

log = logging.getLogger(__name__)


class _Handler(BaseHTTPRequestHandler):
    registry: CollectorRegistry
    health: HealthState

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/metrics":
            self._send(HTTPStatus.OK, CONTENT_TYPE_LATEST, generate_latest(self.registry))
        elif path == "/healthz":
            self._verdict(self.health.liveness())
        elif path == "/readyz":
            self._verdict(self.health.readiness())
        else:
            self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"not found\n")

    def _verdict(self, verdict: Verdict) -> None:
        body = orjson.dumps({"ok": verdict.ok, "reason": verdict.reason, **verdict.details})
        status = HTTPStatus.OK if verdict.ok else HTTPStatus.SERVICE_UNAVAILABLE
        self._send(status, "application/json", body)

    def _send(self, status: HTTPStatus, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib's name
        # Probes hit these endpoints every few seconds; access logs would drown real events.
        return


class MetricsServer:
    """Serves the registry and health verdicts until `stop`."""

    def __init__(
        self, host: str, port: int, registry: CollectorRegistry, health: HealthState
    ) -> None:
        handler = type("Handler", (_Handler,), {"registry": registry, "health": health})
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="metrics-http", daemon=True
        )

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self._server.server_address[1])

    def start(self) -> None:
        self._thread.start()
        log.info("metrics server listening", extra={"event": "metrics_listen", "port": self.port})

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
