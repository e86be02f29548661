#!/usr/bin/env bash
# One command: PostgreSQL (throwaway, unless $DATABASE_URL), migrations, N app servers and nginx under
# supervisord, health checks; prints the URL; Ctrl-C stops everything. Options: python -m deploy up --help
#   deploy/run-local.sh                 # 2 servers, http://127.0.0.1:8080/
#   deploy/run-local.sh -n 3 --port 9000 --script bench/trivial_app.py
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${PYTHON:-python3}" -m deploy up "$@"
