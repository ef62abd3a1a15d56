# shellcheck shell=bash
# PostgreSQL from Debian's package, run as the `postgres` OS user on a data
# dir in the cache. Skipped entirely when DATABASE_URL names another server.

LAPSE_PG_PORT=${LAPSE_PG_PORT:-5432}
LAPSE_PG_DATA=${LAPSE_PG_DATA:-$LAPSE_CACHE/pgdata}
PG_SOCKET_DIR=$LAPSE_RUN_DIR/pgsocket

PG_LOCAL_URL=postgres://lapse:lapse@127.0.0.1:$LAPSE_PG_PORT/lapse
# DATABASE_URL names another server (our own URL, e.g. after `eval "$(stack.sh env)"`, does not count).
pg_external() { [ -n "${DATABASE_URL:-}" ] && [ "$DATABASE_URL" != "$PG_LOCAL_URL" ]; }
pg_bindir() {
  local b
  b=$(find /usr/lib/postgresql/*/bin/postgres -maxdepth 0 2>/dev/null | sort -V | tail -n 1)
  [ -n "$b" ] && dirname "$b"
}
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; }

postgres_install() {
  if pg_external; then log "postgres: DATABASE_URL is set, using that server"; return 0; fi
  if pg_bindir >/dev/null; then
    log "postgres already installed ($(pg_bindir))"
    return 0
  fi
  if ! apt-cache policy postgresql 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    log "apt-get update..."
    run_logged "apt-get update" "$LAPSE_CACHE/apt.log" apt-get update
  fi
  log "installing postgresql (apt-get)..."
  DEBIAN_FRONTEND=noninteractive run_logged "apt-get install postgresql" "$LAPSE_CACHE/apt.log" \
    apt-get install -y --no-install-recommends postgresql
}

# The postgres user must be able to reach its data dir, e.g. under /root (0700).
pg_grant_traverse() {
  local d=$1
  while [ "$d" != / ]; do
    d=$(dirname "$d")
    if ! as_postgres test -x "$d"; then
      log "  chmod o+x $d (so the postgres user can reach $LAPSE_PG_DATA)"
      chmod o+x "$d"
    fi
  done
}

pg_psql() { as_postgres "$PG_BIN/psql" -h "$PG_SOCKET_DIR" -p "$LAPSE_PG_PORT" -U postgres -qAt -v ON_ERROR_STOP=1 "$@"; }

postgres_start() {
  pg_external && return 0
  PG_BIN=$(pg_bindir) || die "postgres not installed; run: stack.sh install postgres"
  if running postgres "$PG_BIN/postgres"; then
    log "postgres already running (pid $(pid_of postgres))"
    return 0
  fi
  check_port_free postgres 127.0.0.1 "$LAPSE_PG_PORT"
  mkdir -p "$LAPSE_PG_DATA" "$PG_SOCKET_DIR"
  chown postgres:postgres "$LAPSE_PG_DATA" "$PG_SOCKET_DIR"
  chmod 0700 "$LAPSE_PG_DATA"
  pg_grant_traverse "$LAPSE_PG_DATA"
  pg_grant_traverse "$PG_SOCKET_DIR"
  if [ ! -f "$LAPSE_PG_DATA/PG_VERSION" ]; then
    log "initdb $LAPSE_PG_DATA..."
    runuser -u postgres -- "$PG_BIN/initdb" -D "$LAPSE_PG_DATA" -U postgres -E UTF8 --no-locale \
      --auth-local=peer --auth-host=scram-sha-256 >"$LAPSE_LOG_DIR/initdb.log" 2>&1 ||
      die "initdb failed; see $LAPSE_LOG_DIR/initdb.log"
  fi
  log "starting postgres on 127.0.0.1:$LAPSE_PG_PORT..."
  start_bg postgres "$LAPSE_LOG_DIR/postgres.log" \
    setpriv --reuid=postgres --regid=postgres --init-groups -- \
      "$PG_BIN/postgres" -D "$LAPSE_PG_DATA" -c listen_addresses=127.0.0.1 -c port="$LAPSE_PG_PORT" \
      -c unix_socket_directories="$PG_SOCKET_DIR" -c max_connections=200
}

postgres_wait() {
  pg_external && return 0
  PG_BIN=$(pg_bindir)
  wait_ready postgres "$LAPSE_LOG_DIR/postgres.log" \
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$LAPSE_PG_PORT"
  # Role and database `lapse` (idempotent).
  pg_psql -c "DO \$\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lapse') THEN
        CREATE ROLE lapse LOGIN CREATEDB PASSWORD 'lapse';
      END IF; END \$\$;"
  # Test suites drop their databases WITH (FORCE), which must be able to end an autovacuum
  # worker that happens to be in that database (it runs as no role a plain user belongs to).
  pg_psql -c "DO \$\$ BEGIN
      IF NOT pg_has_role('lapse', 'pg_signal_backend', 'MEMBER') THEN
        GRANT pg_signal_backend TO lapse;
      END IF; END \$\$;"
  if [ -z "$(pg_psql -c "SELECT 1 FROM pg_database WHERE datname = 'lapse'")" ]; then
    pg_psql -c "CREATE DATABASE lapse OWNER lapse"
  fi
  log "postgres ready: $(postgres_url)"
}

postgres_url() { if pg_external; then echo "$DATABASE_URL"; else echo "$PG_LOCAL_URL"; fi; }
postgres_env() { echo "export DATABASE_URL=$(postgres_url)"; }

postgres_stop() {
  pg_external && return 0
  stop_bg postgres INT # SIGINT = fast shutdown (SIGTERM would wait for clients)
}

postgres_status() {
  if pg_external; then
    printf '%-12s external (DATABASE_URL)\n' postgres
  else
    status_line postgres /bin/postgres "$LAPSE_PG_PORT"
  fi
}
