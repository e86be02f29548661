#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the workshop tests: private data directory, port and socket
# directory, run as the `postgres` user, trust authentication on localhost only.
#
#   eval "$(scripts/pg-test.sh start)"   # starts it and exports TEST_DATABASE_URL
#   python -m pytest tests/test_workshop_store.py tests/test_workshop_servers.py
#   scripts/pg-test.sh stop              # stops it and deletes its data
#
# Needs Debian's `postgresql` package (apt-get install postgresql) and root (or the postgres user).
set -euo pipefail
# Debian's newest installed server (15 on bookworm); override with PG_BIN.
BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
[ -x "$BIN/initdb" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
ROOT="${PG_TEST_DIR:-/tmp/zhoucun-pg-test}"
PORT="${PG_TEST_PORT:-55432}"
DATA="$ROOT/data"
SOCK="$ROOT/sock"

as_pg() {
  if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}

case "${1:-start}" in
  start)
    if [ ! -f "$DATA/PG_VERSION" ]; then
      mkdir -p "$ROOT" "$SOCK"
      chown postgres:postgres "$ROOT" "$SOCK" 2>/dev/null || true
      as_pg "$BIN/initdb" -D "$DATA" -U postgres -A trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! as_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
      as_pg "$BIN/pg_ctl" -D "$DATA" -l "$ROOT/server.log" -w -t 30 \
        -o "-p $PORT -k $SOCK -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
    fi
    as_pg "$BIN/psql" -h "$SOCK" -p "$PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='workshop_test'" \
      | grep -q 1 || as_pg "$BIN/createdb" -h "$SOCK" -p "$PORT" -U postgres workshop_test
    echo "export TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:$PORT/workshop_test"
    ;;
  stop)
    if [ -f "$DATA/PG_VERSION" ]; then
      as_pg "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$ROOT"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
