#!/usr/bin/env bash
# Validate schemas/asyncapi.json with the official AsyncAPI CLI (`make asyncapi-check`, part of
# `make test`). The CLI comes from the npm registry at a pinned version, installed once into
# ${GAPLESS_CACHE_DIR:-~/.cache/gapless}/asyncapi-cli-<version> (outside git); Node.js and npm
# come from Debian's packages when the machine has none.
#
# usage: deploy/asyncapi-check.sh [DOCUMENT]     (default: schemas/asyncapi.json)
#   exit 0: valid, at most informational remarks; 1: an error or a warning
set -euo pipefail
LOG_TAG=asyncapi
# shellcheck source=deploy/_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

CLI_VERSION=6.2.0
CACHE_DIR=${GAPLESS_CACHE_DIR:-$HOME/.cache/gapless}
PREFIX=$CACHE_DIR/asyncapi-cli-$CLI_VERSION
DOCUMENT=${1:-$REPO_DIR/schemas/asyncapi.json}

command -v npm >/dev/null 2>&1 || apt_install nodejs npm
if [[ ! -x $PREFIX/node_modules/.bin/asyncapi ]]; then
  log "installing @asyncapi/cli@$CLI_VERSION from the npm registry into $PREFIX"
  rm -rf "$PREFIX.tmp"
  mkdir -p "$PREFIX.tmp"
  npm install --no-audit --no-fund --silent --prefix "$PREFIX.tmp" "@asyncapi/cli@$CLI_VERSION" >&2 ||
    die "npm could not install @asyncapi/cli@$CLI_VERSION"
  rm -rf "$PREFIX"
  mv "$PREFIX.tmp" "$PREFIX"
fi

# The CLI reports usage to its authors unless told not to: nothing leaves this machine.
export ASYNCAPI_METRICS_CONFIG_PATH=$CACHE_DIR/asyncapi-analytics.json
[[ -f $ASYNCAPI_METRICS_CONFIG_PATH ]] ||
  echo '{"analyticsEnabled":"false","infoMessageShown":"true","userID":"gapless"}' \
    >"$ASYNCAPI_METRICS_CONFIG_PATH"
export SUPPRESS_NO_CONFIG_WARNING=1 NODE_ENV=production

# Warnings fail too; only informational remarks (such as "a newer AsyncAPI version exists") pass.
cd "$(dirname "$DOCUMENT")"
exec "$PREFIX/node_modules/.bin/asyncapi" validate "$(basename "$DOCUMENT")" --fail-severity warn
