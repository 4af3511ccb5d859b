#!/usr/bin/env bash
# What rewriting one room's telemetry calls costs a batch (migration 0020), on a throwaway
# PostgreSQL 15:
#   tools/bench/telemetry_calls.sh [CALLS=200] [EVENTS=200000] [ROUNDS=5]
# Starts PostgreSQL (tests/scripts/pg.sh run), migrates it with build/tools/mucstreamd, makes
# one room with EVENTS P2P events of other sids (what the Jingle check probes) and a report
# state holding CALLS ended telemetry calls, then times mucstream_refresh_p2p_telemetry() of
# that room: the first (every row inserted), ROUNDS with nothing changed, and ROUNDS with one
# call's outcome changed (the case the materialiser runs it for). Needs a built tree.
set -euo pipefail
calls=${1:-200} events=${2:-200000} rounds=${3:-5}
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$here/build}
[ -x "$build/tools/mucstreamd" ] || { echo "build first: cmake --build $build --target mucstreamd" >&2; exit 1; }
export CALLS=$calls EVENTS=$events ROUNDS=$rounds MUCSTREAMD=$build/tools/mucstreamd
exec "$here/tests/scripts/pg.sh" run -- bash -c '
set -euo pipefail
"$MUCSTREAMD" migrate --pg "$MUCSTREAM_TEST_PG" >/dev/null 2>&1
room=0190f3c2-8a40-7000-8000-0000000bec01
psql "$MUCSTREAM_TEST_PG" -q -o /dev/null -v ON_ERROR_STOP=1 -v room=$room -v calls="$CALLS" -v events="$EVENTS" <<SQL
SELECT mucstream_ensure_event_partition(timestamptz '\''2026-11-20T00:00:00Z'\'');
INSERT INTO rooms (id, name, jid, created) VALUES (:'\''room'\'', '\''bench'\'', '\''bench@rooms.example.org'\'', '\''2026-11-20T00:00:00Z'\'');
INSERT INTO events (id, time, type, room, room_id, seq, actor, peer, data)
  SELECT md5('\''e'\'' || g)::uuid, timestamptz '\''2026-11-20T00:00:00Z'\'' + g * interval '\''1 second'\'',
         (ARRAY['\''p2p_session_started'\'', '\''p2p_session_stats'\'', '\''p2p_session_ended'\''])[1 + g % 3],
         '\''bench@rooms.example.org'\'', :'\''room'\'', g, md5('\''a'\'' || g % 50)::uuid, md5('\''b'\'' || g % 50)::uuid,
         jsonb_build_object('\''sid'\'', '\''jingle-'\'' || (g / 3))
  FROM generate_series(1, :events) g;
UPDATE rooms SET report_state = jsonb_build_object('\''v'\'', 1, '\''p2p'\'', (
  SELECT jsonb_agg(jsonb_build_object('\''sid'\'', '\''tele-'\'' || i, '\''i'\'', md5('\''a'\'' || i)::uuid::text,
         '\''r'\'', md5('\''b'\'' || i)::uuid::text, '\''media'\'', '\''["audio"]'\''::jsonb,
         '\''start'\'', 1795132800000 + i * 60000, '\''end'\'', 1795132800000 + i * 60000 + 30000, '\''dur'\'', 30000,
         '\''reason'\'', '\''removed'\'', '\''outcome'\'', '\''completed'\'', '\''src'\'', '\''telemetry'\'',
         '\''cs'\'', '\''[false,false]'\''::jsonb) ORDER BY i) FROM generate_series(1, :calls) i))
 WHERE id = :'\''room'\'';
ANALYZE;
SQL
# One session, as the materialiser holds one (the first call of a connection plans the function and its views: the "first" figure).
refresh="SELECT mucstream_refresh_p2p_telemetry(ARRAY['\''$room'\''::uuid]);"
{
  echo "\\timing on"
  echo "$refresh"
  for i in $(seq 1 "$ROUNDS"); do
    outcome=$([ $((i % 2)) -eq 1 ] && echo failed || echo completed)
    echo "$refresh"
    echo "\\timing off"
    echo "UPDATE rooms SET report_state = jsonb_set(report_state, '\''{p2p,0,outcome}'\'', '\''\"$outcome\"'\'') WHERE id = '\''$room'\'';"
    echo "\\timing on"
    echo "$refresh"
  done
} | psql "$MUCSTREAM_TEST_PG" -qAt | sed -n "s/^Time: \([0-9.]*\) ms.*/\1/p" > /tmp/mucstream-bench-telemetry-calls.$$
mapfile -t t < /tmp/mucstream-bench-telemetry-calls.$$
rm -f /tmp/mucstream-bench-telemetry-calls.$$
unchanged=() changed=()
for i in $(seq 1 "$ROUNDS"); do unchanged+=("${t[$((2 * i - 1))]}"); changed+=("${t[$((2 * i))]}"); done
median() { printf "%s\n" "$@" | sort -n | awk "{a[NR]=\$1} END {print a[int((NR+1)/2)]}"; }
echo "calls=$CALLS events=$EVENTS first (inserts every row): ${t[0]} ms"
echo "nothing changed: median $(median "${unchanged[@]}") ms of ${unchanged[*]}"
echo "one call changed: median $(median "${changed[@]}") ms of ${changed[*]}"
psql "$MUCSTREAM_TEST_PG" -qAt -c "SELECT '\''rows: '\'' || count(*) FROM rollup_p2p_sessions WHERE source = '\''telemetry'\''"
'
