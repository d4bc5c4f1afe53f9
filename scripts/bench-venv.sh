#!/usr/bin/env bash
# The environment `make bench` measures: the worker built the way the image builds it.
#
#   .bench/venv    the build and runtime locks, and the project wheel built with
#                  ARTICLE_WORKER_COMPILE=1 (worker/pipeline compiled by mypyc, see setup.py)
#   .bench/path    holds only a link to benchmarks/: benchmarks.run runs as
#                  `PYTHONPATH=.bench/path .bench/venv/bin/python -P -m benchmarks.run`, so that
#                  `import worker` finds the compiled install and never the sources
#
# The sources are copied first (as the Dockerfile's COPY does), so the build leaves nothing in
# the working tree. Rebuilt by make whenever a file under worker/ or a lock changes (~1.5 min).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
BENCH="$ROOT/.bench"
cd "$ROOT"

rm -rf "$BENCH/venv" "$BENCH/src" "$BENCH/wheels" "$BENCH/path"
"$PYTHON" -m venv "$BENCH/venv"
pip=("$BENCH/venv/bin/python" -m pip --disable-pip-version-check)
# The pinned pip first (the machine's pip mis-resolves extras under --require-hashes).
"${pip[@]}" install -q --require-hashes -r requirements/build.lock
"${pip[@]}" install -q --require-hashes -r requirements/runtime.lock

mkdir -p "$BENCH/src"
cp -r pyproject.toml setup.py README.md worker "$BENCH/src/"
find "$BENCH/src" -name __pycache__ -prune -exec rm -rf {} +
(cd "$BENCH/src" && ARTICLE_WORKER_COMPILE=1 "${pip[@]}" wheel -q --no-deps \
  --no-build-isolation --wheel-dir "$BENCH/wheels" .)
"${pip[@]}" install -q --no-deps "$BENCH"/wheels/article_worker-*.whl

mkdir -p "$BENCH/path"
ln -s ../../benchmarks "$BENCH/path/benchmarks"
touch "$BENCH/venv/.installed"
