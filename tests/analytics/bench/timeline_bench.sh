#!/usr/bin/env bash
# How fast are a room's timeline and a day's P2P figures on a big events table? Not a ctest
# (minutes of seeding): run by hand.
#   timeline_bench.sh BUILD_DIR [ROOMS] [EVENTS_PER_ROOM]     (default 20000 x 500 = 10M events)
# Seeds ROOMS rooms of EVENTS_PER_ROOM events over two monthly partitions (about a third of
# them call and media events: P2P sessions with stats, pauses, screen shares; the rest
# messages), 10 sessions per room, plus one big room of 200k events; then times the API
# with curl over keep-alive-less requests and prints p50/p95 and the plan of the view query.
set -euo pipefail
build=$(cd "$1" && pwd); rooms=${2:-20000}; per=${3:-500}
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${MUCSTREAM_TEST_PGDATA:-}" ]; then exec "$here/../../scripts/pg.sh" run -- "$0" "$@"; fi
pg=$MUCSTREAM_TEST_PG
"$build/tools/mucstreamd" migrate --pg "$pg" >/dev/null 2>&1
echo "seeding $rooms rooms x $per events…"
start=$(date +%s)
psql "$pg" -X -q -v ON_ERROR_STOP=1 <<SQL
SET synchronous_commit = off;
SELECT mucstream_ensure_event_partition('2026-09-01T00:00:00Z');
SELECT mucstream_ensure_event_partition('2026-10-01T00:00:00Z');
-- room r (1..rooms+1; the last is the big one) starts at a minute spread over 60 days
CREATE TEMP TABLE r AS
  SELECT i, format('00000000-0000-7000-8000-%s', lpad(to_hex(i), 12, '0'))::uuid AS id,
         '2026-09-01T00:00:00Z'::timestamptz + (i % 86000) * interval '1 minute' AS t0,
         CASE WHEN i = $rooms + 1 THEN 200000 ELSE $per END AS n
  FROM generate_series(1, $rooms + 1) i;
INSERT INTO rooms (id, name, jid, created, ended, ended_reason, creator, last_seq, event_count)
  SELECT id, 'r' || i, 'r' || i || '@rooms.localhost', t0, t0 + n * interval '1 second', 'empty', 'a@localhost', n, n FROM r;
INSERT INTO users (sessionid, userid, room_id, nick, type, os, browser, created, ended, ended_reason)
  SELECT format('00000000-0000-7000-9%s-%s', lpad(to_hex(k), 3, '0'), lpad(to_hex(i), 12, '0'))::uuid,
         'u' || k || '@localhost', id, 'u' || k, 'browser', 'Linux', 'Firefox',
         t0 + (k + 1) * interval '1 second', t0 + n * interval '1 second', 'left'
  FROM r, generate_series(0, 9) k;
INSERT INTO events (id, time, type, room, room_id, seq, actor, peer, data)
  SELECT gen_random_uuid(), t0 + s * interval '1 second',
         CASE WHEN s = 1 THEN 'room_created' WHEN s <= 11 THEN 'occupant_joined'
              WHEN s % 25 = 0 THEN 'p2p_session_started' WHEN s % 25 IN (1, 2, 3) THEN 'p2p_session_stats'
              WHEN s % 25 = 10 THEN 'p2p_session_ended' WHEN s % 25 = 5 THEN 'audio_paused'
              WHEN s % 25 = 7 THEN 'audio_resumed' WHEN s % 50 = 12 THEN 'screencapture_started'
              WHEN s % 50 = 14 THEN 'screencapture_ended' ELSE 'message_sent' END,
         'r' || i || '@rooms.localhost', id, s,
         format('00000000-0000-7000-9%s-%s', lpad(to_hex(s % 10), 3, '0'), lpad(to_hex(i), 12, '0'))::uuid,
         CASE WHEN s % 25 IN (0, 1, 2, 3, 10) THEN format('00000000-0000-7000-9%s-%s', lpad(to_hex((s + 1) % 10), 3, '0'), lpad(to_hex(i), 12, '0'))::uuid END,
         CASE WHEN s % 25 = 0 THEN jsonb_build_object('sid', 's' || s, 'media', '["audio","video"]'::jsonb)
              WHEN s % 25 IN (1, 2, 3) THEN jsonb_build_object('sid', 's' || (s - s % 25), 'rtt_ms', 20 + s % 97,
                   'jitter_ms', s % 13, 'packet_loss', (s % 7) / 100.0,
                   'local_candidate_type', CASE WHEN s % 11 = 0 THEN 'relay' ELSE 'host' END, 'remote_candidate_type', 'srflx')
              WHEN s % 25 = 10 THEN jsonb_build_object('sid', 's' || (s - 10), 'reason', 'success', 'duration_ms', 10000)
              WHEN s <= 11 THEN jsonb_build_object('nick', 'u' || (s % 10))
              WHEN s % 25 IN (5, 7) OR s % 50 IN (12, 14) THEN '{}'::jsonb
              ELSE jsonb_build_object('nick', 'u' || (s % 10), 'payload', '<body>hello there, message ' || s || '</body>') END
  FROM r, generate_series(1, n) s;
