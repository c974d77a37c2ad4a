#!/usr/bin/env bash
# Scale-out on this machine: PostgreSQL + Kafka + each service as its own process.
#
# usage: deploy/stack.sh {up|down|status}
#   up      start infra, run the migration step (`gapless migrate`), then order/inventory/
#           credit/fulfillment/andon and the simulated WMS/TMS on ports BASE..BASE+5
#           (BASE = $GAPLESS_STACK_PORT, default 8101), and in front of them one entry point:
#           nginx from Debian's packages on http://127.0.0.1:$GAPLESS_GATEWAY_PORT (default 8000,
#           embedded mode's address), which sends each /v1/<resource> to its service. Its URL is
#           the last line printed. Demo data is seeded once; the API keys are embedded mode's
#           (var/credentials.json, created if missing), so the README's examples work unchanged.
#           GAPLESS_REPLICAS=N (make up REPLICAS=N) runs N processes of each of the five
#           services, members of one consumer group each (replica r on ports BASE+10*(r-1)+...),
#           balanced by the gateway; keep N at most GAPLESS_KAFKA__PARTITIONS (default 6).
#           With POSTGRES_DSN and KAFKA_BOOTSTRAP_SERVERS set, those servers are used and
#           nothing is started for them (nor stopped by `down`).
#           The ops console runs on BASE-1 (8100), forwarding to the services.
#   down    stop the gateway and the services, then PostgreSQL and Kafka (if `up` started them)
set -euo pipefail
LOG_TAG=stack
# shellcheck source=deploy/_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
init_infra_dir
export GAPLESS_INFRA_DIR=$INFRA_DIR
STACK_DIR=$INFRA_DIR/stack
SERVICES=(order inventory credit fulfillment andon simulator)
BASE_PORT=${GAPLESS_STACK_PORT:-8101}
GATEWAY_PORT=${GAPLESS_GATEWAY_PORT:-8000}
KEYS_DIR=${GAPLESS_DATA_DIR:-$REPO_DIR/var}
REPLICAS=${GAPLESS_REPLICAS:-1}
[[ $REPLICAS =~ ^[1-9][0-9]*$ ]] || die "GAPLESS_REPLICAS must be a positive number, not '$REPLICAS'"

# Every process of the stack: service name, or name-r for the r-th replica (simulator: one).
instances() {
  local service r
  for service in "${SERVICES[@]}"; do
    echo "$service"
    [[ $service == simulator ]] && continue
    for ((r = 2; r <= REPLICAS; r++)); do echo "$service-$r"; done
  done
}
PYTHON=${PYTHON:-$REPO_DIR/.venv/bin/python}

pid_running() { [[ -f $1 ]] && pid_alive "$(cat "$1")"; }

