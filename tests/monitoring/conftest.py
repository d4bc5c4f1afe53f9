"""Fixtures for the monitoring tests: the Prometheus tools, found or failed on loudly."""

from __future__ import annotations

import pytest

from tests.monitoring.tools import require_tool


@pytest.fixture(scope="session")
def promtool() -> str:
    """Path of promtool (Debian package `prometheus`)."""
    return require_tool("promtool")
