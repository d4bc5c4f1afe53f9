"""The image's install steps, replayed in a fresh directory because no image can be built here.

The Dockerfile is read, not copied: its build stage's COPY, WORKDIR, ENV and RUN instructions
are executed with the image's absolute paths mapped into a temporary directory (the RUNs that
install system packages are left to the machine, which has the compilers), then the runtime
stage's COPY/WORKDIR/ENV are applied and the ENTRYPOINT is run the way the image runs it:
`article-worker --help`, `article-worker check-config` (the image's default config) and
`article-worker check-config --config config/worker.yaml` (the repository's). A change to the
Dockerfile's install steps therefore changes what this test runs.

The image compiles `worker/pipeline` with mypyc: the test checks that the installed pipeline is
compiled and that `article-worker process` writes byte-identical documents from it and from
the sources, over two hundred varied payloads (hostile ones included).
"""

from __future__ import annotations

import gzip
import os
import random
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from packaging.markers import Marker
from packaging.utils import canonicalize_name

from tests.deploy.dockerfile import Instruction, Stage, dockerignore_patterns, parse
from tests.deploy.tools import ROOT, describe, run
from tests.golden.test_id_news import build_payload
from tests.golden.test_id_news import records as id_news_records
from tests.unit.pipeline.test_html_golden import PAGES as HTML_PAGES
from tests.unit.pipeline.test_html_golden import URLS as HTML_URLS

# Absolute paths the Dockerfile uses, and where they go in the replay.
IMAGE_PATHS = ("/opt/venv", "/opt/build", "/wheels", "/src", "/app")
# pip's cache makes reruns fast; what is installed is pinned and hash-checked either way.
REPLAY_ENV_DROPPED = ("PIP_NO_CACHE_DIR",)
# Environment of the test runner that must not leak into the replay.
RUNNER_ENV_DROPPED = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PIP_REQUIRE_VIRTUALENV")


class Replay:
    def __init__(self, root: Path) -> None:
        self.root = root
        bin_dir = root / "bin"
        bin_dir.mkdir()
        # `python` in the RUN lines is the base image's interpreter: here the one running the
        # tests, outside its virtualenv.
        base_python = Path(getattr(sys, "_base_executable", sys.executable))
        (bin_dir / "python").symlink_to(base_python)
        self.env = {k: v for k, v in os.environ.items() if k not in RUNNER_ENV_DROPPED}
        self.env["PATH"] = f"{bin_dir}{os.pathsep}{self.env.get('PATH', '')}"
        self.workdir = root

    def map_paths(self, text: str) -> str:
        for image_path in IMAGE_PATHS:
            text = re.sub(rf"(?<![\w/.]){re.escape(image_path)}(?=/|\s|$|:)",
                          str(self.root) + image_path, text)
        return text

    def expand(self, text: str) -> str:
        def lookup(match: re.Match[str]) -> str:
            return self.env.get(match.group(1) or match.group(2), "")

        return re.sub(r"\$(\w+)|\$\{(\w+)\}", lookup, text)

    def apply(self, instruction: Instruction, stage: Stage) -> None:
        keyword, value = instruction.keyword, instruction.value
        if keyword == "ENV":
            for word in instruction.words():
                key, _, raw = word.partition("=")
                if key not in REPLAY_ENV_DROPPED:
                    self.env[key] = self.expand(self.map_paths(raw))
        elif keyword == "WORKDIR":
            self.workdir = Path(self.map_paths(value))
            self.workdir.mkdir(parents=True, exist_ok=True)
        elif keyword == "COPY":
            self.copy(instruction)
        elif keyword == "RUN":
            self.run_step(value, stage)
        # ARG, LABEL, USER, EXPOSE, HEALTHCHECK, STOPSIGNAL, ENTRYPOINT, CMD: nothing to install.

    def copy(self, instruction: Instruction) -> None:
        words = instruction.words()
        if words[0].startswith("--from="):
            # From the build stage: the replay builds it in place, the paths are the same.
            assert words[1] == words[2], f"COPY {instruction.value}: moved between stages"
            return
        *sources, dest = words
        target = Path(self.map_paths(dest)) if dest.startswith("/") else self.workdir / dest
        ignored = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo")
        for source in sources:
            origin = ROOT / source
            assert origin.exists(), f"COPY {source}: not in the repository"
            if origin.is_dir():
                shutil.copytree(origin, target, ignore=ignored, dirs_exist_ok=True)
            else:
                into_dir = dest.endswith("/") or len(sources) > 1
                path = target / origin.name if into_dir else target
                path.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, path)

    def run_step(self, command: str, stage: Stage) -> None:
        if "apt-get" in command:
            # System packages (compilers) for sdists; this machine has them, and the image
            # build is where they are really installed.
            assert stage.name == "build", "apt-get in the runtime stage"
            return
        if command.startswith(("groupadd ", "useradd ")):
            # The image's user: created in the image, never on the machine running the tests.
            return
        mapped = self.map_paths(command)
        leftover = re.findall(r"(?<![\w.$])/(?:opt|wheels|src|app|usr|etc|var)\b\S*", mapped)
        assert not leftover, f"RUN uses image paths this replay does not map: {leftover}"
        result = run(["bash", "-euo", "pipefail", "-c", mapped], cwd=self.workdir,
                     env=self.env, timeout=900)
        assert result.returncode == 0, describe(result)


