#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests: a temporary data directory,
# a loopback port, trust authentication, owned by the postgres user (initdb
# refuses root). Prints the connection URL; `scripts/pg-test-cluster.sh stop
# DIR` stops and removes it.
#   scripts/pg-test-cluster.sh start DIR PORT   → postgresql://anjia@127.0.0.1:PORT/anjia
set -euo pipefail
BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
cmd=$1 dir=$2
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$cmd" in
  start)
    port=$3
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    as_pg "$BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
    as_pg "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c synchronous_commit=off -c max_connections=200" start >/dev/null
    as_pg "$BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -qAt -c "CREATE ROLE anjia LOGIN CREATEDB" -c "CREATE DATABASE anjia OWNER anjia" >/dev/null
    echo "postgresql://anjia@127.0.0.1:$port/anjia"
    ;;
  stop)
    as_pg "$BIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
esac
