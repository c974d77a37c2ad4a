# gapless — every human and CI entry point. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: help install run test lint fmt bench up down schemas k8s-check asyncapi-check migrate clean

help:  ## list targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

install: $(STAMP)  ## venv with the pinned dependencies (run and test call it)

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "python3.11 or python3 is required" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*; touch $@

run: install  ## the product, embedded: all services in one process on http://127.0.0.1:8000
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
