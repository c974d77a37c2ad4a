# gapless — every human and CI entry point. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PINS := $(shell sha1sum pyproject.toml | cut -c1-12)
# The product alone (make run), or with the development tools (test, lint, bench).
RUN_STAMP := $(VENV)/.installed-run-$(PINS)
STAMP := $(VENV)/.installed-dev-$(PINS)
PIP := $(VENV)/bin/pip install --disable-pip-version-check --progress-bar on

.PHONY: help install install-run run test lint fmt bench chaos up down schemas k8s-check asyncapi-check migrate clean

help:  ## list targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

install: $(STAMP)  ## venv with the pinned dependencies and the development tools

install-run: $(RUN_STAMP)  ## venv with the product's pinned dependencies only (make run)

$(VENV)/bin/python:
	@test -n "$(PYTHON)" || { echo "python3.11 or python3 is required" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): pyproject.toml | $(VENV)/bin/python
	@echo "== installing gapless's pinned dependencies into $(VENV) (once, about a minute)"
	$(PIP) -e .
	rm -f $(VENV)/.installed-run-*; touch $@

$(STAMP): pyproject.toml | $(VENV)/bin/python
	@echo "== installing gapless with its development tools into $(VENV) (once)"
	$(PIP) -e '.[dev]'
	rm -f $(VENV)/.installed-*; touch $(RUN_STAMP) $@

run: $(if $(wildcard $(STAMP)),install,install-run)  ## the product, embedded: http://127.0.0.1:8000
	$(PY) -m services.embedded

test: lint k8s-check asyncapi-check  ## EVERYTHING: lint, manifests, AsyncAPI, unit, integration, e2e
	bash deploy/run-tests.sh

lint: install  ## ruff check + format check + mypy --strict
	$(VENV)/bin/ruff check shared services schemas migrations tests bench tools
	$(VENV)/bin/ruff format --check shared services schemas migrations tests bench tools
	$(VENV)/bin/mypy shared services schemas migrations

fmt: install  ## ruff format + autofix
	$(VENV)/bin/ruff check --fix shared services schemas migrations tests bench tools
	$(VENV)/bin/ruff format shared services schemas migrations tests bench tools

bench: install  ## benchmark report (starts PostgreSQL + Kafka)
	bash deploy/run-bench.sh

chaos: install  ## fault run: scale-out under load, SIGKILLs + Kafka and PostgreSQL restarts (own servers)
	$(PY) -m tests.chaos --target scaleout --minutes $(or $(MINUTES),5) --report chaos-report.json

up: install  ## scale-out on this machine behind one URL (nginx): PostgreSQL, Kafka, REPLICAS per service
	GAPLESS_REPLICAS=$(or $(REPLICAS),1) bash deploy/stack.sh up

down:  ## stop everything `make up` started
	bash deploy/stack.sh down

schemas: install  ## regenerate schemas/ from the producers' events.py
	$(PY) -m schemas.generate

k8s-check: install  ## render both k8s overlays and validate every object, CRDs included, offline
	$(PY) -m tools.k8s_check

asyncapi-check:  ## validate schemas/asyncapi.json with the official AsyncAPI CLI (npm)
	bash deploy/asyncapi-check.sh

migrate: install  ## the migration step: every service's schema to this version (GAPLESS_DATABASE_URL)
	$(PY) -m services migrate

clean:  ## remove local data (var/) and infrastructure state (.infra/)
	-bash deploy/stack.sh down
	rm -rf var .infra
