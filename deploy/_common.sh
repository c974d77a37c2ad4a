# shellcheck shell=bash
# Helpers shared by deploy/*.sh. Sourced, never executed directly.
# Convention: stdout carries only the KEY=VALUE result lines; all chatter goes to stderr.

DEPLOY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO_DIR=$(dirname "$DEPLOY_DIR")

log() { printf '[%s] %s\n' "${LOG_TAG:-infra}" "$*" >&2; }
die() {
  printf '[%s] ERROR: %s\n' "${LOG_TAG:-infra}" "$*" >&2
  exit 1
}

# State folder (data, logs, pid/port files). Made absolute so the scripts work from any cwd.
init_infra_dir() {
  INFRA_DIR=${GAPLESS_INFRA_DIR:-$REPO_DIR/.infra}
  mkdir -p "$INFRA_DIR" || die "cannot create state folder $INFRA_DIR"
  INFRA_DIR=$(cd "$INFRA_DIR" && pwd -P)
  # The postgres server runs as user "postgres" and must be able to traverse this folder,
  # even when our umask is strict.
  chmod go+x "$INFRA_DIR" 2>/dev/null || true
}

# Serialise concurrent start/stop calls for one service (e.g. two test runs starting at once).
take_lock() {
  local name=$1
  exec 9>"$INFRA_DIR/.$name.lock"
  flock -w 120 9 || die "timed out waiting for lock $INFRA_DIR/.$name.lock (another start/stop running?)"
}

# Alive and not a zombie: a dead process that nobody reaped (e.g. an init that does not reap
# orphans, as in some containers) must count as dead.
pid_alive() {
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z ]]
}

# True if something accepts TCP connections on 127.0.0.1:$1.
port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# True if nothing listens on port $1 (TCP). ss also sees listeners bound to other local
# addresses; the connect test covers machines without ss.
port_free() {
  local p=$1
  if command -v ss >/dev/null 2>&1 && [[ -n "$(ss -Hltn "sport = :$p" 2>/dev/null)" ]]; then
    return 1
  fi
  ! port_open "$p"
}

# pick_port START [EXCLUDED...]: first free port >= START not in EXCLUDED.
pick_port() {
  local p=$1
  shift
  local limit=$((p + 500)) x skip
  while ((p < limit)); do
    skip=0
    for x in "$@"; do [[ $x == "$p" ]] && skip=1; done
    if ((!skip)) && port_free "$p"; then
      echo "$p"
      return 0
    fi
    p=$((p + 1))
  done
  die "no free TCP port found in [$1, $limit)"
}

# resolve_port ENV_VALUE PORT_FILE START [EXCLUDED...]
# Explicit env value wins; else reuse the remembered port if still free; else pick and remember.
resolve_port() {
  local env_value=$1 file=$2 start=$3
  shift 3
  if [[ -n $env_value ]]; then
    [[ $env_value =~ ^[0-9]+$ ]] || die "invalid port '$env_value'"
    echo "$env_value"
    return 0
  fi
  local p=""
  [[ -s $file ]] && p=$(<"$file")
  if [[ $p =~ ^[0-9]+$ ]] && port_free "$p"; then
    local x ok=1
    for x in "$@"; do [[ $x == "$p" ]] && ok=0; done
    if ((ok)); then
      echo "$p"
      return 0
    fi
  fi
  [[ -n $p ]] && log "remembered port $p is taken now; choosing another one"
  p=$(pick_port "$start" "$@")
  echo "$p" >"$file"
  echo "$p"
}

# apt_install PKG...: install Debian packages, refreshing the package lists only when needed.
apt_install() {
  [[ $EUID -eq 0 ]] || die "need root to install Debian packages: $*  (run: sudo apt-get install -y $*)"
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install manually: $*"
  export DEBIAN_FRONTEND=noninteractive
  local pkg need_update=0
  for pkg in "$@"; do
    # No candidate usually means the package lists were never downloaded (fresh image).
    if ! apt-cache policy "$pkg" 2>/dev/null | grep -q 'Candidate: [^(]'; then need_update=1; fi
  done
  if ((need_update)); then
    log "apt-get update"
    apt-get update -q >&2 || die "apt-get update failed"
  fi
  log "apt-get install -y $*"
  if ! apt-get install -y -q "$@" >&2; then
    # Stale lists can point at superseded versions: refresh once and retry.
    log "install failed; refreshing package lists and retrying"
    apt-get update -q >&2 || die "apt-get update failed"
    apt-get install -y -q "$@" >&2 || die "apt-get install $* failed"
  fi
}

# Last lines of a log file, to stderr, for loud failures.
show_log_tail() {
  local f=$1 n=${2:-40}
  if [[ -f $f ]]; then
    printf -- '----- last %s lines of %s -----\n' "$n" "$f" >&2
    tail -n "$n" "$f" >&2 || true
    printf -- '-----\n' >&2
  else
    log "(no log file at $f)"
  fi
}
