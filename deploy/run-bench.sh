#!/usr/bin/env bash
# `make bench`: the benchmark report against local PostgreSQL (started if needed).
set -euo pipefail
cd "$(dirname "$0")/.."
started=""
if ! deploy/infra.sh env >/dev/null 2>&1; then
  started=yes
fi
trap '[[ -n "$started" ]] && deploy/infra.sh down' EXIT
eval "$(deploy/infra.sh up | sed 's/^/export /')"
.venv/bin/python -m bench.hot_path
.venv/bin/python -m bench.andon_propagation
.venv/bin/python -m bench.orders
.venv/bin/python -m bench.kpis
.venv/bin/python -m bench.storage
.venv/bin/python -m bench.profile --target embedded
.venv/bin/python -m bench.profile --target scaleout
