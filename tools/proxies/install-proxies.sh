#!/usr/bin/env bash
# Installs Debian's nginx and Caddy for the forward-auth tests and the authz benchmark (the
# tests start their own instances with their own config, ports and temp paths). Idempotent: does
# nothing when both binaries are already there. The packages' own services are not started.
set -euo pipefail

log() { printf '[install-proxies] %s\n' "$*"; }

have() { command -v nginx >/dev/null 2>&1 && command -v caddy >/dev/null 2>&1; }
export PATH="$PATH:/usr/sbin:/sbin"

if have; then
  log "present: $(nginx -v 2>&1), caddy $(caddy version 2>/dev/null | cut -d' ' -f1)"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  log "apt-get not found: install nginx (with auth_request) and caddy, then re-run" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    log "must run as root (or with sudo available) to apt-get install nginx and caddy" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
if ! apt-cache show nginx >/dev/null 2>&1 || ! apt-cache show caddy >/dev/null 2>&1; then
  log "apt-get update"
  $SUDO apt-get update -q
fi

# The packages would start their system services (nginx on :80, caddy on :80/:443): a
# policy-rc.d that refuses every start keeps the machine's ports free. Only ours is removed.
POLICY=/usr/sbin/policy-rc.d
OURS=""
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
  $SUDO chmod +x "$POLICY"
  OURS=1
fi
cleanup() { if [ -n "$OURS" ]; then $SUDO rm -f "$POLICY"; fi; }
trap cleanup EXIT

log "apt-get install -y nginx caddy"
$SUDO apt-get install -y -q --no-install-recommends nginx caddy

if ! have; then
  log "installation finished but nginx or caddy is missing" >&2
  exit 1
fi
if ! nginx -V 2>&1 | grep -q http_auth_request_module; then
  log "this nginx lacks http_auth_request_module" >&2
  exit 1
fi
log "installed: $(nginx -v 2>&1), caddy $(caddy version 2>/dev/null | cut -d' ' -f1)"
