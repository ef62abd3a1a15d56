# shellcheck shell=bash
# Temporal CLI (dev server + Web UI), built with `go install`.

TEMPORAL_CLI_VERSION=v1.5.1 # later tags carry a `replace` that breaks go install
LAPSE_TEMPORAL_PORT=${LAPSE_TEMPORAL_PORT:-7233}
LAPSE_TEMPORAL_UI_PORT=${LAPSE_TEMPORAL_UI_PORT:-8233}
TEMPORAL_BIN=$LAPSE_BIN/temporal
TEMPORAL_DB=${LAPSE_TEMPORAL_DB:-$LAPSE_CACHE/temporal/temporal.db}
TEMPORAL_SEARCH_ATTRIBUTES=(LapseUserId LapseResourceId LapseGrantState)

temporal_install() {
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

temporal_wait() {
  wait_ready temporal "$LAPSE_LOG_DIR/temporal.log" temporal_cluster_ready
  log "temporal ready: 127.0.0.1:$LAPSE_TEMPORAL_PORT, UI http://127.0.0.1:$LAPSE_TEMPORAL_UI_PORT"
}

temporal_stop() { stop_bg temporal TERM; }
temporal_status() { status_line temporal "server start-dev" "$LAPSE_TEMPORAL_PORT,$LAPSE_TEMPORAL_UI_PORT"; }
