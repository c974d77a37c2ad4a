#!/usr/bin/env bash
# The whole suite with local PostgreSQL and Kafka (`make test` runs lint first); exits non-zero
# on any failure. Servers this script started are stopped again, whatever the outcome.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv

started=""
if ! deploy/infra.sh env >/dev/null 2>&1; then
  started=yes
fi
trap '[[ -n "$started" ]] && deploy/infra.sh down' EXIT
echo "== starting PostgreSQL and Kafka"
eval "$(deploy/infra.sh up | sed 's/^/export /')"
: "${POSTGRES_DSN:?deploy/infra.sh did not report POSTGRES_DSN}"
: "${KAFKA_BOOTSTRAP_SERVERS:?deploy/infra.sh did not report KAFKA_BOOTSTRAP_SERVERS}"

deploy/browser.sh

echo "== tests"
# CI=true makes any test that needs a server fail instead of skipping when it is missing.
CI=${CI:-true} $VENV/bin/pytest -ra "$@"
