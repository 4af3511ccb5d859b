#!/usr/bin/env bash
# Analytics API benchmark on a throwaway PostgreSQL 15:
#   tools/bench/analytics.sh [EVENTS=10000000] [REQUESTS=200] [OUT_DIR]
#
# 1. starts PostgreSQL (tests/scripts/pg.sh) on a temporary directory, with
#    pg_stat_statements (SQL time per request) and auto_explain (the plans the API's own
#    queries get) preloaded, migrates it with the real `mucstreamd migrate`;
# 2. seeds EVENTS realistic events (tools/bench/analytics_seed.cpp: ~21k meetings over 30
#    days for 10M) with COPY into the real tables, builds the rollups from them
#    (mucstream_recompute_rollups(), as the materialiser would have kept them), then
#    VACUUM ANALYZE;
# 3. starts `mucstreamd api` and measures each endpoint (every /v1/analytics/* one over 1,
#    7, 30 and 90 days) with REQUESTS sequential keep-alive requests (2 when one takes > 2 s) (tools/bench/analytics_latency.py): p50/p95/p99, SQL time per request, the
#    ratio to GET /healthz, and one EXPLAIN (ANALYZE, BUFFERS) plan per endpoint.
# BENCH_KEEP=1 keeps the seeded database directory; BENCH_REUSE=DIR measures a kept one
# again (after `mucstreamd migrate`, so a new migration is applied to it) without seeding.
# BENCH_TENANT=DOMAIN measures with a token for that tenant (the seeded rooms are all of
# rooms.example.org), whose reads run tenant-scoped under row-level security.
# Writes OUT_DIR/report.md (default: a temporary directory, printed at the end) and
# exits non-zero when a targeted endpoint misses p95 < 100 ms (BENCH_NO_TARGET=1: report
# only, as the smoke test does — tiny data says nothing about the target).
# Needs a built tree (build/ or $BUILD): mucstreamd, mucctl, mucstream_analytics_seed.
set -euo pipefail
events=${1:-10000000} requests=${2:-200} out=${3:-}
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$here/build}
for b in tools/mucstreamd tools/mucctl tools/mucstream_analytics_seed; do
  [ -x "$build/$b" ] || { echo "build first: cmake --build $build --target $(basename $b)" >&2; exit 1; }
done
pgsh=$here/tests/scripts/pg.sh
work=$(mktemp -d /tmp/mucstream-bench-analytics.XXXXXX)
chmod 755 "$work"
[ -n "$out" ] || out=$work/out
mkdir -p "$out"
api_pid=

