#!/usr/bin/env bash
# The data lifecycle's cost on a throwaway PostgreSQL 15 (docs/operations.md, "Data
# lifecycle and privacy"):
#   tools/bench/lifecycle.sh [EVENTS=500000] [ROOMS=2000]
# Seeds EVENTS events over the twelve months of 2025 (ROOMS ended rooms, four sessions each
# among 1,000 people, every event a message with its archive row), then times
# `mucctl purge --dry-run`, `--apply` (events: January and February 2025's partitions,
# bodies and personal fields 60 days, from today) after `mucctl users forget` of one
# person. Needs a built tree (build/ or $BUILD).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$here/build}
events=${1:-500000} rooms=${2:-2000}
for b in mucctl; do
  [ -x "$build/tools/$b" ] || { echo "build first: cmake --build $build --target $b" >&2; exit 1; }
done
if [ -z "${MUCSTREAM_TEST_PG:-}" ]; then
  exec "$here/tests/scripts/pg.sh" run -- "$0" "$@"
fi
mucctl=$build/tools/mucctl pg=$MUCSTREAM_TEST_PG
per_room=$((events / rooms))
q() { psql "$pg" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
now() { date +%s.%N; }
timed() {  # timed LABEL CMD…: runs CMD, prints LABEL and its wall time
  local label=$1 t0 t1
  shift
  t0=$(now); "$@" >/tmp/lifecycle-bench.$$.out; t1=$(now)
  printf '%-34s %8.2f s\n' "$label" "$(echo "$t1 - $t0" | bc)"
  sed 's/^/    /' /tmp/lifecycle-bench.$$.out
}
"$mucctl" migrate --pg "$pg" >/dev/null
t0=$(now)
q >/dev/null <<SQL
SELECT mucstream_ensure_event_partition(make_timestamptz(2025, m, 15, 0, 0, 0, 'UTC')) FROM generate_series(1, 12) m;
INSERT INTO rooms (id, name, jid, created, ended, ended_reason, creator, last_seq, event_count)
  SELECT ('00000000-0000-7000-8000-' || lpad(to_hex(r), 12, '0'))::uuid, 'room' || r, 'room' || r || '@rooms.bench',
         t.ts, t.ts + interval '1 hour', 'empty', 'user' || (r % 1000) || '@example.com', $per_room, $per_room
  FROM generate_series(1, $rooms) r
  CROSS JOIN LATERAL (SELECT timestamptz '2025-01-01 00:00Z' + (r::float8 / $rooms) * interval '360 days' AS ts) t;
INSERT INTO users (sessionid, userid, room_id, nick, jid, type, os, browser, useragent, created, ended, ended_reason)
  SELECT ('00000000-0000-7000-9000-' || lpad(to_hex(r * 4 + k), 12, '0'))::uuid,
         'user' || ((r * 4 + k) % 1000) || '@example.com', ro.id, 'nick' || ((r * 4 + k) % 1000),
         'user' || ((r * 4 + k) % 1000) || '@example.com/pc', 'browser', 'Linux', 'Firefox', 'Mozilla/5.0',
         ro.created, ro.ended, 'left'
  FROM generate_series(1, $rooms) r CROSS JOIN generate_series(0, 3) k
  JOIN rooms ro ON ro.id = ('00000000-0000-7000-8000-' || lpad(to_hex(r), 12, '0'))::uuid;
INSERT INTO events (id, time, type, room, room_id, seq, actor, data)
  SELECT gen_random_uuid(), ro.created + i * interval '1 second', 'message_sent', ro.jid, ro.id, i, u.sessionid,
         jsonb_build_object('nick', u.nick, 'jid', u.jid, 'payload', '<body>message ' || i || '</body>')
  FROM rooms ro CROSS JOIN generate_series(1, $per_room) i
  JOIN LATERAL (SELECT sessionid, nick, jid FROM users WHERE room_id = ro.id ORDER BY sessionid
                OFFSET (i % 4) LIMIT 1) u ON true;
INSERT INTO archive (room_id, stanza_id, room, time, seq, sessionid, nick, jid, payload, ordinal)
  SELECT room_id, id, room, time, seq, actor, data->>'nick', data->>'jid', data->>'payload', seq FROM events;
ANALYZE;
SQL
t1=$(now)
echo "seeded $(q -c 'SELECT count(*) FROM events') events, $(q -c 'SELECT count(*) FROM archive') archive rows," \
     "$(q -c 'SELECT count(*) FROM users') sessions in $(echo "$t1 - $t0" | bc | cut -d. -f1) s"
# The purge measures its limits from the wall clock: the limits are chosen so that, from
# today, every 2025 month is past the bodies and personal limits and the events limit
# takes the months more than (days since 2025-03-01) old.
days_events=$(( ( $(date +%s) - $(date -d 2025-03-01 +%s) ) / 86400 ))
timed "users forget user7@example.com" "$mucctl" users forget user7@example.com --pg "$pg" --csv
timed "purge --dry-run" "$mucctl" purge --dry-run --events-days "$days_events" --bodies-days 60 --personal-days 60 --pg "$pg"
timed "purge --apply" "$mucctl" purge --apply --events-days "$days_events" --bodies-days 60 --personal-days 60 --pg "$pg"
timed "purge --apply again (nothing new)" "$mucctl" purge --apply --events-days "$days_events" --bodies-days 60 --personal-days 60 --pg "$pg"
echo "left: $(q -c 'SELECT count(*) FROM events') events, $(q -c "SELECT count(*) FROM archive WHERE payload IS NOT NULL") bodies"
rm -f /tmp/lifecycle-bench.$$.out