cmd_up() {
  mkdir -p "$STACK_DIR"
  if [[ -n ${POSTGRES_DSN:-} && -n ${KAFKA_BOOTSTRAP_SERVERS:-} ]]; then
    log "using the running servers: $POSTGRES_DSN, $KAFKA_BOOTSTRAP_SERVERS"
    touch "$STACK_DIR/.external-infra"
  else
    rm -f "$STACK_DIR/.external-infra"
    eval "$("$DEPLOY_DIR/infra.sh" up | sed 's/^/export /')"
  fi
  if [[ ! -f $KEYS_DIR/keys.json ]]; then
    "$PYTHON" -m services keys create --dir "$KEYS_DIR" >/dev/null
  fi
  log "API keys: $KEYS_DIR/credentials.json"
  # The migration step of a release: every schema at this version's revision before any
  # service starts; the services themselves only check (GAPLESS_MIGRATIONS=verify).
  GAPLESS_DATABASE_URL=$POSTGRES_DSN "$PYTHON" -m services migrate >>"$STACK_DIR/migrate.log" 2>&1 ||
    { show_log_tail "$STACK_DIR/migrate.log"; die "the migration step failed (log: $STACK_DIR/migrate.log)"; }
  local i instance service replica port
  for instance in $(instances); do
    service=${instance%-*}
    replica=${instance##*-}
    [[ $instance == *-* ]] || replica=1
    for i in "${!SERVICES[@]}"; do [[ ${SERVICES[$i]} == "$service" ]] && break; done
    port=$((BASE_PORT + i + 10 * (replica - 1)))
    if pid_running "$STACK_DIR/$instance.pid"; then
      log "$instance already running"
      continue
    fi
    # Only configuration differs from embedded mode: the bus, the database, the port.
    GAPLESS_BUS=kafka GAPLESS_DATABASE_URL=$POSTGRES_DSN GAPLESS_MIGRATIONS=verify \
      GAPLESS_KAFKA__BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS \
      GAPLESS_PORT=$port GAPLESS_SEED_DEMO=true GAPLESS_KEYS_FILE=$KEYS_DIR/keys.json \
      nohup "$PYTHON" -m "services.$service" >>"$STACK_DIR/$instance.log" 2>&1 &
    echo $! >"$STACK_DIR/$instance.pid"
    echo "$port" >"$STACK_DIR/$instance.port"
  done
  for instance in $(instances); do
    port=$(cat "$STACK_DIR/$instance.port")
    wait_ready "$instance" "$port"
    log "$instance http://127.0.0.1:$port"
  done
  start_console
  start_gateway
  echo "http://127.0.0.1:$GATEWAY_PORT"
}

# The ops console on BASE-1 (8100): its own process, forwarding the page's API calls to the
# service that owns each path.
start_console() {
  local port=$((BASE_PORT - 1)) svc bases="" upstreams
  for svc in "${SERVICES[@]}"; do
    bases+="${bases:+, }\"$svc\": \"http://127.0.0.1:$(cat "$STACK_DIR/$svc.port")\""
  done
  upstreams=$(cd "$REPO_DIR" && "$PYTHON" -m tools.routes console-upstreams "{$bases}")
  if ! pid_running "$STACK_DIR/console.pid"; then
    GAPLESS_PORT=$port GAPLESS_CONSOLE_UPSTREAMS="$upstreams" \
      nohup "$PYTHON" -m shared.console >>"$STACK_DIR/console.log" 2>&1 &
    echo $! >"$STACK_DIR/console.pid"
    echo "$port" >"$STACK_DIR/console.port"
  fi
  wait_ready console "$port"
  log "console http://127.0.0.1:$port"
}

# nginx (Debian's package) in front of every service: one URL, as in embedded mode.
start_gateway() {
  local dir=$STACK_DIR/gateway instance upstreams="{" sep=""
  command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || apt_install nginx
  local nginx
  nginx=$(command -v nginx || echo /usr/sbin/nginx)
  if pid_running "$STACK_DIR/gateway.pid"; then
    log "gateway already running"
  else
    port_free "$GATEWAY_PORT" ||
      die "port $GATEWAY_PORT is taken (embedded mode, \`make run\`?): stop it or set GAPLESS_GATEWAY_PORT"
    mkdir -p "$dir"
    for service in "${SERVICES[@]}"; do
      upstreams+="$sep\"$service\": ["
      local first=1
      for instance in $(instances); do
        [[ ${instance%-*} == "$service" ]] || continue
        ((first)) || upstreams+=","
        upstreams+="\"127.0.0.1:$(cat "$STACK_DIR/$instance.port")\""
        first=0
      done
      upstreams+="]"
      sep=","
    done
    echo "$upstreams}" >"$dir/upstreams.json"
    (cd "$REPO_DIR" && "$PYTHON" -m tools.routes nginx "127.0.0.1:$GATEWAY_PORT" "$dir" \
      "$dir/upstreams.json") >"$dir/nginx.conf"
    "$nginx" -t -q -c "$dir/nginx.conf" -g 'daemon off;' >>"$dir/error.log" 2>&1 ||
      { show_log_tail "$dir/error.log"; die "nginx refused $dir/nginx.conf"; }
    nohup "$nginx" -c "$dir/nginx.conf" -g 'daemon off;' >>"$dir/error.log" 2>&1 &
    echo $! >"$STACK_DIR/gateway.pid"
    echo "$GATEWAY_PORT" >"$STACK_DIR/gateway.port"
  fi
  wait_ready gateway "$GATEWAY_PORT"
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
  for pidfile in "$STACK_DIR"/*.pid; do
    [[ -e $pidfile ]] || continue
    service=$(basename "$pidfile" .pid)
    if pid_running "$pidfile"; then
      kill "$(cat "$pidfile")"
      for _ in $(seq 1 50); do pid_running "$pidfile" || break; sleep 0.2; done
      pid_running "$pidfile" && kill -9 "$(cat "$pidfile")"
      log "$service stopped"
    fi
    rm -f "$pidfile" "$STACK_DIR/$service.port"
  done
  if [[ -f $STACK_DIR/.external-infra ]]; then
    log "PostgreSQL and Kafka were running before \`up\`: left running"
  else
    "$DEPLOY_DIR/infra.sh" down
  fi
}

cmd_status() {
  local pidfile service rc=1
  for pidfile in "$STACK_DIR"/*.pid; do
    [[ -e $pidfile ]] || continue
    service=$(basename "$pidfile" .pid)
    rc=0
    if pid_running "$pidfile"; then
      echo "$service running on port $(cat "$STACK_DIR/$service.port")"
    else
      echo "$service stopped"
      rc=1
    fi
  done
  ((rc == 0)) || echo "the stack is not (fully) running"
  return $rc
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *) die "usage: $0 {up|down|status}" ;;
esac
