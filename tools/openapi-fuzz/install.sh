#!/usr/bin/env bash
# Installs schemathesis (PyPI: the OpenAPI fuzzer that checks an API against its document) into a virtualenv under
# ~/.cache/lapse, from the pinned requirements.txt beside this script. Idempotent: a venv built
# from the same requirements is reused. Prints the schemathesis command as the last line.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${LAPSE_CACHE:-$HOME/.cache/lapse}"
log() { printf '[openapi-fuzz] %s\n' "$*" >&2; }

PYTHON="${LAPSE_PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      PYTHON="$(command -v "$candidate")"
      break
    fi
  done
fi
if [ -z "$PYTHON" ]; then
  log "schemathesis needs Python >= 3.11: installing Debian's python3"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2 && apt-get install -y -q --no-install-recommends python3 python3-venv >&2
  PYTHON="$(command -v python3)"
fi

HASH="$( (cat "$HERE/requirements.txt"; "$PYTHON" -c 'import sys; print(sys.version)') | sha256sum | cut -c1-16)"
VENV="$CACHE/openapi-fuzz/$HASH"
if [ -f "$VENV/.installed" ]; then
  echo "$VENV/bin/schemathesis"
  exit 0
fi

log "creating $VENV ($("$PYTHON" --version))"
rm -rf "$VENV"
mkdir -p "$(dirname "$VENV")"
if ! "$PYTHON" -m venv "$VENV" >&2; then
  log "python venv module missing: installing Debian's python3-venv"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2 && apt-get install -y -q --no-install-recommends python3-venv >&2
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV" >&2
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
  -r "$HERE/requirements.txt" >&2
"$VENV/bin/schemathesis" --version >&2
touch "$VENV/.installed"
log "installed schemathesis $("$VENV/bin/python" -c 'from importlib.metadata import version; print(version("schemathesis"))')"
echo "$VENV/bin/schemathesis"
