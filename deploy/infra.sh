#!/usr/bin/env bash
# Local infrastructure for dev/tests: PostgreSQL + Kafka, both on 127.0.0.1.
#
# usage: deploy/infra.sh {up|down|env}
#   up    start both (in parallel); prints POSTGRES_DSN=... and KAFKA_BOOTSTRAP_SERVERS=...
#         and writes them as `export KEY=VALUE` lines to $GAPLESS_INFRA_DIR/env
#   down  stop both (also removes the env file, so nobody uses stale addresses)
#   env   print both lines if both are running, else exit 1
#
#   export $(deploy/infra.sh up)        # shell: set and export both variables
#   . .infra/env                        # shell, later (file holds `export KEY=VALUE` lines)
#   -include .infra/env                 # Makefile (after `deploy/infra.sh up`)
set -euo pipefail
LOG_TAG=infra
# shellcheck source=deploy/_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

init_infra_dir
# Children must use the same (absolute) state folder even if ours came from a relative path.
export GAPLESS_INFRA_DIR=$INFRA_DIR
ENV_FILE=$INFRA_DIR/env

cmd_up() {
  local rc=0
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  # Parallel: Postgres starts in ~1s, Kafka's JVM in a few; the first run also installs/fetches.
  "$DEPLOY_DIR/postgres.sh" start >"$tmp/pg" &
  local pg_pid=$!
  "$DEPLOY_DIR/kafka.sh" start >"$tmp/kafka" &
  local kafka_pid=$!
  wait "$pg_pid" || {
    log "postgres failed to start"
    rc=1
  }
  wait "$kafka_pid" || {
    log "kafka failed to start"
    rc=1
  }
  if ((rc)); then
    log "infra up FAILED (whatever did start is still running; stop it with: deploy/infra.sh down)"
    return 1
  fi
  local lines
  lines=$(cat "$tmp/pg" "$tmp/kafka")
  # Written atomically so a concurrent reader never sees half a file.
  local line
  while IFS= read -r line; do printf 'export %s\n' "$line"; done <<<"$lines" >"$ENV_FILE.tmp"
  mv "$ENV_FILE.tmp" "$ENV_FILE"
  log "env written to $ENV_FILE"
  echo "$lines"
}

cmd_down() {
  local rc=0
  rm -f "$ENV_FILE"
  "$DEPLOY_DIR/kafka.sh" stop || rc=1
  "$DEPLOY_DIR/postgres.sh" stop || rc=1
  ((rc == 0)) || die "could not stop everything (see above)"
}

cmd_env() {
  local pg kafka
  pg=$("$DEPLOY_DIR/postgres.sh" env) || return 1
  kafka=$("$DEPLOY_DIR/kafka.sh" env) || return 1
  printf '%s\n%s\n' "$pg" "$kafka"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  env) cmd_env ;;
  *)
    echo "usage: $0 {up|down|env}" >&2
    exit 2
    ;;
esac
