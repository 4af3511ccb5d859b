#!/usr/bin/env bash
# The room lifecycle through every process of the pipeline (Prosody -> `mucstreamd all` ->
# PostgreSQL): an OMEMO-shaped payload is stored as sent; a no-store message is an event but
# not archived; a destroy with purge leaves the events without bodies.
# The archive checks need the archive table filled by the materialiser (branch archive-store).
# Usage: run_room_lifecycle.sh MUCSTREAMD STATE_DIR. Everything it starts is stopped by PID on exit.
set -euo pipefail
mucstreamd=$1 state=$2
# shellcheck source=stack.sh
. "$(dirname "$0")/stack.sh"

stack_start
start_all "$state/all.log"
export ROOM_FILE=$state/rooms
(cd "$e2e" && PYTHONPATH="$e2e" $python "$here/flow_room_lifecycle.py" "$state") || fail "lifecycle flow"
stop_all  # drains the embedded cluster into PostgreSQL before exiting
room=$(sed -n 1p "$ROOM_FILE") purged=$(sed -n 2p "$ROOM_FILE")
rid=$(sql "SELECT id FROM rooms WHERE jid = '$room'")
pid=$(sql "SELECT id FROM rooms WHERE jid = '$purged'")
[ -n "$rid" ] && [ -n "$pid" ] || fail "rooms rows"
cipher='4qbJhhYDq4JKGlZ6xzvyLCcL+zLfQ8XK/omemo-ciphertext=='
# The event keeps the ciphertext and the key as sent.
[ "$(sql "SELECT count(*) FROM events WHERE room_id = '$rid' AND type = 'message_sent'
          AND strpos(data->>'payload', '$cipher') > 0 AND strpos(data->>'payload', 'rid=''31415''') > 0")" = 1 ] \
  || fail "OMEMO payload in events"
[ "$(sql "SELECT count(*) FROM events WHERE room_id = '$rid' AND type = 'message_sent'
          AND (data->>'no_store')::boolean AND strpos(data->>'payload', 'not for the archive') > 0")" = 1 ] \
  || fail "no-store message_sent event"
[ "$(sql "SELECT (data->>'purge')::boolean FROM events WHERE room_id = '$pid' AND type = 'room_destroyed'")" = t ] \
  || fail "room_destroyed with purge"
# The archive: the encrypted payload byte-for-byte as the event has it; no row for no-store.
[ "$(sql "SELECT count(*) FROM archive a JOIN events e ON e.id = a.stanza_id
          WHERE a.room_id = '$rid' AND a.payload = e.data->>'payload' AND strpos(a.payload, '$cipher') > 0")" = 1 ] \
  || fail "OMEMO payload archived as sent"
[ "$(sql "SELECT count(*) FROM archive WHERE room_id = '$rid' AND strpos(coalesce(payload, ''), 'not for the archive') > 0")" = 0 ] \
  || fail "no-store message archived"
# Purge: nothing of the body is left anywhere in PostgreSQL.
[ "$(sql "SELECT count(*) FROM archive WHERE room_id = '$pid' AND payload IS NOT NULL")" = 0 ] || fail "archive bodies after purge"
[ "$(sql "SELECT count(*) FROM events WHERE room_id = '$pid' AND strpos(data::text, 'purge me please') > 0")" = 0 ] \
  || fail "event bodies after purge"
[ "$(sql "SELECT count(*) FROM events WHERE room_id = '$pid' AND type = 'message_sent'")" = 1 ] || fail "events kept"
echo "PASS: OMEMO payload stored as sent, no-store not archived, purge removed the bodies"
