#!/usr/bin/env bash
# `npm run test:alerts`: the alert rules parse and fire as their unit tests say.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${LAPSE_CACHE:-$HOME/.cache/lapse}"
bash "$root/tools/prometheus/install-promtool.sh"
cd "$root/deploy/prometheus"
"$cache/bin/promtool" check rules alerts.yml
"$cache/bin/promtool" test rules alerts.test.yml
