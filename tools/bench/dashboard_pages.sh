#!/usr/bin/env bash
# Dashboard page times on a database seeded by tools/bench/analytics.sh:
#   BENCH_REUSE=DIR/pg tools/bench/dashboard_pages.sh [LOADS=20] [OUT_DIR]
# (make DIR with `BENCH_KEEP=1 tools/bench/analytics.sh EVENTS`). Starts that PostgreSQL and
# `mucstreamd api` on it, then opens every dashboard page in Debian's headless Chromium
# (playwright-core, tests/browser's locked packages) LOADS times for periods of 1, 7, 30 and
# 90 days ending the day after the seeded data, and reports per page and period the time
# from the address changing to the page drawn with every answer in (p50, p95, max): the
# API's time plus the browser's. Writes OUT_DIR/dashboard-pages.md; exits non-zero when a
# page misses p95 < 100 ms (BENCH_NO_TARGET=1: report only).
# Needs a built tree (build/ or $BUILD): mucstreamd, mucctl.
set -euo pipefail
loads=${1:-20} out=${2:-}
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$here/build}
pgsh=$here/tests/scripts/pg.sh
[ -n "${BENCH_REUSE:-}" ] && [ "$(basename "$BENCH_REUSE")" = pg ] \
  || { echo "BENCH_REUSE must be a kept .../pg directory (BENCH_KEEP=1 tools/bench/analytics.sh)" >&2; exit 2; }
for b in tools/mucstreamd tools/mucctl; do
  [ -x "$build/$b" ] || { echo "build first: cmake --build $build --target $(basename $b)" >&2; exit 1; }
done
chromium=${CHROMIUM:-/usr/bin/chromium}
node_dir=$build/tests/browser/node
if [ ! -d "$node_dir/node_modules/playwright-core" ]; then
  mkdir -p "$node_dir"
  cp "$here/tests/browser/package.json" "$here/tests/browser/package-lock.json" "$node_dir/"
  (cd "$node_dir" && timeout 300 npm ci --no-audit --no-fund --loglevel=error)
fi
work=$(dirname "$BENCH_REUSE")
[ -n "$out" ] || out=$work/out
mkdir -p "$out"
api_pid=
cleanup() {
  [ -n "$api_pid" ] && kill -TERM "$api_pid" 2>/dev/null && wait "$api_pid" 2>/dev/null || true
  "$pgsh" stop "$BENCH_REUSE" || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pg=$("$pgsh" start "$BENCH_REUSE")
"$build/tools/mucstreamd" migrate --pg "$pg" >/dev/null 2>&1 || { echo "migrate failed" >&2; exit 1; }
# The day after the last seeded room: every period ends there, so each holds data.
end=$(psql "$pg" -XAtc "SELECT to_char(date_trunc('day', max(created)) + interval '1 day', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM rooms")
secret=bench-dashboard-secret-0123456789abcdef
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$build/tools/mucstreamd" api --pg "$pg" --jwt-secret "$secret" --http-listen "127.0.0.1:$port" >"$work/dashboard-api.log" 2>&1 &
api_pid=$!
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
token=$(MUCSTREAM_JWT_SECRET=$secret "$build/tools/mucctl" token create --role analyst --ttl 2h)
events=$(psql "$pg" -XAtc "SELECT count(*) FROM events")
echo "API on port $port over $events events; periods end $end; $loads loads per page and period" >&2
[ -n "${BENCH_NO_TARGET:-}" ] && export NO_TARGET=1
NODE_DIR=$node_dir CHROMIUM=$chromium API_URL=http://127.0.0.1:$port ANALYST_TOKEN=$token END=$end LOADS=$loads \
  EVENTS=$events OUT=$out/dashboard-pages.md node "$here/tools/bench/dashboard_pages.mjs"
