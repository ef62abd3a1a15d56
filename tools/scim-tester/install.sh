#!/usr/bin/env bash
# Installs scim2-tester (PyPI: the SCIM RFC 7643/7644 compliance checker) into a virtualenv under
# ~/.cache/lapse, from the pinned requirements.txt beside this script (tools/lib/python-venv.sh;
# idempotent). Prints the venv's python as the last line.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/python-venv.sh
. "$HERE/../lib/python-venv.sh"

VENV="$(python_venv scim-tester "$HERE/requirements.txt")"
if [ ! -f "$VENV/.installed" ]; then
  "$VENV/bin/python" -c 'import scim2_tester, scim2_client.engines.httpx2' >&2
  python_venv_done scim-tester "$VENV" scim2-tester
fi
echo "$VENV/bin/python"
