# shellcheck shell=bash
# The Temporal server proper (go.temporal.io/server) on the stack's PostgreSQL,
# with its SQL schema tool and the standalone Web UI server, all by `go install`.
# Component `temporal-server` only installs them; LAPSE_TEMPORAL_MODE=server makes
# the `temporal` component (lib/temporal.sh) run them instead of the dev server.

TEMPORAL_SERVER_VERSION=v1.29.1 # the server the CLI v1.5.1 embeds; its go.mod has no `replace`
TEMPORAL_UI_VERSION=v2.42.1     # github.com/temporalio/ui-server/v2, the UI the CLI v1.5.1 embeds
LAPSE_TEMPORAL_SHARDS=${LAPSE_TEMPORAL_SHARDS:-4}
TEMPORAL_SERVER_BIN=$LAPSE_BIN/temporal-server
TEMPORAL_SQL_TOOL=$LAPSE_BIN/temporal-sql-tool
TEMPORAL_UI_BIN=$LAPSE_BIN/temporal-ui-server
TEMPORAL_PG_CONF=$LAPSE_RUN_DIR/temporal-server # generated on each start: lapse.yaml, dynamicconfig.yaml, ui/
# Where server mode keeps its state: postgres (the stack's, durable) or sqlite (in memory).
LAPSE_TEMPORAL_STORE=${LAPSE_TEMPORAL_STORE:-postgres}
# off, or mtls: internode and frontend TLS, every client with a certificate from the stack's CA.
LAPSE_TEMPORAL_TLS=${LAPSE_TEMPORAL_TLS:-off}
# The frontend's certificate and key, and the Lapse client certificate (made once, 0600).
TEMPORAL_TLS_DIR=${LAPSE_TEMPORAL_TLS_DIR:-$LAPSE_CACHE/temporal/tls}

case $LAPSE_TEMPORAL_STORE in
  postgres | sqlite) ;;
  *) die "LAPSE_TEMPORAL_STORE must be postgres or sqlite, not '$LAPSE_TEMPORAL_STORE'" ;;
esac
case $LAPSE_TEMPORAL_TLS in
  off | mtls) ;;
  *) die "LAPSE_TEMPORAL_TLS must be off or mtls, not '$LAPSE_TEMPORAL_TLS'" ;;
esac

# built_from BIN MODULE VERSION: BIN was built by go install from MODULE@VERSION.
built_from() {
  [ -x "$1" ] && go version -m "$1" 2>/dev/null |
    grep -qE "^[[:space:]]*mod[[:space:]]+$2[[:space:]]+$3([[:space:]]|$)"
}

