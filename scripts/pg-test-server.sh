#!/usr/bin/env bash
# Start (or reuse) a throw-away PostgreSQL for flexpolicy's case-book tests and print its URL.
#
# Why a script: CI and developers need the same server the same way, and running it twice must
# be harmless.  Debian 12, as root.  The cluster listens on 127.0.0.1:54329 only, so it never
# collides with a system PostgreSQL on 5432 and is never reachable from outside the machine.
#
#   export FLEXPOLICY_TEST_PG_URL="$(sudo scripts/pg-test-server.sh)"
#
# Everything but the URL goes to stderr, so the command substitution above stays clean.
set -euo pipefail

PORT=54329
CLUSTER=flexpolicy
ROLE=flexpolicy
PASSWORD=flexpolicy
DATABASE=flexpolicy_test

log() { echo "pg-test-server: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
    log "must run as root (it may install packages and manage a cluster)"
    exit 1
fi

# 1. Binaries: install PostgreSQL only when the Debian cluster tools or the server are missing.
if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    log "installing postgresql"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
fi
VERSION="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"

# 2. Cluster: create once, then only start it if it is down.
if ! pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1 == v && $2 == c {f=1} END {exit !f}'; then
    log "creating cluster $VERSION/$CLUSTER on port $PORT"
    pg_createcluster "$VERSION" "$CLUSTER" -p "$PORT" >&2
fi
# Written on every run (idempotent), so a cluster left half-made by an interrupted earlier run
# is repaired rather than trusted.  A conf.d file is read after postgresql.conf, so it wins.
CONF_DIR="/etc/postgresql/$VERSION/$CLUSTER"
pg_conftool "$VERSION" "$CLUSTER" remove listen_addresses >/dev/null 2>&1 || true
mkdir -p "$CONF_DIR/conf.d"
printf "listen_addresses = '127.0.0.1'\nport = %s\n" "$PORT" >"$CONF_DIR/conf.d/flexpolicy.conf"
if ! pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1 == v && $2 == c && $4 == "online" {f=1} END {exit !f}'; then
    log "starting cluster $VERSION/$CLUSTER"
    pg_ctlcluster "$VERSION" "$CLUSTER" start >&2
fi

# 3. Role and database, each created only when missing.
psql_admin() { runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PORT" "$@"; }
for _ in $(seq 1 30); do
    psql_admin -d postgres -tAc 'SELECT 1' >/dev/null 2>&1 && break
    sleep 0.5
done
if [ "$(psql_admin -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != 1 ]; then
    log "creating role $ROLE"
    psql_admin -d postgres -c "CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD'" >&2
fi
if [ "$(psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" != 1 ]; then
    log "creating database $DATABASE"
    psql_admin -d postgres -c "CREATE DATABASE $DATABASE OWNER $ROLE" >&2
fi

echo "postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DATABASE"
