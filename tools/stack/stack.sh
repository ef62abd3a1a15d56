#!/usr/bin/env bash
# Local servers for Lapse without Docker: PostgreSQL, Kafka (KRaft), the
# Temporal dev server + UI (or, with LAPSE_TEMPORAL_MODE=server, the Temporal
# server proper on PostgreSQL), and the Temporal time-skipping test server.
# Usage: stack.sh install|up|down|status|env [postgres|kafka|temporal|test-server|temporal-server]...
set -euo pipefail

STACK_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
. "$STACK_DIR/lib/common.sh"
# shellcheck source=lib/postgres.sh
. "$STACK_DIR/lib/postgres.sh"
# shellcheck source=lib/kafka.sh
. "$STACK_DIR/lib/kafka.sh"
# shellcheck source=lib/temporal.sh
. "$STACK_DIR/lib/temporal.sh"
# shellcheck source=lib/temporal-server.sh
. "$STACK_DIR/lib/temporal-server.sh"
# shellcheck source=lib/test-server.sh
. "$STACK_DIR/lib/test-server.sh"

ALL=(postgres kafka temporal test-server)
EXTRA=(temporal-server) # only when named (a long go build nobody needs by default)

usage() {
  cat >&2 <<USAGE
usage: $(basename "$0") <command> [component...]
  install  build/download into \$LAPSE_CACHE (${LAPSE_CACHE}); skips what is there
  up       start servers in the background and wait until they are ready
  down     stop what up started
  status   one line per component
  env      print export lines for the apps (eval "\$($(basename "$0") env)")
components: ${ALL[*]} (default: all), ${EXTRA[*]} (install only)
LAPSE_TEMPORAL_MODE=dev|server (${LAPSE_TEMPORAL_MODE}): what the temporal component runs
USAGE
  exit 2
}

# fn COMPONENT: the function-name prefix for a component (test-server -> test_server).
fn() { echo "${1//-/_}"; }

main() {
  local cmd=${1:-} c
  [ $# -gt 0 ] && shift
  local comps=("$@")
  [ ${#comps[@]} -gt 0 ] || comps=("${ALL[@]}")
  for c in "${comps[@]}"; do
    case " ${ALL[*]} ${EXTRA[*]} " in *" $c "*) ;; *) die "unknown component: $c (known: ${ALL[*]} ${EXTRA[*]})" ;; esac
  done
  ensure_dirs
  # One stack.sh at a time per run dir (parallel test runners may all call `up`).
  if [ "$cmd" != env ] && [ "$cmd" != status ]; then
    exec 9>"$LAPSE_RUN_DIR/.lock"
    flock 9
  fi
  case "$cmd" in
    install)
      for c in "${comps[@]}"; do
        local t0=$SECONDS
        "$(fn "$c")_install"
        log "install $c: $((SECONDS - t0))s"
      done
      ;;
    up)
      local t0=$SECONDS
      # Launch everything first, then wait: the servers start in parallel.
      for c in "${comps[@]}"; do "$(fn "$c")_start"; done
      for c in "${comps[@]}"; do "$(fn "$c")_wait"; done
      log "up: all ready in $((SECONDS - t0))s"
      ;;
    down)
      local i
      for ((i = ${#comps[@]} - 1; i >= 0; i--)); do "$(fn "${comps[i]}")_stop"; done
      ;;
    status)
      for c in "${comps[@]}"; do "$(fn "$c")_status"; done
      ;;
    env)
      postgres_env
      echo "export KAFKA_BROKERS=127.0.0.1:$LAPSE_KAFKA_PORT"
      kafka_env
      echo "export TEMPORAL_ADDRESS=127.0.0.1:$LAPSE_TEMPORAL_PORT"
      echo "export TEMPORAL_NAMESPACE=default"
      temporal_tls_env
      echo "export TEMPORAL_UI_URL=http://127.0.0.1:$LAPSE_TEMPORAL_UI_PORT"
      echo "export TEMPORAL_TEST_SERVER_PATH=$TEST_SERVER_BIN"
      ;;
    *) usage ;;
  esac
}

main "$@"
