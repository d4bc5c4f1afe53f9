"""The hashed lock files agree with pyproject.toml (re-lock: scripts/lock-deps.sh)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.deploy.tools import ROOT

REQUIREMENTS = ROOT / "requirements"
HINT = "pyproject.toml changed without a re-lock: run scripts/lock-deps.sh"


def pins(lock: Path) -> dict[str, Version]:
    found: dict[str, Version] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", line)
        if match:
            found[canonicalize_name(match.group(1))] = Version(match.group(2))
    return found


def unhashed(text: str) -> list[str]:
    """Pinned requirements without a --hash (pip --require-hashes refuses the whole file)."""
    missing: list[str] = []
    current, has_hash = None, False
    for line in [*text.splitlines(), "END==0"]:
        if re.match(r"^[A-Za-z0-9][^\s]*==", line):
            if current is not None and not has_hash:
                missing.append(current)
            current, has_hash = line.split()[0], "--hash=" in line
        elif "--hash=sha256:" in line:
            has_hash = True
    return missing


def project() -> dict[str, list[str]]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    deps: list[str] = data["dependencies"]
    dev: list[str] = data["optional-dependencies"]["dev"]
    return {"runtime": deps, "dev": deps + dev}


@pytest.mark.parametrize("lock_name", ["runtime", "dev"])
def test_lock_pins_every_project_requirement_within_its_range(lock_name: str) -> None:
    lock = REQUIREMENTS / f"{lock_name}.lock"
    pinned = pins(lock)
    assert pinned, f"{lock} pins nothing"
    for spec in project()[lock_name]:
        requirement = Requirement(spec)
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement.name} is not in {lock.name}: {HINT}"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"{lock.name} pins {name}=={pinned[name]}, outside {requirement.specifier}: {HINT}"
        )


def test_runtime_and_dev_locks_agree() -> None:
    runtime, dev = pins(REQUIREMENTS / "runtime.lock"), pins(REQUIREMENTS / "dev.lock")
    differing = {n: (v, dev.get(n)) for n, v in runtime.items() if dev.get(n) != v}
    assert not differing, f"CI would test other versions than the image ships: {differing}"


@pytest.mark.parametrize("lock_name", ["runtime", "dev", "build", "tools"])
def test_every_lock_is_fully_hashed(lock_name: str) -> None:
    lock = REQUIREMENTS / f"{lock_name}.lock"
    assert pins(lock), f"{lock} pins nothing"
    assert unhashed(lock.read_text(encoding="utf-8")) == [], f"{lock}: {HINT}"


def test_an_unhashed_requirement_is_noticed() -> None:
    text = "a==1 \\\n    --hash=sha256:00\nb==2\nc==3 \\\n    --hash=sha256:11\n"
    assert unhashed(text) == ["b==2"]
