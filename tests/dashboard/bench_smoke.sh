#!/usr/bin/env bash
# tools/bench/analytics.sh and tools/bench/dashboard_pages.sh keep working: a 20k-event
# database from analytics.sh (kept; every endpoint timed twice), then every page timed twice
# in Chromium. Figures are
# reported, not asserted (BENCH_NO_TARGET=1): 20k rows say nothing about the target.
# Usage: bench_smoke.sh OUT_DIR (BUILD set by ctest). The kept database is removed on exit.
set -euo pipefail
out=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
kept=
cleanup() { [ -n "$kept" ] && rm -rf "$(dirname "$kept")"; true; }
trap cleanup EXIT
rm -rf "$out"; mkdir -p "$out"
BENCH_KEEP=1 BENCH_NO_TARGET=1 "$here/tools/bench/analytics.sh" 20000 2 "$out" 2>"$out/analytics.log" >/dev/null \
  || { tail -20 "$out/analytics.log"; echo "FAIL: analytics.sh" >&2; exit 1; }
# Every endpoint of analytics.sh answered for every period (its script fails on an error).
for period in 1d 7d 30d 90d; do
  for what in "summary" "P2P quality" "media usage" "overview (days)" "histograms"; do
    grep -q "^| $what, $period |" "$out/report.md" \
      || { cat "$out/report.md"; echo "FAIL: analytics.sh reported no '$what, $period'" >&2; exit 1; }
  done
done
kept=$(sed -n 's/^kept the seeded database: BENCH_REUSE=\([^ ]*\) .*/\1/p' "$out/analytics.log")
[ -d "$kept" ] || { tail -5 "$out/analytics.log"; echo "FAIL: no kept database" >&2; exit 1; }
BENCH_REUSE=$kept BENCH_NO_TARGET=1 "$here/tools/bench/dashboard_pages.sh" 2 "$out"
rows=$(grep -c '^| [a-z]' "$out/dashboard-pages.md")
# 4 period pages x 4 periods + rooms, room, session (the header row starts "| page").
[ "$rows" -eq 20 ] || { cat "$out/dashboard-pages.md"; echo "FAIL: $((rows - 1)) rows, want 19" >&2; exit 1; }
echo "PASS: every page timed; $out/dashboard-pages.md"
