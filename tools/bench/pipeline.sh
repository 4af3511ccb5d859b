#!/usr/bin/env bash
# End-to-end pipeline benchmark on a throwaway PostgreSQL 15:
#   tools/bench/pipeline.sh [N=300000] [RATE=10000] [SECONDS=10]
# Needs a built tree (build/ or $BUILD). Prints raw COPY rows/s, end-to-end events/s and
# their ratio, and the publish->commit lag at a steady rate.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$here/build}
bench=$build/tools/mucstream_pipeline_bench
[ -x "$bench" ] || { echo "build first: cmake --build $build --target mucstream_pipeline_bench" >&2; exit 1; }
exec "$here/tests/scripts/pg.sh" run -- bash -c '"$0" "$MUCSTREAM_TEST_PG" "$@"' "$bench" "$@"
