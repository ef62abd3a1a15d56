# shellcheck shell=bash
# PostgreSQL from Debian's package, run as the `postgres` OS user on a data
# dir in the cache. Skipped entirely when DATABASE_URL names another server.

LAPSE_PG_PORT=${LAPSE_PG_PORT:-5432}
LAPSE_PG_DATA=${LAPSE_PG_DATA:-$LAPSE_CACHE/pgdata}
PG_SOCKET_DIR=$LAPSE_RUN_DIR/pgsocket

# Each service logs in as its own role (lapse_<schema>), with rights on its own schema only;
# `lapse` owns every schema (the append-only audit log included) and runs the migrations.
PG_SERVICES=(policy access-tracking requests notifications grant-worker console)
# One random password per role (0600; the owner `lapse` too), made once on this machine, never
# in the repository; rotate by deleting the file and `up`.
PG_SECRETS=${LAPSE_PG_SECRETS:-$LAPSE_CACHE/postgres/secrets}
# DATABASE_URL names another server (our own owner URL, e.g. after `eval "$(stack.sh env)"`, does
# not count, whichever password it carried).
pg_external() {
  [ -n "${DATABASE_URL:-}" ] &&
    ! [[ $DATABASE_URL =~ ^postgres(ql)?://lapse:[^@]*@127\.0\.0\.1:$LAPSE_PG_PORT/lapse$ ]]
}
# pg_local_url: the owner's URL on our own server (its password made on first use).
pg_local_url() {
  pg_passwords
  echo "postgres://lapse:$(cat "$PG_SECRETS/lapse")@127.0.0.1:$LAPSE_PG_PORT/lapse"
}
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
  # Role and database `lapse` (idempotent); its password is this machine's (a data dir made
  # before it had one gets it here), through stdin so it never appears in a command line.
  pg_passwords
  pg_psql <<<"SELECT 'CREATE ROLE lapse' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lapse') \\gexec
ALTER ROLE lapse LOGIN CREATEDB PASSWORD '$(cat "$PG_SECRETS/lapse")';
"
  # Test suites drop their databases WITH (FORCE), which must be able to end an autovacuum
  # worker that happens to be in that database (it runs as no role a plain user belongs to).
  pg_psql -c "DO \$\$ BEGIN
      IF NOT pg_has_role('lapse', 'pg_signal_backend', 'MEMBER') THEN
        GRANT pg_signal_backend TO lapse;
      END IF; END \$\$;"
  if [ -z "$(pg_psql -c "SELECT 1 FROM pg_database WHERE datname = 'lapse'")" ]; then
    pg_psql -c "CREATE DATABASE lapse OWNER lapse"
  fi
  pg_service_roles
  log "postgres ready: 127.0.0.1:$LAPSE_PG_PORT, database lapse (owner lapse; passwords in $PG_SECRETS)"
}

# pg_role_of SERVICE: its database role (access-tracking -> lapse_access_tracking).
pg_role_of() { echo "lapse_${1//-/_}"; }

# pg_passwords: one random password (32 bytes, hex) per role (the owner and each service's),
# made once.
pg_passwords() {
  local f
  mkdir -p "$PG_SECRETS" && chmod 700 "$PG_SECRETS"
  for f in lapse "${PG_SERVICES[@]}"; do
    [ "$f" = lapse ] || f=$(pg_role_of "$f")
    [ -s "$PG_SECRETS/$f" ] || (umask 077 && openssl rand -hex 32 >"$PG_SECRETS/$f")
  done
}

# pg_service_roles: each service's login role, with its current password (idempotent). Plain
# login roles: no superuser, no CREATEDB/CREATEROLE, member of nothing; the rights on their
# schema are granted by the migrations (libs/db), which run as `lapse`.
pg_service_roles() {
  local s role sql=""
  pg_passwords
  for s in "${PG_SERVICES[@]}"; do
    role=$(pg_role_of "$s")
    # Through stdin, so the passwords never appear in a command line.
    sql+="SELECT 'CREATE ROLE $role' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') \\gexec
ALTER ROLE $role LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '$(cat "$PG_SECRETS/$role")';
"
  done
  pg_psql <<<"$sql"
}

postgres_url() { if pg_external; then echo "$DATABASE_URL"; else pg_local_url; fi; }
# DATABASE_URL: the owner (migrations, tools); LAPSE_<SERVICE>_DATABASE_URL: each service's own
# role (an external server's roles are the deployment's to create and hand out).
postgres_env() {
  local s role var
  echo "export DATABASE_URL=$(postgres_url)"
  pg_external && return 0
  for s in "${PG_SERVICES[@]}"; do
    role=$(pg_role_of "$s")
    var=$(echo "$s" | tr 'a-z-' 'A-Z_')
    [ -s "$PG_SECRETS/$role" ] &&
      echo "export LAPSE_${var}_DATABASE_URL=postgres://$role:$(cat "$PG_SECRETS/$role")@127.0.0.1:$LAPSE_PG_PORT/lapse"
  done
  return 0
}

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
