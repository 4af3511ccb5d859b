#!/usr/bin/env bash
# Room archive paging benchmark on a throwaway PostgreSQL 15:
#   tools/bench/archive.sh [MESSAGES=1000000] [ROUNDS=300]
# Starts PostgreSQL (tests/scripts/pg.sh) on a temporary directory, then
# mucstream_archive_bench migrates it, seeds MESSAGES archived messages in one room by COPY
# (and a quarter as many in another room, interleaved), and prints p50/p95 of archive pages
# (newest, middle, forward, "everything after X") against a primary-key lookup, and the
# plan of a middle page. Exits non-zero when a page misses p95 < 20 ms
# (ARCHIVE_BENCH_NO_TARGET=1: report only). Needs a built tree (build/ or $BUILD).
set -euo pipefail
messages=${1:-1000000} rounds=${2:-300}
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$here/build}
bench=$build/tools/mucstream_archive_bench
[ -x "$bench" ] || { echo "build first: cmake --build $build --target mucstream_archive_bench" >&2; exit 1; }
pgsh=$here/tests/scripts/pg.sh
work=$(mktemp -d /tmp/mucstream-bench-archive.XXXXXX)
chmod 755 "$work"
cleanup() { "$pgsh" stop "$work/pg" || true; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
pg=$("$pgsh" start "$work/pg")
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$bench" "$pg" "$messages" "$rounds"
