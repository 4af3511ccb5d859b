#!/usr/bin/env bash
# Runs a benchmark program of the build against a throwaway PostgreSQL 15 (tests/scripts/pg.sh
# starts it and stops it by PID), with its connection string as the first argument:
#   tools/bench/with_pg.sh PROGRAM [ARGS...]     PROGRAM: its name in the build's tools/
# The build is build/ or $BUILD.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$here/build}
bench=$build/tools/$1
shift
[ -x "$bench" ] || { echo "build first: cmake --build $build --target $(basename "$bench")" >&2; exit 1; }
exec "$here/tests/scripts/pg.sh" run -- bash -c '"$0" "$MUCSTREAM_TEST_PG" "$@"' "$bench" "$@"
