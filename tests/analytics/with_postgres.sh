#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL 15 (tests/scripts/pg.sh starts it and stops
# it by PID whatever happens), migrated by the real `mucstreamd migrate` and seeded:
#
#   with_postgres.sh MUCSTREAMD SEED_SQL -- CMD ARGS…
#
# CMD sees MUCSTREAM_TEST_PG (a libpq connection string), and MUCSTREAM_TEST_PG_STOP /
# MUCSTREAM_TEST_PG_START (shell commands) for outage tests.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${MUCSTREAM_TEST_PGDATA:-}" ]; then
  exec "$here/../scripts/pg.sh" run -- "$0" "$@"
fi
mucstreamd=$1 seed=$2
shift 2
[ "${1:-}" = "--" ] && shift
"$mucstreamd" migrate --pg "$MUCSTREAM_TEST_PG" >/dev/null
psql "$MUCSTREAM_TEST_PG" -X -q -v ON_ERROR_STOP=1 -1 -f "$seed" >/dev/null
# The seed bypasses the materialiser: give its rooms the reports the materialiser would keep.
"$mucstreamd" reports --recompute --all --pg "$MUCSTREAM_TEST_PG" >/dev/null
export MUCSTREAM_TEST_PG_STOP="$MUCSTREAM_TEST_PGCTL stop $MUCSTREAM_TEST_PGDATA"
export MUCSTREAM_TEST_PG_START="$MUCSTREAM_TEST_PGCTL start $MUCSTREAM_TEST_PGDATA >/dev/null"
exec "$@"