def _lock_packages(lock: Path) -> set[str]:
    """Names of the packages a lock installs on this platform (markers evaluated)."""
    names: set[str] = set()
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==\S+\s*(?:;\s*([^\\]+?))?\s*\\?$", line)
        if match and (match.group(2) is None or Marker(match.group(2)).evaluate()):
            names.add(canonicalize_name(match.group(1)))
    return names


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_the_image_install_steps_give_a_working_article_worker(tmp_path: Path) -> None:
    dockerfile = parse()
    python_version = dockerfile.global_args["PYTHON_VERSION"] or ""
    assert python_version.startswith(f"{sys.version_info.major}.{sys.version_info.minor}."), (
        f"the image uses Python {python_version}; run the tests with the same minor version"
    )
    assert dockerignore_patterns()[0] == "*"

    replay = Replay(tmp_path)
    for stage in dockerfile.stages:
        for instruction in stage.instructions:
            replay.apply(instruction, stage)

    app = replay.workdir
    assert app == tmp_path / "app", "the runtime stage's WORKDIR"
    venv = tmp_path / "opt" / "venv"
    assert Path(replay.env["PATH"].split(os.pathsep)[0]) == venv / "bin"

    # Exactly the runtime lock plus the project: no dev tools, no stray resolution.
    listed = run([venv / "bin" / "python", "-c", "import importlib.metadata as m; "
                  "print('\\n'.join(d.metadata['Name'] for d in m.distributions()))"],
                 env=replay.env)
    assert listed.returncode == 0, describe(listed)
    installed = {canonicalize_name(name) for name in listed.stdout.split()}
    expected = _lock_packages(ROOT / "requirements" / "runtime.lock") | {"article-worker"}
    assert installed == expected, "the image venv holds exactly the runtime lock and the project"

    entrypoint = [arg for i in dockerfile.stage("runtime").all("ENTRYPOINT")
                  for arg in i.exec_form() or []]
    assert entrypoint == ["article-worker"]
    executable = shutil.which(entrypoint[0], path=replay.env["PATH"])
    assert executable == str(venv / "bin" / "article-worker"), "found on the image's PATH"

    helped = run([executable, "--help"], cwd=app, env=replay.env)
    assert helped.returncode == 0, describe(helped)
    for command in ("run", "process", "check-config"):
        assert command in helped.stdout

    # No --config: the image's default config/worker.yaml under WORKDIR /app.
    default = run([executable, "check-config"], cwd=app, env=replay.env)
    assert default.returncode == 0, describe(default)
    assert "bootstrap_servers: 127.0.0.1:19092" in default.stdout

    repo_config = run([executable, "check-config", "--config", ROOT / "config" / "worker.yaml"],
                      cwd=app, env=replay.env)
    assert repo_config.returncode == 0, describe(repo_config)
    assert repo_config.stdout == default.stdout

    # An invalid config still exits 2 in the installed worker (argument parsing and settings
    # are wired the same way as in the source tree).
    broken = tmp_path / "broken.yaml"
    broken.write_text("kafka:\n  bootstrap_server: typo\n", encoding="utf-8")
    refused = run([executable, "check-config", "--config", broken], cwd=app, env=replay.env)
    assert refused.returncode == 2, describe(refused)
    assert "kafka.bootstrap_server: unknown key" in refused.stderr

    _assert_compiled_like_the_sources(venv / "bin" / "python", executable, tmp_path, replay.env)


