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
# The gateway test runs Debian's nginx in front of the scale-out services.
if ! command -v nginx >/dev/null 2>&1 && [[ ! -x /usr/sbin/nginx ]]; then
  # shellcheck source=deploy/_common.sh
  LOG_TAG=tests source deploy/_common.sh
  apt_install nginx
fi

echo "== tests"
# CI=true makes any test that needs a server fail instead of skipping when it is missing.
export CI=${CI:-true}
if [[ $# -gt 0 ]]; then
  $VENV/bin/pytest -ra "$@"
else
  # Unit tests start no server: two at a time, those on PostgreSQL one after another (see
  # tests/conftest.py). The rest start stacks and servers, one test at a time. The slowest are
  # listed.
  $VENV/bin/pytest -ra -n 2 --dist loadgroup --durations=15 tests/unit
  $VENV/bin/pytest -ra --durations=40 --ignore=tests/unit
fi
