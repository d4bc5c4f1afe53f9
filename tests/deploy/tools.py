"""Paths and runners shared by the deployment tests.

The tools come from `scripts/install-tools.sh` (into .tools/bin). A missing tool is a test
failure with the command that installs it, never a skip: CI must not pass by not checking.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS_BIN = ROOT / ".tools" / "bin"
CHART = ROOT / "helm" / "article-worker"
VALUES_DIR = ROOT / "helm" / "values"


def tool(name: str) -> Path:
    """The path of a tool in .tools/bin; fails the test when it is not installed."""
    path = TOOLS_BIN / name
    if not (path.exists() and os.access(path, os.X_OK)):
        pytest.fail(
            f"{name} is not installed at {path}: run scripts/install-tools.sh "
            "(or `make tools`) first",
            pytrace=False,
        )
    return path


def run(args: list[str | Path], *, cwd: Path = ROOT, timeout: float = 120,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command, capturing text output; the caller asserts on the result."""
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
        check=False, env=env,
    )


def describe(result: subprocess.CompletedProcess[str]) -> str:
    """The command and its output, for assertion messages."""
    command = " ".join(str(a) for a in result.args)
    return f"$ {command}\nexit {result.returncode}\n{result.stdout}\n{result.stderr}"
