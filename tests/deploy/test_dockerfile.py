"""The Dockerfile: linters clean, and the properties the deployment relies on.

No image can be built where the tests run (no container engine, base images out of reach), so
the Dockerfile is linted (hadolint, checkov) and read; test_image_install.py replays its
install steps.
"""

from __future__ import annotations

import json
import re

import yaml

from tests.deploy.dockerfile import DOCKERFILE, dockerignore_patterns, parse
from tests.deploy.tools import CHART, ROOT, describe, run, tool


def test_hadolint_reports_nothing() -> None:
    result = run([tool("hadolint"), "--format", "json", DOCKERFILE])
    assert result.returncode == 0, describe(result)
    assert json.loads(result.stdout) == [], describe(result)


def test_checkov_dockerfile_reports_nothing() -> None:
    result = run([tool("checkov"), "--framework", "dockerfile", "--skip-download", "--quiet",
                  "--output", "json", "--file", DOCKERFILE], timeout=300)
    assert result.returncode == 0, describe(result)
    summary = json.loads(result.stdout)["summary"]
    assert summary["failed"] == 0, describe(result)
    assert summary["skipped"] == 0, "a checkov skip needs a justification and a test change"
    assert summary["passed"] > 20, "checkov ran suspiciously few checks"


def test_every_lint_ignore_is_justified() -> None:
    lines = DOCKERFILE.read_text(encoding="utf-8").splitlines()
    comments = [line for line in lines if line.lstrip().startswith("#")]
    for number, line in enumerate(lines, start=1):
        for rule in re.findall(r"hadolint ignore=([A-Z0-9,]+)", line):
            for rule_id in rule.split(","):
                # Another comment must name the rule and say why.
                reasons = [c for c in comments if rule_id in c and "ignore=" not in c]
                assert reasons, f"Dockerfile:{number}: {rule_id} is ignored without a reason"
        assert "checkov:skip" not in line, f"Dockerfile:{number}: unexpected checkov skip"


def test_two_stages_from_one_pinned_base() -> None:
    dockerfile = parse()
    assert [s.name for s in dockerfile.stages] == ["build", "runtime"]
    bases = {s.base for s in dockerfile.stages}
    assert len(bases) == 1, "both stages must share the base so the venv can be copied over"
    (base,) = bases
    # Tag pinned to a patch release; the digest comes in as a build argument.
    assert base.startswith("python:${PYTHON_VERSION}-slim-${DEBIAN_RELEASE}")
    assert "${PYTHON_DIGEST:+@${PYTHON_DIGEST}}" in base
    assert re.fullmatch(r"3\.11\.\d+", dockerfile.global_args["PYTHON_VERSION"] or "")
    assert dockerfile.global_args["DEBIAN_RELEASE"] == "bookworm"
    assert "PYTHON_DIGEST" in dockerfile.global_args


def test_build_stage_installs_the_hashed_lock_then_the_wheel_without_deps() -> None:
    build = parse().stage("build")
    runs = " && ".join(i.value for i in build.all("RUN"))
    assert "pip install --require-hashes -r requirements/build.lock" in runs
    assert ("--python /opt/venv/bin/python install --require-hashes -r requirements/runtime.lock"
            in runs)
    assert "--no-build-isolation" in runs, "the build backend must come from the hashed lock"
    assert re.search(r"install --no-deps /wheels/article_worker-\S+\.whl", runs)
    # The shipped venv gets no pip of its own.
    assert "python -m venv --without-pip /opt/venv" in runs


def test_runtime_stage_is_slim_non_root_and_signal_friendly() -> None:
    runtime = parse().stage("runtime")
    runs = " ".join(i.value for i in runtime.all("RUN"))
    for compiler_bit in ("apt-get", "build-essential", "gcc", "pip install"):
        assert compiler_bit not in runs, f"{compiler_bit} in the runtime stage"
    copies = [i.words() for i in runtime.all("COPY")]
    assert ["--from=build", "/opt/venv", "/opt/venv"] in copies
    assert all("/wheels" not in words for words in copies)

    (user,) = runtime.all("USER")
    uid, _, gid = user.value.partition(":")
    assert uid.isdigit(), "a numeric uid lets Kubernetes verify runAsNonRoot"
    assert int(uid) >= 10000
    assert gid.isdigit()
    assert f"--uid {uid}" in runs
    assert f"--gid {gid}" in runs
    chart_values = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))
    assert chart_values["podSecurityContext"]["runAsUser"] == int(uid)
    assert chart_values["podSecurityContext"]["runAsGroup"] == int(gid)

    (entrypoint,) = runtime.all("ENTRYPOINT")
    (cmd,) = runtime.all("CMD")
    # Exec form: the worker is PID 1 and gets SIGTERM itself (no /bin/sh -c in between).
    assert entrypoint.exec_form() == ["article-worker"]
    assert cmd.exec_form() == ["run"]
    (stopsignal,) = runtime.all("STOPSIGNAL")
    assert stopsignal.value == "SIGTERM"

    env = " ".join(i.value for i in runtime.all("ENV"))
    assert "PYTHONUNBUFFERED=1" in env
    assert "PYTHONDONTWRITEBYTECODE=1" in env  # read-only root filesystem
    assert "TMPDIR=/tmp" in env

    (expose,) = runtime.all("EXPOSE")
    worker_config = yaml.safe_load((ROOT / "config" / "worker.yaml").read_text("utf-8"))
    assert int(expose.value) == worker_config["metrics"]["port"]
    assert chart_values["config"]["metrics"]["port"] == int(expose.value)


def test_oci_labels() -> None:
    labels = " ".join(i.value for i in parse().stage("runtime").all("LABEL"))
    for key in ("title", "description", "version", "revision", "created", "source",
                "licenses", "base.name"):
        assert f"org.opencontainers.image.{key}=" in labels, key


def test_dockerignore_is_an_allow_list_covering_every_copy() -> None:
    patterns = dockerignore_patterns()
    assert patterns[0] == "*", "start from nothing, then allow what the build copies"
    allowed = [p[1:].rstrip("/") for p in patterns if p.startswith("!")]
    sources = [
        source
        for stage in parse().stages
        for copy in stage.all("COPY")
        if not copy.value.startswith("--from")
        for source in copy.words()[:-1]
    ]
    assert sources, "no COPY found"
    for source in sources:
        path = source.rstrip("/")
        assert any(path == a or path.startswith(a + "/") for a in allowed), (
            f"COPY {source} is excluded by .dockerignore"
        )
    for private in (".venv", ".tools", ".git", ".kafka", "tests"):
        assert not any(a == private or a.startswith(private + "/") for a in allowed), private
