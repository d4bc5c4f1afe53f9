#!/usr/bin/env bash
# Regenerate the hashed lock files in requirements/ from pyproject.toml and requirements/*.in.
#
#   scripts/lock-deps.sh                       # after editing dependencies: keep the existing pins
#                                              # that still fit, add and pin what is new
#   scripts/lock-deps.sh --upgrade             # move every pin to the newest allowed version
#   scripts/lock-deps.sh --upgrade-package X   # move one package (repeatable)
#
# Outputs (all with --hash lines, installable with `pip install --require-hashes -r FILE`):
#   requirements/runtime.lock  [project] dependencies         -> Dockerfile, image-install test
#   requirements/dev.lock      runtime + the `dev` extra      -> CI and developer .venv
#   requirements/build.lock    the wheel's build backend and mypyc -> Dockerfile, image-install test
#   requirements/tools.lock    hadolint, kubernetes-validate, checkov -> scripts/install-tools.sh
#
# uv resolves in about a second, so re-running after every pyproject change is cheap. It is
# pinned and installed into .tools/uv on first use (only the PyPI registry is needed).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
UV_VERSION="0.13.9"
PYTHON="${PYTHON:-python3.11}"
UV_VENV="$ROOT/.tools/uv"
UV="$UV_VENV/bin/uv"

if [[ ! -x "$UV" ]] || [[ "$("$UV" --version 2>/dev/null)" != "uv $UV_VERSION"* ]]; then
  echo "lock-deps: installing uv $UV_VERSION into $UV_VENV" >&2
  rm -rf "$UV_VENV"
  "$PYTHON" -m venv "$UV_VENV"
  "$UV_VENV/bin/pip" install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi

cd "$ROOT"
# --universal: one lock for every platform the image may be built for (amd64 and arm64) and
# for the developers' machines; markers decide at install time. --python-version: the image's
# and CI's Python is 3.11, the lowest that pyproject allows.
common=(
  --quiet
  --generate-hashes
  --universal
  --python-version 3.11
  --custom-compile-command "scripts/lock-deps.sh"
  "$@"
)

"$UV" pip compile "${common[@]}" pyproject.toml -o requirements/runtime.lock
# Constrained by the runtime lock so that CI tests the very versions the image ships.
"$UV" pip compile "${common[@]}" pyproject.toml --extra dev \
  --constraint requirements/runtime.lock -o requirements/dev.lock
# Constrained by the dev lock: the image's mypyc is the mypy that checks the code in CI, and
# the build venv also installs the runtime lock (whose pins the dev lock follows).
"$UV" pip compile "${common[@]}" requirements/build.in \
  --constraint requirements/dev.lock -o requirements/build.lock
"$UV" pip compile "${common[@]}" requirements/tools.in -o requirements/tools.lock

for lock in runtime dev build tools; do
  printf 'lock-deps: requirements/%s.lock: %s packages\n' "$lock" \
    "$(grep -c '^[A-Za-z0-9]' "requirements/$lock.lock")"
done
