#!/usr/bin/env bash
# End to end through every process of the pipeline:
#   XMPP clients -> Prosody -> `mucstreamd all` (component + embedded Kafka mock cluster +
#   materialiser) -> PostgreSQL 15, rows read back with psql; then `all` restarted and the
#   persistent room restored from the stored events.
# Usage: run.sh MUCSTREAMD STATE_DIR. Everything it starts is stopped by PID on exit.
set -euo pipefail
mucstreamd=$1 state=$2
# shellcheck source=stack.sh
. "$(dirname "$0")/stack.sh"

stack_start

start_all "$state/all1.log"
grep -q "tail it with: kcat -b" "$state/all1.log" || fail "no kcat command logged"
brokers=$(grep -o 'kcat -b [^ ]*' "$state/all1.log" | head -1 | cut -d' ' -f3)
export ROOM_FILE=$state/room
(cd "$e2e" && PYTHONPATH="$e2e" $python "$here/flow_chat.py" "$state") || fail "chat flow"
room=$(cat "$ROOM_FILE")
# kcat tails the embedded cluster while the process lives.
# kcat against the mock cluster sometimes ends before it has fetched everything (its
# metadata for 64 partitions can arrive after the first end-of-partition): read until two
# reads agree on a non-zero count, a few times at most.
on_topic=0 previous=-1
for _ in 1 2 3 4 5 6; do
  on_topic=$(timeout 20 kcat -b "$brokers" -t mucstream.events -C -e -q 2>>"$state/kcat.err" | grep -c "\"room\":\"$room\"" || true)
  [ "$on_topic" -gt 0 ] && [ "$on_topic" = "$previous" ] && break
  previous=$on_topic
  sleep 0.5
done
stop_all  # drains the embedded cluster into PostgreSQL before exiting

rid=$(sql "SELECT id FROM rooms WHERE jid = '$room'")
[ -n "$rid" ] || fail "no rooms row for $room"
n=$(sql "SELECT count(*) FROM events WHERE room_id = '$rid'")
[ "$n" = "$on_topic" ] || fail "events rows $n != messages on the topic $on_topic"
[ "$(sql "SELECT count(DISTINCT id) FROM events WHERE room_id = '$rid'")" = "$n" ] || fail "duplicate events"
[ "$(sql "SELECT max(seq) = count(*) AND min(seq) = 1 FROM events WHERE room_id = '$rid'")" = t ] || fail "seq not 1..N"
[ "$(sql "SELECT count(*) FROM events WHERE room_id = '$rid' AND type = 'message_sent'")" = 4 ] || fail "message_sent rows"
[ "$(sql "SELECT count(*) FROM messages WHERE room_id = '$rid' AND payload LIKE '%from bob%'")" = 1 ] || fail "archive"
[ "$(sql "SELECT count(*) FROM events WHERE room_id = '$rid' AND type = 'occupant_joined'")" = 2 ] || fail "joins"
[ "$(sql "SELECT persistent AND locked AND ended IS NULL FROM rooms WHERE id = '$rid'")" = t ] || fail "rooms row"
# The password's hash is kept apart (room_secrets), never in what analysts read.
[ "$(sql "SELECT count(*) FROM room_secrets WHERE room_id = '$rid'")" -ge 1 ] || fail "room_secrets row"
[ "$(sql "SELECT count(*) FROM events WHERE room_id = '$rid' AND strpos(data::text, 'pbkdf2') > 0")" = 0 ] \
  || fail "password hash in events.data"
[ "$(sql "SELECT count(*) FROM users WHERE room_id = '$rid' AND userid = 'bob@localhost' AND ended IS NOT NULL")" = 1 ] \
  || fail "bob's users row ended"
# Alice was still in the room at the stop: the component's shutdown (332) ended her session too.
[ "$(sql "SELECT count(*) FROM users WHERE room_id = '$rid' AND ended IS NULL")" = 0 ] || fail "open sessions after stop"
# Every event's actor is a session of this room (or the service).
[ "$(sql "SELECT count(*) FROM events e WHERE room_id = '$rid' AND actor IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM users u WHERE u.sessionid = e.actor)")" = 0 ] || fail "actor without users row"

start_all "$state/all2.log"
grep -q "restored [1-9][0-9]* rooms from PostgreSQL" "$state/all2.log" || fail "no rooms restored"
(cd "$e2e" && PYTHONPATH="$e2e" $python "$here/flow_restore.py" "$state") || fail "restore flow"
stop_all
[ "$(sql "SELECT count(DISTINCT id) = count(*) FROM events")" = t ] || fail "duplicates after restart"
echo "PASS: $n events for $room, exactly once and in order; room (with its password) restored after restart"
