#!/usr/bin/env bash
# Archive paging and retraction end to end through ejabberd (not only Prosody): slixmpp
# clients -> ejabberd -> `mucstreamd all` -> PostgreSQL (flow_ejabberd_archive.py), then,
# after `all` has drained into PostgreSQL, the retracted body is checked gone from every
# table while the message whose retraction was refused keeps its body.
# Usage: run_ejabberd_archive.sh MUCSTREAMD STATE_DIR. Exit 77 (skipped) when the room does
# not advertise the archive or retractions. Everything started is stopped by PID on exit.
set -euo pipefail
mucstreamd=$1 state=$2
export STACK_FIXTURE=fixture_ejabberd.sh
# shellcheck source=stack.sh
. "$(dirname "$0")/stack.sh"

stack_start
start_all "$state/all.log" --limits-messages-per-second 1000 --limits-burst 1000
set +e
(cd "$e2e" && PYTHONPATH="$e2e" timeout 90 "$python" "$here/flow_ejabberd_archive.py" "$state")
rc=$?
set -e
[ "$rc" = 77 ] && exit 77
[ "$rc" = 0 ] || fail "archive flow through ejabberd ($rc)"
stop_all  # drains the embedded cluster into PostgreSQL before exiting

{ read -r room; read -r gone; read -r kept; } <"$state/bodies"
rid=$(sql "SELECT id FROM rooms WHERE jid = '$room'")
[ -n "$rid" ] || fail "no rooms row for $room"
[ "$(sql "SELECT count(*) FROM archive WHERE room_id = '$rid'")" = 121 ] || fail "121 archive rows"
[ "$(sql "SELECT count(*) FROM archive WHERE room_id = '$rid' AND retracted IS NOT NULL AND payload IS NULL")" = 1 ] \
  || fail "one tombstone row without payload"
# The retracted body is nowhere in PostgreSQL: not in the archive, not in any event's data.
[ "$(sql "SELECT count(*) FROM archive WHERE strpos(coalesce(payload, ''), '$gone') > 0")" = 0 ] \
  || fail "the retracted body is still in archive"
[ "$(sql "SELECT count(*) FROM events WHERE strpos(data::text, '$gone') > 0")" = 0 ] \
  || fail "the retracted body is still in events"
# ... while the message someone else tried to retract is whole in both.
[ "$(sql "SELECT count(*) FROM archive WHERE room_id = '$rid' AND strpos(payload, '$kept') > 0")" = 1 ] \
  || fail "the kept body is not in archive"
[ "$(sql "SELECT count(*) FROM events WHERE room_id = '$rid' AND type = 'message_sent' AND strpos(data::text, '$kept') > 0")" = 1 ] \
  || fail "the kept body is not in events"
[ "$(sql "SELECT count(*) FROM events WHERE room_id = '$rid' AND type = 'message_retracted'")" = 1 ] \
  || fail "one message_retracted event"
echo "PASS: archive paged and a retraction applied through ejabberd; the retracted body is gone from PostgreSQL"
