#!/usr/bin/env bash
# One login role per Lapse service (lapse_<schema>), for a fresh PostgreSQL: run once by the
# postgres image's /docker-entrypoint-initdb.d, or by hand against a managed server as its admin
# (PGHOST/PGUSER/... set). Passwords come from the environment (LAPSE_<SERVICE>_DB_PASSWORD, at
# least 32 characters, e.g. `openssl rand -hex 32`); the rights on each schema are granted by
# the migrations, which run as the owner (POSTGRES_USER), the only role that owns tables.
set -euo pipefail

sql=""
for service in policy access-tracking requests notifications grant-worker console; do
  role="lapse_${service//-/_}"
  var="LAPSE_$(echo "$service" | tr 'a-z-' 'A-Z_')_DB_PASSWORD"
  password=${!var:-}
  if [ "${#password}" -lt 32 ]; then
    echo "service-roles: $var must be set, at least 32 characters (openssl rand -hex 32)" >&2
    exit 1
  fi
  case $password in *"'"*) echo "service-roles: $var must not contain a quote" >&2 && exit 1 ;; esac
  sql+="SELECT 'CREATE ROLE $role' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') \\gexec
ALTER ROLE $role LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '$password';
"
done
# Through stdin: the passwords never appear in a command line.
psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-$PGUSER}" --dbname "${POSTGRES_DB:-postgres}" <<<"$sql"