def _assert_compiled_like_the_sources(python: Path, executable: str, tmp_path: Path,
                                      env: dict[str, str]) -> None:
    """The image's pipeline is mypyc-compiled and writes what the sources write, byte for byte.

    Compiled code enforces annotations at run time and differs in corner cases (e.g. integer
    overflow, attribute access on native classes), so the comparison runs over two hundred
    varied payloads: the labelled corpus and variants of it, the examples, the golden HTML pages
    and broken or hostile inputs (dead-letter documents).
    """
    probe = run([python, "-c", "import worker.pipeline as p, worker.pipeline.run as r, "
                 "worker.pipeline.entities as e; print(p.__file__, r.__file__, e.__file__)"],
                env=env, cwd=tmp_path)
    assert probe.returncode == 0, describe(probe)
    init, *compiled = probe.stdout.split()
    assert init.endswith("__init__.py"), probe.stdout
    assert all(path.endswith(".so") for path in compiled), f"not compiled: {probe.stdout}"

    payloads = tmp_path / "payloads.jsonl"
    payloads.write_bytes(b"\n".join(equivalence_payloads()) + b"\n")
    outputs = []
    for label, command, cwd in (("image", [executable], tmp_path),
                                ("sources", [sys.executable, "-m", "worker"], ROOT)):
        out = tmp_path / f"{label}.jsonl"
        done = run([*command, "process", "--config", ROOT / "config" / "worker.yaml",
                    "-i", payloads, "-o", out],
                   cwd=cwd, env=env if label == "image" else None, timeout=600)
        assert done.returncode == 0, describe(done)
        outputs.append([_without_clock(line) for line in out.read_bytes().splitlines()])
    image, sources = outputs
    assert len(image) == len(sources) == len(payloads.read_bytes().splitlines())
    differing = [i for i, (a, b) in enumerate(zip(image, sources, strict=True)) if a != b]
    assert not differing, f"{len(differing)} outputs differ, first at line {differing[0] + 1}"


def equivalence_payloads() -> list[bytes]:
    """Varied payloads, one per line: corpus articles and variants, examples, HTML, broken."""
    lines: list[bytes] = []
    rng = random.Random(7)
    for record in id_news_records().values():
        payload = orjson.loads(build_payload(record))
        lines.append(orjson.dumps(payload))
        paragraphs = payload["text"].split("\n")
        # Partial and shuffled texts reach the cleaning heuristics from other starting points.
        for cut in (len(paragraphs) // 3, 2 * len(paragraphs) // 3):
            lines.append(orjson.dumps({**payload, "id": f"{payload['id']}-cut{cut}",
                                       "text": "\n".join(paragraphs[cut:])}))
        rng.shuffle(paragraphs)
        untitled = {key: value for key, value in payload.items() if key != "title"}
        lines.append(orjson.dumps({**untitled, "id": f"{payload['id']}-shuffled",
                                   "text": "\n".join(paragraphs)}))
    examples = ROOT / "examples"
    lines += [line for line in (examples / "articles.jsonl").read_bytes().splitlines() if line]
    lines += [orjson.dumps(orjson.loads((examples / name).read_bytes()))
              for name in ("viva-putin-kim.json", "html-garam-madura.json")]
    lines += [line for line in (examples / "broken.jsonl").read_bytes().splitlines() if line]
    lines += hostile_payloads(orjson.loads((examples / "viva-putin-kim.json").read_bytes()))
    for page in HTML_PAGES:
        markup = gzip.decompress(page.read_bytes()).decode("utf-8", errors="replace")
        lines.append(orjson.dumps({"id": page.name[:8], "url": HTML_URLS[page.name[:8]],
                                   "html": markup}))
    return lines


def hostile_payloads(base: dict[str, Any]) -> list[bytes]:
    """Payloads with every field of `base` replaced by wrong types and odd values, and values
    that are not JSON objects at all: the decoding paths, where a compiled module's run-time
    type checks would differ first."""
    odd: list[Any] = [None, 0, -1.5, True, [], {}, "", " \t", "\u0000", "\u202e" * 3,
                      "x" * 5000, 2**63 - 1, ["text"], {"text": "nested"}]
    lines = [orjson.dumps({**base, field: value})
             for field in sorted({*base, "html", "published_at", "lang", "fetched_at"})
             for value in odd]
    lines += [b"", b"null", b"[]", b"42", b'"text"', b"\xff\xfe{}", b'{"text": "\\ud800"}',
              b'{"text": "unterminated', b"[" * 2000 + b"]" * 2000, b"{" + b" " * 100 + b"}",
              b'{"text": 1e400}', b'{"text": 100000000000000000000000000000}',
              b'{"text": "a", "text": "b"}']
    return lines


def _without_clock(line: bytes) -> bytes:
    """An output line without the time it was written (`processing`, `failed_at`)."""
    document = orjson.loads(line)
    document.pop("processing", None)
    document.pop("failed_at", None)
    return orjson.dumps(document, option=orjson.OPT_SORT_KEYS)
