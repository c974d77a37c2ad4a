#!/usr/bin/env bash
# Scale-out on this machine: PostgreSQL + Kafka + each service as its own process.
#
# usage: deploy/stack.sh {up|down|status}
#   up      start infra, then order/inventory/credit/fulfillment/andon and the simulated
#           WMS/TMS on ports BASE..BASE+5
#           (BASE = $GAPLESS_STACK_PORT, default 8101); demo data is seeded once
#   down    stop the services, then PostgreSQL and Kafka
set -euo pipefail
LOG_TAG=stack
# shellcheck source=deploy/_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
init_infra_dir
export GAPLESS_INFRA_DIR=$INFRA_DIR
STACK_DIR=$INFRA_DIR/stack
SERVICES=(order inventory credit fulfillment andon simulator)
BASE_PORT=${GAPLESS_STACK_PORT:-8101}
PYTHON=${PYTHON:-$REPO_DIR/.venv/bin/python}

pid_running() { [[ -f $1 ]] && pid_alive "$(cat "$1")"; }

cmd_up() {
  mkdir -p "$STACK_DIR"
  eval "$("$DEPLOY_DIR/infra.sh" up | sed 's/^/export /')"
  if [[ ! -f $STACK_DIR/keys.json ]]; then
    "$PYTHON" -m services keys create --dir "$STACK_DIR" >/dev/null
  fi
  log "API keys: $STACK_DIR/credentials.json"
  local i=0 service port
  for service in "${SERVICES[@]}"; do
    port=$((BASE_PORT + i))
    i=$((i + 1))
    if pid_running "$STACK_DIR/$service.pid"; then
      log "$service already running"
      continue
    fi
    # Only configuration differs from embedded mode: the bus, the database, the port.
    GAPLESS_BUS=kafka GAPLESS_DATABASE_URL=$POSTGRES_DSN \
      GAPLESS_KAFKA__BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS \
      GAPLESS_PORT=$port GAPLESS_SEED_DEMO=true GAPLESS_KEYS_FILE=$STACK_DIR/keys.json \
      nohup "$PYTHON" -m "services.$service" >>"$STACK_DIR/$service.log" 2>&1 &
    echo $! >"$STACK_DIR/$service.pid"
    echo "$port" >"$STACK_DIR/$service.port"
  done
  for service in "${SERVICES[@]}"; do
    port=$(cat "$STACK_DIR/$service.port")
    wait_ready "$service" "$port"
    echo "$service http://127.0.0.1:$port"
  done
}

wait_ready() {
  local service=$1 port=$2 deadline=$((SECONDS + 60))
  until curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do
    if ! pid_running "$STACK_DIR/$service.pid" || ((SECONDS > deadline)); then
      tail -n 30 "$STACK_DIR/$service.log" >&2 || true
      die "$service did not become ready on port $port (log: $STACK_DIR/$service.log)"
    fi
    sleep 0.3
  done
}

cmd_down() {
  local service pidfile
  for service in "${SERVICES[@]}"; do
    pidfile=$STACK_DIR/$service.pid
    if pid_running "$pidfile"; then
      kill "$(cat "$pidfile")"
      for _ in $(seq 1 50); do pid_running "$pidfile" || break; sleep 0.2; done
      pid_running "$pidfile" && kill -9 "$(cat "$pidfile")"
      log "$service stopped"
    fi
    rm -f "$pidfile" "$STACK_DIR/$service.port"
  done
  "$DEPLOY_DIR/infra.sh" down
}

cmd_status() {
  local service rc=0
  for service in "${SERVICES[@]}"; do
    if pid_running "$STACK_DIR/$service.pid"; then
      echo "$service running on port $(cat "$STACK_DIR/$service.port")"
    else
      echo "$service stopped"
      rc=1
    fi
  done
  return $rc
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *) die "usage: $0 {up|down|status}" ;;
esac
