#!/usr/bin/env bash
# Restore from PostgreSQL at scale (tools/bench/restore_bench.cpp) against a throwaway
# PostgreSQL 15 (tests/scripts/pg.sh).
#   tools/bench/restore.sh BUILD_DIR [ROOMS=100000] [RUNS=3]
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: restore.sh BUILD_DIR [ROOMS] [RUNS]}
shift
exec "$here/tests/scripts/pg.sh" run -- sh -c '"$0" "$MUCSTREAM_TEST_PG" "$@"' "$build/tools/mucstream_restore_bench" "$@"
