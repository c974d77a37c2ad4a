#!/usr/bin/env bash
# Debian's Chromium and its WebDriver for the console's browser tests; fails loudly when it
# cannot install them (the tests must run in CI, never skip).
set -euo pipefail
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "chromium and chromedriver are missing and apt-get is not here to install them" >&2
  exit 1
fi
SUDO=""
[[ "$(id -u)" -ne 0 ]] && SUDO=sudo
echo "== installing chromium and chromium-driver from Debian's packages"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
command -v chromium >/dev/null && command -v chromedriver >/dev/null
