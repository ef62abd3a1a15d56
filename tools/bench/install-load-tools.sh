#!/usr/bin/env bash
# Installs the load generators of `npm run bench -- authz`, idempotently:
#  - wrk (Debian package): closed-loop load, many connections from one efficient C process;
#  - vegeta (go install of a pinned version into $LAPSE_CACHE/bin): load at a constant rate,
#    each request sent at its scheduled time however slow the answers (no coordinated omission).
# A Node client cannot drive 5,000 req/s on a 2-core machine that also runs nginx and Lapse.
set -euo pipefail

VEGETA_MODULE=github.com/tsenart/vegeta/v12
VEGETA_VERSION=v12.13.0
LAPSE_CACHE=${LAPSE_CACHE:-$HOME/.cache/lapse}
LAPSE_BIN=$LAPSE_CACHE/bin
VEGETA_BIN=$LAPSE_BIN/vegeta
export PATH="$PATH:/usr/local/go/bin:/usr/sbin:/sbin"

log() { printf '[install-load-tools] %s\n' "$*"; }

# wrk
if command -v wrk >/dev/null 2>&1; then
  log "present: $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)"
else
  if ! command -v apt-get >/dev/null 2>&1; then
    log "apt-get not found: install wrk 4.x, then re-run" >&2
    exit 1
  fi
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      log "must run as root (or with sudo available) to apt-get install wrk" >&2
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-cache show wrk >/dev/null 2>&1; then
    log "apt-get update"
    $SUDO apt-get update -q
  fi
  log "apt-get install -y wrk"
  $SUDO apt-get install -y -q --no-install-recommends wrk
  command -v wrk >/dev/null 2>&1 || {
    log "installation finished but wrk is missing" >&2
    exit 1
  }
  log "installed: $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)"
fi

# vegeta
built_from() {
  [ -x "$1" ] && go version -m "$1" 2>/dev/null |
    grep -qE "^[[:space:]]*mod[[:space:]]+$2[[:space:]]+$3([[:space:]]|$)"
}
if built_from "$VEGETA_BIN" "$VEGETA_MODULE" "$VEGETA_VERSION"; then
  log "present: vegeta $VEGETA_VERSION ($VEGETA_BIN)"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  log "go not found: install Go (1.22+) to build vegeta, then re-run" >&2
  exit 1
fi
mkdir -p "$LAPSE_BIN"
gobin=$(mktemp -d "$LAPSE_CACHE/gobin-vegeta.XXXXXX")
trap 'rm -rf "$gobin"' EXIT
log "go install $VEGETA_MODULE@$VEGETA_VERSION (about a minute)"
GOBIN=$gobin GOTOOLCHAIN=local go install "$VEGETA_MODULE@$VEGETA_VERSION" \
  >"$LAPSE_CACHE/go-install-vegeta.log" 2>&1 || {
  log "go install failed; see $LAPSE_CACHE/go-install-vegeta.log" >&2
  exit 1
}
mv "$gobin/vegeta" "$VEGETA_BIN"
log "installed: vegeta $VEGETA_VERSION ($VEGETA_BIN)"