cleanup() {
  [ -n "$api_pid" ] && kill -TERM "$api_pid" 2>/dev/null && wait "$api_pid" 2>/dev/null || true
  "$pgsh" stop "$work/pg" || true
  if [ -n "${BENCH_KEEP:-}" ]; then
    echo "kept the seeded database: BENCH_REUSE=$work/pg $0 ... (start it: $pgsh start $work/pg)" >&2
  elif [ "${out#"$work"/}" = "$out" ]; then
    rm -rf "$work"  # the report went to OUT_DIR, outside
  else
    rm -rf "$work/pg" "$work/seed"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
t0=$SECONDS
say() { echo "[$((SECONDS - t0))s] $*" >&2; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# --- PostgreSQL ---------------------------------------------------------------------------
if [ -n "${BENCH_REUSE:-}" ]; then
  rmdir "$work" 2>/dev/null || true
  work=$(dirname "$BENCH_REUSE")
  [ "$(basename "$BENCH_REUSE")" = pg ] || { echo "BENCH_REUSE must be the kept .../pg directory" >&2; exit 2; }
  [ -n "$out" ] && [ "$out" != "$work/out" ] || out=$work/out
  mkdir -p "$out"
  BENCH_KEEP=1
  pg=$("$pgsh" start "$work/pg")
  s=$SECONDS
  "$build/tools/mucstreamd" migrate --pg "$pg" >/dev/null 2>&1 || { echo "migrate failed" >&2; exit 1; }
  psql "$pg" -Xq -c "ANALYZE" >/dev/null
  say "reusing $work/pg; migrated and analysed in $((SECONDS - s)) s"
  copy_secs=$(cat "$work/copy_seconds" 2>/dev/null || echo '?')
else
mkdir -p "$work/pg"
pg=$("$pgsh" start "$work/pg")
psql "$pg" -XAtq -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
ALTER SYSTEM SET shared_preload_libraries = pg_stat_statements, auto_explain;
ALTER SYSTEM SET shared_buffers = '1GB';
ALTER SYSTEM SET work_mem = '32MB';
ALTER SYSTEM SET maintenance_work_mem = '512MB';
ALTER SYSTEM SET max_wal_size = '8GB';
ALTER SYSTEM SET checkpoint_timeout = '30min';
ALTER SYSTEM SET synchronous_commit = off;
ALTER SYSTEM SET effective_cache_size = '8GB';
ALTER SYSTEM SET random_page_cost = 1.1;
SQL
"$pgsh" stop "$work/pg"
pg=$("$pgsh" start "$work/pg")
psql "$pg" -XAtq -c "CREATE EXTENSION pg_stat_statements" -c "ALTER SYSTEM SET pg_stat_statements.track_planning = on" \
  -c "SELECT pg_reload_conf()" >/dev/null
"$build/tools/mucstreamd" migrate --pg "$pg" >/dev/null 2>&1 || { echo "migrate failed" >&2; exit 1; }
say "PostgreSQL up and migrated: $(psql "$pg" -XAtc "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations" 2>/dev/null || echo '?')"

# --- seed ---------------------------------------------------------------------------------
mkdir -p "$work/seed"
chmod 755 "$work/seed"
say "generating $events events (load $(load))"
"$build/tools/mucstream_analytics_seed" "$work/seed" "$events" 30 2026-10-15 | tee "$out/seed.txt" >&2
psql "$pg" -XAtq -c "SELECT mucstream_ensure_event_partition(d) FROM generate_series('2026-10-15'::timestamptz, '2026-11-16', '1 day') d" >/dev/null
copy_start=$SECONDS
for t in rooms users events; do
  cols=$(case $t in
    rooms) echo "id,name,jid,created,ended,ended_reason,creator,persistent,locked,config,last_seq,last_event,event_count" ;;
    users) echo "sessionid,userid,room_id,nick,jid,role,affiliation,occupant_id,type,os,browser,useragent,created,ended,ended_reason" ;;
    events) echo "id,time,type,room,room_id,seq,actor,peer,data" ;;
  esac)
  s=$SECONDS
  psql "$pg" -Xq -v ON_ERROR_STOP=1 -c "\\copy $t ($cols) FROM '$work/seed/$t.copy'"
  say "COPY $t: $((SECONDS - s)) s (load $(load))"
done
copy_secs=$((SECONDS - copy_start))
rm -rf "$work/seed"
# COPY bypassed the materialiser, which keeps the rollups (migration 0011) as it writes:
# build them from the loaded rows the way `mucstreamd reports --recompute --all` does.
s=$SECONDS
psql "$pg" -XAtq -v ON_ERROR_STOP=1 -c "SELECT mucstream_recompute_rollups()" >/dev/null
echo "$((SECONDS - s))" >"$work/rollup_seconds"
say "rollups rebuilt from the loaded rows: $((SECONDS - s)) s (load $(load))"
s=$SECONDS
psql "$pg" -Xq -c "VACUUM ANALYZE" >/dev/null
say "VACUUM ANALYZE: $((SECONDS - s)) s"
echo "$copy_secs" >"$work/copy_seconds"
fi
psql "$pg" -XAt -F ' | ' -c "SELECT 'events', count(*)::text FROM events UNION ALL SELECT 'rooms', count(*)::text FROM rooms
  UNION ALL SELECT 'users', count(*)::text FROM users
  UNION ALL SELECT 'database size', pg_size_pretty(pg_database_size(current_database()))" >"$out/sizes.txt"
psql "$pg" -XAt -F ' | ' -c "SELECT relname, indexrelname, pg_size_pretty(pg_relation_size(indexrelid)) FROM pg_stat_user_indexes
  ORDER BY 1, 2" >"$out/indexes.txt"

# --- API ----------------------------------------------------------------------------------
secret=bench-analytics-secret-0123456789abcdef
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$build/tools/mucstreamd" api --pg "$pg" --jwt-secret "$secret" --http-listen "127.0.0.1:$port" >"$work/api.log" 2>&1 &
api_pid=$!
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
token=$(MUCSTREAM_JWT_SECRET=$secret "$build/tools/mucctl" token create --role analyst --ttl 2h \
  ${BENCH_TENANT:+--tenant "$BENCH_TENANT"})
say "API on port $port; measuring $requests requests per endpoint (load $(load))"
python3 "$here/tools/bench/analytics_latency.py" --url "http://127.0.0.1:$port" --token "$token" --pg "$pg" \
  --pg-log "$work/pg/server.log" --requests "$requests" --out "$out" --copy-seconds "$copy_secs" \
  ${BENCH_NO_TARGET:+--no-target}
status=$?
say "done: $out/report.md"
exit $status