# go_install_as DESC LOG PKG@VERSION=NAME...: go install into a scratch GOBIN (the
# server and the UI are both `cmd/server`), then move each binary to $LAPSE_BIN/NAME.
go_install_as() {
  local desc=$1 logfile=$2 gobin=$LAPSE_CACHE/gobin.tmp spec pkgs=()
  shift 2
  for spec in "$@"; do pkgs+=("${spec%=*}"); done
  rm -rf "$gobin"
  GOBIN=$gobin GOTOOLCHAIN=local run_logged "$desc" "$logfile" go install -v "${pkgs[@]}"
  for spec in "$@"; do
    spec=${spec%@*}=${spec#*=} # PKG@VERSION=NAME -> PKG=NAME
    mv "$gobin/$(basename "${spec%=*}")" "$LAPSE_BIN/${spec#*=}"
  done
  rm -rf "$gobin"
}

temporal_server_install() {
  local v=$TEMPORAL_SERVER_VERSION
  if built_from "$TEMPORAL_SERVER_BIN" go.temporal.io/server "$v" &&
    built_from "$TEMPORAL_SQL_TOOL" go.temporal.io/server "$v"; then
    log "temporal server $v already installed ($TEMPORAL_SERVER_BIN, $TEMPORAL_SQL_TOOL)"
  else
    log "building temporal server + sql tool $v (go install, takes a few minutes)..."
    go_install_as "go install temporal server" "$LAPSE_CACHE/go-install-temporal-server.log" \
      "go.temporal.io/server/cmd/server@$v=temporal-server" \
      "go.temporal.io/server/cmd/tools/sql@$v=temporal-sql-tool"
  fi
  v=$TEMPORAL_UI_VERSION
  if built_from "$TEMPORAL_UI_BIN" github.com/temporalio/ui-server/v2 "$v"; then
    log "temporal ui-server $v already installed ($TEMPORAL_UI_BIN)"
  else
    log "building temporal ui-server $v (go install)..."
    go_install_as "go install temporal ui-server" "$LAPSE_CACHE/go-install-temporal-ui.log" \
      "github.com/temporalio/ui-server/v2/cmd/server@$v=temporal-ui-server"
  fi
}

# Install-only component: LAPSE_TEMPORAL_MODE=server stack.sh up temporal runs it.
temporal_server_start() { :; }
temporal_server_wait() { :; }
temporal_server_stop() { :; }
temporal_server_status() {
  if built_from "$TEMPORAL_SERVER_BIN" go.temporal.io/server "$TEMPORAL_SERVER_VERSION" &&
    [ -x "$TEMPORAL_SQL_TOOL" ] && [ -x "$TEMPORAL_UI_BIN" ]; then
    printf '%-12s installed %s %s\n' temporal-server "$TEMPORAL_SERVER_BIN" "$TEMPORAL_SERVER_VERSION"
  else
    printf '%-12s missing  (stack.sh install temporal-server)\n' temporal-server
  fi
}

# --- LAPSE_TEMPORAL_MODE=server: the `temporal` component runs these ---------
# Ports from LAPSE_TEMPORAL_PORT (P), the server's standard layout around 7233:
# frontend P (HTTP P+10), history P+1, matching P+2, worker P+6, membership ports -300.
temporal_pg_ports() {
  local p=$LAPSE_TEMPORAL_PORT
  TPG_PORTS=(FRONTEND "$p" HTTP $((p + 10)) HISTORY $((p + 1)) MATCHING $((p + 2)) WORKER $((p + 6))
    FRONTEND_MEMBERSHIP $((p - 300)) HISTORY_MEMBERSHIP $((p - 299))
    MATCHING_MEMBERSHIP $((p - 298)) WORKER_MEMBERSHIP $((p - 294)))
}

# temporal_pg_conn: split the stack's database URL into TPG_USER/PASSWORD/HOST/PORT/DB.
temporal_pg_conn() {
  local re='^postgres(ql)?://([^:@/]+):([^@/]*)@([^:/?]+)(:([0-9]+))?/([^?]+)'
  [[ $(postgres_url) =~ $re ]] ||
    die "temporal server: cannot parse the database URL (want postgres://user:password@host[:port]/db)"
  TPG_USER=${BASH_REMATCH[2]} TPG_PASSWORD=${BASH_REMATCH[3]} TPG_HOST=${BASH_REMATCH[4]}
  TPG_PORT=${BASH_REMATCH[6]:-5432} TPG_DB=${BASH_REMATCH[7]}
}

# temporal_pg_sql DB ARGS...: the sql tool against database DB (password via env, not argv).
temporal_pg_sql() {
  local db=$1
  shift
  SQL_PLUGIN=postgres12 SQL_HOST=$TPG_HOST SQL_PORT=$TPG_PORT SQL_USER=$TPG_USER \
    SQL_PASSWORD=$TPG_PASSWORD SQL_DATABASE=$db "$TEMPORAL_SQL_TOOL" "$@"
}

# Databases temporal + temporal_visibility: create, set up, update to the schema
# version embedded in the sql tool (= the module's schema/postgresql/v12). Idempotent.
temporal_pg_schema() {
  local logfile=$LAPSE_LOG_DIR/temporal-schema.log db t0=$SECONDS
  : >"$logfile"
  for db in temporal temporal_visibility; do
    # create-database ignores an existing database (postgres12 plugin)
    { temporal_pg_sql "$db" create-database --defaultdb "$TPG_DB" &&
      temporal_pg_sql "$db" setup-schema -v 0.0 &&
      temporal_pg_sql "$db" update-schema --schema-name "postgresql/v12/${db#temporal_}"; } >>"$logfile" 2>&1 ||
      { tail -n 20 "$logfile" >&2; die "temporal server: set-up of database $db failed (postgres up?); see $logfile"; }
  done
  log "temporal server: databases temporal, temporal_visibility on $TPG_HOST:$TPG_PORT up to date ($((SECONDS - t0))s)"
}

# temporal_tls_certs: the frontend's certificate (CN=temporal-frontend, IP 127.0.0.1, also
# its internode and system-worker identity) and the Lapse services' client certificate
# (CN=lapse-services), both from the stack's CA (the one Kafka's certificates come from).
temporal_tls_certs() {
  local d=$TEMPORAL_TLS_DIR ca=$KAFKA_SECRETS/tls name cn
  kafka_tls # the CA, made once
  mkdir -p "$d" && chmod 700 "$d"
  for name in server client; do
    [ "$(cat "$d/.ca" 2>/dev/null)" = "$(stamp_of "$ca/ca.crt")" ] || rm -f "$d/$name.crt"
    [ -s "$d/$name.crt" ] && continue
    cn=temporal-frontend && [ $name = client ] && cn=lapse-services
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$cn" -keyout "$d/$name.key" -out "$d/$name.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n' >"$d/$name.ext"
    openssl x509 -req -days 825 -in "$d/$name.csr" -CA "$ca/ca.crt" -CAkey "$ca/ca.key" \
      -CAcreateserial -extfile "$d/$name.ext" -out "$d/$name.crt" 2>/dev/null
    rm -f "$d/$name.csr" "$d/$name.ext"
  done
  stamp_of "$ca/ca.crt" >"$d/.ca"
  chmod 600 "$d"/*
}

# temporal_tls_flags: the CLI's TLS flags for the set-up and health checks (as the client).
temporal_tls_flags() {
  [ "$LAPSE_TEMPORAL_TLS" = mtls ] || return 0
  echo "--tls-ca-path $KAFKA_SECRETS/tls/ca.crt --tls-cert-path $TEMPORAL_TLS_DIR/client.crt --tls-key-path $TEMPORAL_TLS_DIR/client.key"
}

# temporal_tls_env: what the services need to reach an mTLS server (stack.sh env).
temporal_tls_env() {
  [ "$LAPSE_TEMPORAL_MODE" = server ] && [ "$LAPSE_TEMPORAL_TLS" = mtls ] || return 0
  echo "export TEMPORAL_TLS_SERVER_CA_CERT_PATH=$KAFKA_SECRETS/tls/ca.crt"
  echo "export TEMPORAL_TLS_CLIENT_CERT_PATH=$TEMPORAL_TLS_DIR/client.crt"
  echo "export TEMPORAL_TLS_CLIENT_KEY_PATH=$TEMPORAL_TLS_DIR/client.key"
}

# temporal_pg_include FILE: FILE with each line `@NAME@` replaced by templates/temporal-<part>.yaml.
temporal_pg_include() {
  local persistence=$STACK_DIR/templates/temporal-persistence-$LAPSE_TEMPORAL_STORE.yaml tls=/dev/null
  [ "$LAPSE_TEMPORAL_TLS" = mtls ] && tls=$STACK_DIR/templates/temporal-tls.yaml
  awk -v p="$persistence" -v t="$tls" '
    /^@PERSISTENCE@$/ { while ((getline l < p) > 0) print l; next }
    /^@TLS@$/ { while ((getline l < t) > 0) print l; next }
    { print }' "$1"
}

# temporal_pg_render TEMPLATE OUT: fill in the @...@ placeholders.
temporal_pg_render() {
  local args=() i
  for ((i = 0; i < ${#TPG_PORTS[@]}; i += 2)); do
    args+=(-e "s|@${TPG_PORTS[i]}_PORT@|${TPG_PORTS[i + 1]}|g")
  done
  temporal_pg_include "$1" |
    sed "${args[@]}" -e "s|@SHARDS@|$LAPSE_TEMPORAL_SHARDS|g" -e "s|@PG_ADDR@|${TPG_HOST:-}:${TPG_PORT:-}|g" \
      -e "s|@PG_USER@|${TPG_USER:-}|g" -e "s|@PG_PASSWORD@|${TPG_PASSWORD:-}|g" \
      -e "s|@CONF_DIR@|$TEMPORAL_PG_CONF|g" -e "s|@UI_PORT@|$LAPSE_TEMPORAL_UI_PORT|g" \
      -e "s|@TLS_DIR@|$TEMPORAL_TLS_DIR|g" -e "s|@CA_FILE@|$KAFKA_SECRETS/tls/ca.crt|g" >"$2"
  if [ "$LAPSE_TEMPORAL_TLS" = mtls ] && [[ $1 == *temporal-ui.yaml ]]; then
    printf 'tls:\n  caFile: %s\n  certFile: %s\n  keyFile: %s\n  serverName: localhost\n' \
      "$KAFKA_SECRETS/tls/ca.crt" "$TEMPORAL_TLS_DIR/client.crt" "$TEMPORAL_TLS_DIR/client.key" >>"$2"
  fi
}

temporal_pg_start() {
  built_from "$TEMPORAL_SERVER_BIN" go.temporal.io/server "$TEMPORAL_SERVER_VERSION" ||
    die "temporal server $TEMPORAL_SERVER_VERSION not installed; run: stack.sh install temporal-server"
  [ -x "$TEMPORAL_BIN" ] || die "temporal CLI not installed; run: stack.sh install temporal"
  if running temporal "$TEMPORAL_SERVER_BIN"; then
    log "temporal server already running (pid $(pid_of temporal))"
    return 0
  fi
  temporal_pg_ports
  local i
  for ((i = 0; i < ${#TPG_PORTS[@]}; i += 2)); do
    check_port_free "temporal-${TPG_PORTS[i],,}" 127.0.0.1 "${TPG_PORTS[i + 1]}"
  done
  running temporal-ui "$TEMPORAL_UI_BIN" || check_port_free temporal-ui 127.0.0.1 "$LAPSE_TEMPORAL_UI_PORT"
  if [ "$LAPSE_TEMPORAL_STORE" = postgres ]; then
    temporal_pg_conn # fails early on a URL it cannot use
  fi
  # Launched by temporal_pg_wait: the schema step needs postgres_wait's role and database.
}

temporal_pg_launch() {
  if [ "$LAPSE_TEMPORAL_STORE" = postgres ]; then temporal_pg_schema; fi
  if [ "$LAPSE_TEMPORAL_TLS" = mtls ]; then temporal_tls_certs; fi
  mkdir -p "$TEMPORAL_PG_CONF/ui"
  chmod 0700 "$TEMPORAL_PG_CONF" # holds the database password
  temporal_pg_render "$STACK_DIR/templates/temporal-server.yaml" "$TEMPORAL_PG_CONF/lapse.yaml"
  temporal_pg_render "$STACK_DIR/templates/temporal-ui.yaml" "$TEMPORAL_PG_CONF/ui/lapse.yaml"
  cp "$STACK_DIR/templates/temporal-dynamicconfig.yaml" "$TEMPORAL_PG_CONF/dynamicconfig.yaml"
  log "starting temporal server $TEMPORAL_SERVER_VERSION on 127.0.0.1:$LAPSE_TEMPORAL_PORT" \
    "($LAPSE_TEMPORAL_STORE, TLS $LAPSE_TEMPORAL_TLS), UI :$LAPSE_TEMPORAL_UI_PORT..."
  start_bg temporal "$LAPSE_LOG_DIR/temporal.log" \
    "$TEMPORAL_SERVER_BIN" --root "$TEMPORAL_PG_CONF" --config . --env lapse --allow-no-auth start
  running temporal-ui "$TEMPORAL_UI_BIN" ||
    start_bg temporal-ui "$LAPSE_LOG_DIR/temporal-ui.log" \
      "$TEMPORAL_UI_BIN" --root "$TEMPORAL_PG_CONF/ui" --config . --env lapse start
}

# temporal_pg_ready: the frontend serves, namespace `default` and the search
# attributes exist (created on the first pass), and a query using them validates.
temporal_pg_ready() {
  local cli=("$TEMPORAL_BIN" --address "127.0.0.1:$LAPSE_TEMPORAL_PORT") have a missing=()
  # shellcheck disable=SC2207 # paths without spaces
  cli+=($(temporal_tls_flags))
  "${cli[@]}" operator cluster health | grep -q SERVING || return 1
  "${cli[@]}" operator namespace describe -n default >/dev/null 2>&1 ||
    "${cli[@]}" operator namespace create -n default || return 1
  have=$("${cli[@]}" operator search-attribute list -n default) || return 1
  for a in "${TEMPORAL_SEARCH_ATTRIBUTES[@]}"; do grep -qw "$a" <<<"$have" || missing+=(--name "$a"); done
  if [ ${#missing[@]} -gt 0 ]; then
    "${cli[@]}" operator search-attribute create -n default --type Keyword "${missing[@]}" || return 1
  fi
  local q=""
  for a in "${TEMPORAL_SEARCH_ATTRIBUTES[@]}"; do q+="${q:+ AND }$a = ''"; done
  "${cli[@]}" workflow list -n default --limit 1 --query "$q"
}

temporal_pg_wait() {
  if ! running temporal "$TEMPORAL_SERVER_BIN"; then
    if [ "$LAPSE_TEMPORAL_STORE" = postgres ]; then
      temporal_pg_conn
      port_open "$TPG_HOST" "$TPG_PORT" || die "temporal server: postgres $TPG_HOST:$TPG_PORT not reachable"
    fi
    temporal_pg_launch
  fi
  wait_ready temporal "$LAPSE_LOG_DIR/temporal.log" temporal_pg_ready
  wait_ready temporal-ui "$LAPSE_LOG_DIR/temporal-ui.log" \
    curl -fsS -o /dev/null "http://127.0.0.1:$LAPSE_TEMPORAL_UI_PORT/"
  # The shard count persisted at creation wins; the server only logs a warning.
  if awk '/^===== .* starting temporal =====$/ {n = 0} {l[n++] = $0} END {for (i = 0; i < n; i++) print l[i]}' \
    "$LAPSE_LOG_DIR/temporal.log" | grep -q 'persistence.numHistoryShards'; then
    log "WARNING: the cluster in postgres was created with another shard count; LAPSE_TEMPORAL_SHARDS=$LAPSE_TEMPORAL_SHARDS is ignored (see README)"
  fi
  log "temporal server ready: 127.0.0.1:$LAPSE_TEMPORAL_PORT, UI http://127.0.0.1:$LAPSE_TEMPORAL_UI_PORT"
}
