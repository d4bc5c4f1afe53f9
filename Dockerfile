# syntax=docker/dockerfile:1
#
# article-worker container image.
#
#   docker build \
#     --build-arg PYTHON_DIGEST=sha256:<digest of python:3.11.15-slim-bookworm> \
#     --build-arg VERSION=0.1.0 --build-arg REVISION="$(git rev-parse HEAD)" \
#     --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
#     -t article-worker:0.1.0 .
#
# The base image is pinned by tag here and by digest at build time: a tag is readable and
# moves with Debian security rebuilds; the digest makes a release build reproducible. Look the
# digest up with `docker buildx imagetools inspect python:3.11.15-slim-bookworm` (the index
# digest covers amd64 and arm64). Without PYTHON_DIGEST the tag alone is used.
#
# Two stages: `build` has compilers (for any dependency that ships only an sdist, and for
# mypyc, which compiles worker/pipeline to C extensions) and makes the virtual environment; `runtime` is the slim image with that environment copied in and no
# compilers. Both stages are the same base image, so the copied environment finds the same
# Python at the same path and the same shared libraries.
# tests/deploy/test_image_install.py replays these install steps in a fresh venv on every
# `make test`, since no image can be built where the tests run.

ARG PYTHON_VERSION=3.11.15
ARG DEBIAN_RELEASE=bookworm
# Unset by default (then only the tag is used); e.g. sha256:1a2b... for a release build.
ARG PYTHON_DIGEST

FROM python:${PYTHON_VERSION}-slim-${DEBIAN_RELEASE}${PYTHON_DIGEST:+@${PYTHON_DIGEST}} AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

# build-essential only in this stage: it never reaches the runtime image.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
# DL3008 (pin apt versions) is ignored above on purpose: Debian removes superseded versions
# from its archive, so exact pins would break the build at the next security update, and
# nothing from this stage but the Python environment is shipped.

WORKDIR /src

# Dependencies before the source, so this layer is rebuilt only when a lock changes.
# --require-hashes: every downloaded file must match a hash in the lock.
# /opt/build holds the pinned pip and build backend; /opt/venv (what ships) is made without
# pip and filled by the build venv's pip through `--python`, so the image carries no installer.
COPY requirements/runtime.lock requirements/build.lock requirements/
# The build venv also gets the runtime lock: mypyc type-checks the package before compiling it
# and needs the dependencies' types (none of this venv ships).
RUN python -m venv /opt/build \
 && /opt/build/bin/pip install --require-hashes -r requirements/build.lock \
 && /opt/build/bin/pip install --require-hashes -r requirements/runtime.lock \
 && python -m venv --without-pip /opt/venv \
 && /opt/build/bin/pip --python /opt/venv/bin/python install --require-hashes -r requirements/runtime.lock

# The project wheel, built with the hashed backend (no build isolation, so pip fetches no
# unpinned setuptools), then installed without dependencies: the lock already provided them.
# ARTICLE_WORKER_COMPILE=1: setup.py has mypyc compile worker/pipeline/*.py (about a fifth less
# CPU per article, the same outputs; the plain .py files ship beside the extensions).
COPY pyproject.toml setup.py README.md ./
COPY worker/ worker/
ENV ARTICLE_WORKER_COMPILE=1
RUN /opt/build/bin/pip wheel --no-deps --no-build-isolation --wheel-dir /wheels . \
 && /opt/build/bin/pip --python /opt/venv/bin/python install --no-deps /wheels/article_worker-*.whl \
 && /opt/build/bin/pip --python /opt/venv/bin/python check


FROM python:${PYTHON_VERSION}-slim-${DEBIAN_RELEASE}${PYTHON_DIGEST:+@${PYTHON_DIGEST}} AS runtime

ARG PYTHON_VERSION
ARG DEBIAN_RELEASE
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=""

LABEL org.opencontainers.image.title="article-worker" \
      org.opencontainers.image.description="Streaming worker: raw scraped news articles from Kafka in, clean enriched articles out." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="docker.io/library/python:${PYTHON_VERSION}-slim-${DEBIAN_RELEASE}"

# A fixed, high uid/gid (not in the host's range of system users) so that Kubernetes can
# verify runAsNonRoot from the image and fsGroup-owned Secret files are readable.
RUN groupadd --system --gid 10001 worker \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin worker

COPY --from=build /opt/venv /opt/venv
# The default configuration (brokers on localhost); a deployment mounts its own and passes
# --config, or overrides keys with ARTICLE_WORKER__SECTION__KEY variables.
COPY config/worker.yaml /app/config/worker.yaml

# PYTHONUNBUFFERED: log lines leave at once, none are lost when the pod is killed.
# PYTHONDONTWRITEBYTECODE: the root filesystem is read-only; the bytecode was compiled at
# install time. HOME and TMPDIR point at /tmp, the only writable place (an emptyDir in k8s).
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/tmp \
    TMPDIR=/tmp

WORKDIR /app
USER 10001:10001

# /metrics, /healthz, /readyz (metrics.port).
EXPOSE 9100

# For plain `docker run`; Kubernetes ignores it and uses the chart's probes. Python rather than
# curl: the slim image has no curl, and installing one only for this would widen the image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9100/healthz', timeout=4)"]

# Exec form, no shell in between: the worker is PID 1 and receives SIGTERM itself, then drains
# (finish the batch, flush, commit, leave the group) within shutdown.drain_timeout_s.
STOPSIGNAL SIGTERM
ENTRYPOINT ["article-worker"]
CMD ["run"]
