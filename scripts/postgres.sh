#!/usr/bin/env bash
# Start (or stop) a throw-away PostgreSQL + PostGIS server for the test suite: run as the postgres
# user, listening only on a unix socket in a temporary folder. Prints the SQLAlchemy URL on start.
#   scripts/postgres.sh start DIR   -> prints postgresql+psycopg://postgres@/railwatch?host=DIR
#   scripts/postgres.sh stop DIR
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?data folder}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg() { if [ "$(id -un)" = postgres ]; then "$@"; else su postgres -s /bin/bash -c "$(printf '%q ' "$@")"; fi; }
case $cmd in
  start)
    mkdir -p "$dir"; chown postgres "$dir" 2>/dev/null || true; chmod 700 "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
    fi
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
      -o "-k $dir -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
    as_pg "$bin/psql" -h "$dir" -U postgres -d postgres -qtAc \
      "SELECT 1 FROM pg_database WHERE datname='railwatch'" | grep -q 1 \
      || as_pg "$bin/createdb" -h "$dir" -U postgres railwatch
    as_pg "$bin/psql" -h "$dir" -U postgres -d railwatch -qc "CREATE EXTENSION IF NOT EXISTS postgis" >/dev/null
    echo "postgresql+psycopg://postgres@/railwatch?host=$dir"
    ;;
  stop)
    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
