"""The HTTP server for /metrics, /healthz and /readyz, on daemon threads.

/metrics serves the Prometheus text format (0.0.4). /healthz and /readyz answer 200 or 503
with a JSON body that says why: `{"ok": false, "reason": "...", ...facts}`.
"""

from __future__ import annotations

import logging
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson
from prometheus_client import CollectorRegistry, generate_latest

from worker.health import HealthState, Verdict

log = logging.getLogger(__name__)

# The classic text format: what every Prometheus and promtool version parses. With legacy
# (ASCII) metric names, which ours are, generate_latest's output is exactly this format.
# prometheus_client >= 0.22 labels it `version=1.0.0` by default, which older scrapers
# don't know.
METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_JSON = "application/json"
_TEXT = "text/plain; charset=utf-8"


class _Handler(BaseHTTPRequestHandler):
    registry: CollectorRegistry
    health: HealthState

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def _answer(self, *, with_body: bool) -> None:
        path = self.path.split("?", 1)[0]
        try:
            if path == "/metrics":
                status, content_type, body = (
                    HTTPStatus.OK, METRICS_CONTENT_TYPE, generate_latest(self.registry))
            elif path == "/healthz":
                status, content_type, body = self._verdict(self.health.liveness())
            elif path == "/readyz":
                status, content_type, body = self._verdict(self.health.readiness())
            else:
                status, content_type, body = HTTPStatus.NOT_FOUND, _TEXT, b"not found\n"
        except Exception:  # a broken collector must answer 500, not drop the connection
            log.exception("cannot answer %s", path, extra={"event": "http_error", "path": path})
            status, content_type, body = (
                HTTPStatus.INTERNAL_SERVER_ERROR, _TEXT, b"internal error\n")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        # Probes and scrapes must see the state of now, never a proxy's copy.
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    @staticmethod
    def _verdict(verdict: Verdict) -> tuple[HTTPStatus, str, bytes]:
        body = orjson.dumps({"ok": verdict.ok, "reason": verdict.reason, **verdict.details})
        status = HTTPStatus.OK if verdict.ok else HTTPStatus.SERVICE_UNAVAILABLE
        return status, _JSON, body

    def log_message(self, format: str, *args: object) -> None:  # the stdlib names it `format`
        # Probes hit these endpoints every few seconds; access logs would drown real events.
        return


class MetricsServer:
    """Serves the registry and the health verdicts from `start` until `stop`."""

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
        """The bound port (useful when constructed with port 0)."""
        return int(self._server.server_address[1])

    def start(self) -> None:
        """Serve in a daemon thread."""
        self._thread.start()
        log.info("metrics server listening", extra={"event": "metrics_listen", "port": self.port})

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()
