# article-worker: `make demo` and `make test` do everything on a fresh machine.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
KAFKA_PORT ?= 19092
export KAFKA_PORT

.PHONY: help venv kafka-fetch kafka-up kafka-down demo test lint unit integration quality

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | sort

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

venv: $(VENV)/.installed ## create .venv and install the project with its dev tools

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
	$(VENV)/bin/ruff check worker tests scripts
	$(VENV)/bin/mypy

unit: venv ## unit, golden and property tests (no broker)
	$(PY) -m pytest -q tests --ignore=tests/integration

integration: venv kafka-fetch ## integration tests against a real broker
	$(PY) -m pytest -q tests/integration

test: venv kafka-fetch lint ## the whole suite: lint, unit, golden, quality gates, real broker
	$(PY) -m pytest -q tests
