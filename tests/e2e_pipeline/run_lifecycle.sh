#!/usr/bin/env bash
# Corrections and retractions end to end into PostgreSQL: the archive shows the corrected
# text and that it was edited; a retracted (or moderated) message's body is gone from every
# table (archive and events), its tombstone stays.
# Usage: run_lifecycle.sh MUCSTREAMD STATE_DIR. Everything it starts is stopped by PID on exit.
set -euo pipefail
mucstreamd=$1 state=$2
# shellcheck source=stack.sh
. "$(dirname "$0")/stack.sh"

stack_start
start_all "$state/all.log"
export FLOW_FILE=$state/flow.json
(cd "$e2e" && PYTHONPATH="$e2e" $python "$here/flow_lifecycle.py" "$state") || fail "lifecycle flow"
stop_all  # drains the embedded cluster into PostgreSQL

field() { $python -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$FLOW_FILE" "$1"; }
room=$(field room) corrected=$(field corrected) retracted=$(field retracted) moderated=$(field moderated)
rid=$(sql "SELECT id FROM rooms WHERE jid = '$room'")
[ -n "$rid" ] || fail "no rooms row for $room"
[ "$(sql "SELECT count(*) FROM events WHERE room_id = '$rid' AND type = 'message_corrected'
          AND data->>'target' = '$corrected'")" = 1 ] || fail "message_corrected event"
[ "$(sql "SELECT count(*) FROM events WHERE room_id = '$rid' AND type = 'message_retracted'")" = 2 ] \
  || fail "message_retracted events"
[ "$(sql "SELECT (data->>'moderated')::boolean AND data->>'reason' = 'No ads' AND data->>'by_nick' = 'Alice'
          FROM events WHERE room_id = '$rid' AND type = 'message_retracted' AND data->>'target' = '$moderated'")" = t ] \
  || fail "the moderation event names the moderator and the reason"
# The archive: the current text, edited.
[ "$(sql "SELECT payload LIKE '%fixed-body-after%' AND edited IS NOT NULL FROM archive
          WHERE room_id = '$rid' AND stanza_id = '$corrected'")" = t ] || fail "archive row of the corrected message"
# Tombstones stay, bodies go.
[ "$(sql "SELECT count(*) FROM archive WHERE room_id = '$rid' AND stanza_id IN ('$retracted', '$moderated')
          AND payload IS NULL AND retracted IS NOT NULL")" = 2 ] || fail "archive tombstones"
[ "$(sql "SELECT moderated AND retract_reason = 'No ads' FROM archive WHERE room_id = '$rid' AND stanza_id = '$moderated'")" = t ] \
  || fail "the moderated tombstone"
for text in regret-body-gone spam-body-gone; do
  [ "$(sql "SELECT count(*) FROM events WHERE room_id = '$rid' AND strpos(data::text, '$text') > 0")" = 0 ] \
    || fail "'$text' is still in events"
  [ "$(sql "SELECT count(*) FROM archive WHERE room_id = '$rid' AND strpos(coalesce(payload, ''), '$text') > 0")" = 0 ] \
    || fail "'$text' is still in the archive"
done
echo "PASS: correction archived as edited; retracted and moderated bodies gone from PostgreSQL, tombstones kept"
