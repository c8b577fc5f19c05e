#!/usr/bin/env bash
# Starts a local PostgreSQL for the store tests and prints the DATABASE_URL_PG
# to export. Idempotent: installs PostgreSQL only when it is missing, reuses a
# running cluster, and creates the role and database only once.
set -euo pipefail

# Root here; elsewhere (GitHub's hosted runners) through passwordless sudo.
as_root=()
[ "$(id -u)" = 0 ] || as_root=(sudo)

if ! command -v pg_ctlcluster >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
    "${as_root[@]}" apt-get update >&2
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
fi

if command -v pg_lsclusters >/dev/null 2>&1; then
    read -r version cluster port status _ < <(pg_lsclusters --no-header | head -n 1) || true
    if [ -z "${version:-}" ]; then
        version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
        cluster=main
        "${as_root[@]}" pg_createcluster "$version" "$cluster" --port 5432 >&2
        status=down
    fi
    if [ "$status" != "online" ]; then
        "${as_root[@]}" pg_ctlcluster "$version" "$cluster" start >&2
    fi
else
    echo "pg_lsclusters not found; start PostgreSQL on 127.0.0.1:5432 yourself" >&2
    exit 1
fi

psql_as_postgres() {
    if [ "$(id -u)" = 0 ]; then
        su postgres -c "psql -p 5432 -v ON_ERROR_STOP=1 -qtAc \"$1\""
    else
        sudo -u postgres psql -p 5432 -v ON_ERROR_STOP=1 -qtAc "$1"
    fi
}

if [ "$(psql_as_postgres "SELECT 1 FROM pg_roles WHERE rolname = 'vayu'")" != 1 ]; then
    psql_as_postgres "CREATE ROLE vayu LOGIN PASSWORD 'vayu'" >&2
fi
if [ "$(psql_as_postgres "SELECT 1 FROM pg_database WHERE datname = 'vayu_test'")" != 1 ]; then
    psql_as_postgres "CREATE DATABASE vayu_test OWNER vayu" >&2
fi

echo "export DATABASE_URL_PG=postgres://vayu:vayu@127.0.0.1:5432/vayu_test"
