# article-worker: `make demo` and `make test` do everything on a fresh machine.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
KAFKA_PORT ?= 19092
export KAFKA_PORT

.PHONY: help venv tools lock kafka-fetch kafka-up kafka-down demo test lint unit integration \
	monitoring test-deploy test-faults bench

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | sort

# The venv is built from the hashed locks (the same pins as the image); the machine's own pip
# (23.2) mis-resolves the lxml extras in them, so the pinned pip from build.lock goes first.
$(VENV)/.installed: pyproject.toml setup.py requirements/dev.lock requirements/build.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --require-hashes -r requirements/build.lock
	$(PY) -m pip install -q --require-hashes -r requirements/dev.lock
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	touch $@

venv: $(VENV)/.installed ## create .venv and install the project with its dev tools

tools: ## helm, hadolint, kubernetes-validate, checkov, promtool into .tools (pinned, idempotent)
	scripts/install-tools.sh

lock: ## re-pin requirements/*.lock from pyproject.toml with hashes
	scripts/lock-deps.sh

kafka-fetch: ## download the Kafka broker jars from Maven Central (cached)
	scripts/kafka.sh fetch

kafka-up: kafka-fetch venv ## start a local broker on 127.0.0.1:$KAFKA_PORT (default 19092)
	scripts/kafka.sh up

kafka-down: ## stop the local broker and delete its data
	scripts/kafka.sh down

demo: venv kafka-fetch ## start a broker, run the worker on examples/, show what came out
	scripts/kafka.sh up >/dev/null
	trap 'scripts/kafka.sh down >/dev/null' EXIT; \
	  KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$(KAFKA_PORT) $(PY) scripts/demo.py

lint: venv ## ruff and mypy --strict
	$(VENV)/bin/ruff check worker tests scripts benchmarks setup.py
	$(VENV)/bin/mypy

unit: venv tools ## unit, golden, property, quality and deployment tests (no broker)
	$(PY) -m pytest -q tests --ignore=tests/integration --ignore=tests/faults

integration: venv tools kafka-fetch ## integration tests against a real broker (and Prometheus)
	$(PY) -m pytest -q tests/integration

monitoring: venv tools ## promtool rule checks and tests, metrics lint, dashboard checks
	.tools/bin/promtool check rules helm/article-worker/files/article-worker.rules.yaml
	.tools/bin/promtool test rules tests/monitoring/rules_test.yaml
	$(PY) -m pytest -q tests/monitoring

test-deploy: venv tools ## Dockerfile, chart, locks, replayed image install
	$(PY) -m pytest -q tests/deploy

test: venv tools kafka-fetch lint ## the whole suite: lint, unit, golden, quality gates, real broker
	$(PY) -m pytest -q tests -m "not faults" --durations=10

# The benchmarks measure what the image ships: the wheel built with the pipeline compiled by
# mypyc, in its own venv (scripts/bench-venv.sh), rebuilt when anything it is built from changes.
BENCH_VENV := .bench/venv
BENCH_INPUTS := $(shell find worker -type f -not -path '*/__pycache__/*') pyproject.toml \
	setup.py README.md requirements/build.lock requirements/runtime.lock scripts/bench-venv.sh

$(BENCH_VENV)/.installed: $(BENCH_INPUTS)
	PYTHON=$(PYTHON) scripts/bench-venv.sh

bench: venv kafka-fetch $(BENCH_VENV)/.installed ## benchmarks in one go (own broker, compiled build): benchmarks/results/latest.{json,md}
	PYTHONPATH=.bench/path $(BENCH_VENV)/bin/python -P -m benchmarks.run $(BENCH_ARGS)

test-faults: venv kafka-fetch ## the full fault-injection suite (20,000 messages a scenario) and its table
	$(PY) -m pytest -q tests/faults -m faults -s