ANALYZE;
SQL
echo "seeded $(psql "$pg" -X -At -c 'SELECT count(*) FROM events') events in $(( $(date +%s) - start )) s"
secret=bench-secret-0123456789abcdef0123
"$build/tools/mucstreamd" api --http-listen 127.0.0.1:0 --pg "$pg" --jwt-secret "$secret" 2>"$MUCSTREAM_TEST_PGDATA/api.log" &
api=$!
trap 'kill $api 2>/dev/null; wait $api 2>/dev/null' EXIT
for _ in $(seq 1 100); do
  port=$(grep -oE 'listening on http://127\.0\.0\.1:[0-9]+' "$MUCSTREAM_TEST_PGDATA/api.log" | grep -oE '[0-9]+$' || true)
  [ -n "$port" ] && break; sleep 0.1
done
tok=$(MUCSTREAM_JWT_SECRET=$secret "$build/tools/mucctl" token create --role analyst)
measure() {  # measure NAME N URL-GENERATOR
  local name=$1 n=$2 gen=$3 f; f=$(mktemp)
  for k in $(seq 1 "$n"); do
    curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $tok" "http://127.0.0.1:$port$($gen "$k")" >>"$f"  || echo "request failed: $($gen "$k")" >&2
  done
  sort -n "$f" | awk -v name="$name" '{a[NR]=$1} END {printf "%-28s n=%d p50=%.1f ms p95=%.1f ms max=%.1f ms\n", name, NR, a[int(NR*0.5+0.5)]*1000, a[int(NR*0.95+0.5)]*1000, a[NR]*1000}'
  rm -f "$f"
}
room_url() { printf '/v1/rooms/00000000-0000-7000-8000-%012x/timeline' $(( (RANDOM * 32768 + RANDOM) % rooms + 1 )); }
big_url() { printf '/v1/rooms/00000000-0000-7000-8000-%012x/timeline' $(( rooms + 1 )); }
day_url() { printf '/v1/analytics/p2p?since=2026-10-%02dT00:00:00Z&until=2026-10-%02dT00:00:00Z' $(( $1 % 27 + 1 )) $(( $1 % 27 + 2 )); }
media_url() { printf '/v1/analytics/media?room=00000000-0000-7000-8000-%012x&since=2026-09-01T00:00:00Z&until=2026-11-01T00:00:00Z' $(( (RANDOM * 32768 + RANDOM) % rooms + 1 )); }
measure "timeline (random room)" 200 room_url
measure "timeline (200k-event room)" 20 big_url
measure "p2p quality (one day)" 40 day_url
measure "media (one room, 2 months)" 100 media_url
echo; echo "one room's timeline in SQL (a fresh plan each time, as an analyst's psql does):"
psql "$pg" -X -At -c "EXPLAIN (ANALYZE, COSTS OFF) SELECT * FROM room_timeline WHERE room_id = '00000000-0000-7000-8000-000000000457' ORDER BY started" \
  | grep -E "^(Planning|Execution) Time" || true
