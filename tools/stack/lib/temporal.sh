# shellcheck shell=bash
# Temporal CLI (dev server + Web UI), built with `go install`. With
# LAPSE_TEMPORAL_MODE=server the component runs the server proper on PostgreSQL
# instead (lib/temporal-server.sh); the CLI is still needed to set it up.

TEMPORAL_CLI_VERSION=v1.5.1 # later tags carry a `replace` that breaks go install
LAPSE_TEMPORAL_MODE=${LAPSE_TEMPORAL_MODE:-dev} # dev: CLI dev server (SQLite); server: the server proper on PostgreSQL
LAPSE_TEMPORAL_PORT=${LAPSE_TEMPORAL_PORT:-7233}
LAPSE_TEMPORAL_UI_PORT=${LAPSE_TEMPORAL_UI_PORT:-8233}
TEMPORAL_BIN=$LAPSE_BIN/temporal
TEMPORAL_DB=${LAPSE_TEMPORAL_DB:-$LAPSE_CACHE/temporal/temporal.db}
TEMPORAL_SEARCH_ATTRIBUTES=(LapseUserId LapseResourceId LapseGrantState)

case $LAPSE_TEMPORAL_MODE in
  dev | server) ;;
  *) die "LAPSE_TEMPORAL_MODE must be dev or server, not '$LAPSE_TEMPORAL_MODE'" ;;
esac

temporal_install() {
  temporal_cli_install
  if [ "$LAPSE_TEMPORAL_MODE" = server ]; then temporal_server_install; fi
}

temporal_cli_install() {
  # `temporal --version` says 0.0.0-DEV when built by go install; ask the binary's build info.
  if [ -x "$TEMPORAL_BIN" ] && go version -m "$TEMPORAL_BIN" 2>/dev/null |
    grep -q "mod[[:space:]]*github.com/temporalio/cli[[:space:]]*${TEMPORAL_CLI_VERSION}"; then
    log "temporal CLI ${TEMPORAL_CLI_VERSION} already installed ($TEMPORAL_BIN)"
    return 0
  fi
  log "building temporal CLI ${TEMPORAL_CLI_VERSION} (go install, takes a few minutes)..."
  GOBIN=$LAPSE_BIN GOTOOLCHAIN=local run_logged "go install temporal CLI" "$LAPSE_CACHE/go-install.log" \
    go install -v "github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}"
  "$TEMPORAL_BIN" --version >&2
}

temporal_cluster_ready() {
  "$TEMPORAL_BIN" operator cluster health --address "127.0.0.1:$LAPSE_TEMPORAL_PORT" | grep -q SERVING &&
    "$TEMPORAL_BIN" operator search-attribute list --address "127.0.0.1:$LAPSE_TEMPORAL_PORT" \
      --namespace default | grep -q "${TEMPORAL_SEARCH_ATTRIBUTES[-1]}" &&
    curl -fsS -o /dev/null "http://127.0.0.1:$LAPSE_TEMPORAL_UI_PORT/"
}

temporal_start() {
  local other="$TEMPORAL_SERVER_BIN"
  [ "$LAPSE_TEMPORAL_MODE" = dev ] || other="server start-dev"
  if running temporal "$other"; then
    die "temporal runs in the other mode (pid $(pid_of temporal)); run \`stack.sh down temporal\` before switching LAPSE_TEMPORAL_MODE"
  fi
  if [ "$LAPSE_TEMPORAL_MODE" = server ]; then temporal_pg_start; else temporal_dev_start; fi
}
temporal_wait() { if [ "$LAPSE_TEMPORAL_MODE" = server ]; then temporal_pg_wait; else temporal_dev_wait; fi; }

temporal_dev_start() {
  [ -x "$TEMPORAL_BIN" ] || die "temporal CLI not installed; run: stack.sh install temporal"
  if running temporal "server start-dev"; then
    log "temporal already running (pid $(pid_of temporal))"
    return 0
  fi
  check_port_free temporal 127.0.0.1 "$LAPSE_TEMPORAL_PORT"
  check_port_free temporal-ui 127.0.0.1 "$LAPSE_TEMPORAL_UI_PORT"
  mkdir -p "$(dirname "$TEMPORAL_DB")"
  local sa=() a
  for a in "${TEMPORAL_SEARCH_ATTRIBUTES[@]}"; do sa+=(--search-attribute "$a=Keyword"); done
  log "starting temporal dev server on 127.0.0.1:$LAPSE_TEMPORAL_PORT (UI :$LAPSE_TEMPORAL_UI_PORT)..."
  start_bg temporal "$LAPSE_LOG_DIR/temporal.log" \
    "$TEMPORAL_BIN" server start-dev --ip 127.0.0.1 \
      --port "$LAPSE_TEMPORAL_PORT" --ui-port "$LAPSE_TEMPORAL_UI_PORT" \
      --db-filename "$TEMPORAL_DB" --namespace default "${sa[@]}" --log-format json
}

temporal_dev_wait() {
  wait_ready temporal "$LAPSE_LOG_DIR/temporal.log" temporal_cluster_ready
  log "temporal ready: 127.0.0.1:$LAPSE_TEMPORAL_PORT, UI http://127.0.0.1:$LAPSE_TEMPORAL_UI_PORT"
}

# Whichever mode is running (one pid file), and the UI server of server mode.
temporal_stop() {
  stop_bg temporal-ui TERM
  stop_bg temporal TERM
}

temporal_status() { # the mode that runs, else the one LAPSE_TEMPORAL_MODE asks for
  if running temporal "$TEMPORAL_SERVER_BIN" ||
    { [ "$LAPSE_TEMPORAL_MODE" = server ] && ! running temporal "server start-dev"; }; then
    status_line temporal "$TEMPORAL_SERVER_BIN" "$LAPSE_TEMPORAL_PORT (server mode)"
    status_line temporal-ui "$TEMPORAL_UI_BIN" "$LAPSE_TEMPORAL_UI_PORT"
  else
    status_line temporal "server start-dev" "$LAPSE_TEMPORAL_PORT,$LAPSE_TEMPORAL_UI_PORT"
  fi
}
