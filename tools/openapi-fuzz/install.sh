#!/usr/bin/env bash
# Installs schemathesis (PyPI: the OpenAPI fuzzer that checks an API against its document) into a
# virtualenv under ~/.cache/lapse, from the pinned requirements.txt beside this script
# (tools/lib/python-venv.sh; idempotent). Prints the schemathesis command as the last line.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/python-venv.sh
. "$HERE/../lib/python-venv.sh"

VENV="$(python_venv openapi-fuzz "$HERE/requirements.txt")"
if [ ! -f "$VENV/.installed" ]; then
  "$VENV/bin/schemathesis" --version >&2
  python_venv_done openapi-fuzz "$VENV" schemathesis
fi
echo "$VENV/bin/schemathesis"
