#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (playwright-core drives it through
# executablePath). Idempotent: does nothing when /usr/bin/chromium is already there.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
log() { printf '[install-chromium] %s\n' "$*"; }

if [ -x "$CHROMIUM" ]; then
  log "chromium present: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  log "apt-get not found: install chromium so that $CHROMIUM exists, then re-run" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    log "must run as root (or with sudo available) to apt-get install chromium" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists only when chromium is not known yet (fresh image, empty lists).
if ! apt-cache show chromium >/dev/null 2>&1; then
  log "apt-get update"
  $SUDO apt-get update -q
fi

log "apt-get install -y chromium"
$SUDO apt-get install -y -q --no-install-recommends chromium fonts-liberation

if [ ! -x "$CHROMIUM" ]; then
  log "installation finished but $CHROMIUM is missing" >&2
  exit 1
fi
log "installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
