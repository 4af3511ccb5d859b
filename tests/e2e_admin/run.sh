#!/usr/bin/env bash
# Live room administration end to end: real XMPP clients in a room served by
# `mucstreamd all` through Prosody; an operator runs the real `mucctl` binary against the
# API of that process (occupants, lock, kick, ban, unlock, destroy) and the clients must
# see it as XEP-0045 says (flow.py); then the events, with the admin's name as `by`, are
# read back from PostgreSQL.
# Usage: run.sh MUCSTREAMD MUCCTL STATE_DIR. Everything it starts is stopped by PID on exit.
set -euo pipefail
mucstreamd=$1 mucctl=$2 state=$3
# shellcheck source=../e2e_pipeline/stack.sh
. "$(dirname "$0")/../e2e_pipeline/stack.sh"

stack_start
http=$(free_port)
secret=e2e-admin-secret-0123456789abcdef0123
start_all "$state/all.log" --jwt-secret "$secret" --http-listen "127.0.0.1:$http"
grep -q "with live room administration" "$state/all.log" || fail "the API does not serve live administration"

export MUCCTL=$mucctl MUCCTL_URL=http://127.0.0.1:$http ROOM_FILE=$state/room
MUCCTL_TOKEN=$(MUCSTREAM_JWT_SECRET=$secret "$mucctl" token create --role admin --ttl 10m --subject ops-olga)
export MUCCTL_TOKEN HOME=/nonexistent
unset MUCCTL_CONFIG
(cd "$e2e" && PYTHONPATH="$e2e" $python "$here/flow.py" "$state") || fail "admin flow"
room=$(cat "$ROOM_FILE")

stop_all  # drains into PostgreSQL
rid=$(sql "SELECT id FROM rooms WHERE jid = '$room'")
[ -n "$rid" ] || fail "no rooms row for $room"
ev() { sql "SELECT count(*) FROM events WHERE room_id = '$rid' AND $1"; }
by="data->>'by' = 'admin:ops-olga'"
[ "$(ev "type = 'room_locked' AND $by")" = 1 ] || fail "room_locked by the admin"
[ "$(ev "type = 'room_unlocked' AND $by")" = 1 ] || fail "room_unlocked by the admin"
[ "$(ev "type = 'occupant_left' AND data->>'nick' = 'Bob' AND data->>'reason' = 'kicked'
         AND data->>'kick_reason' = 'Be nice' AND $by")" = 1 ] || fail "Bob's kick"
[ "$(ev "type = 'affiliation_changed' AND data->>'jid' = 'carol@localhost' AND data->>'affiliation' = 'outcast'
         AND data->>'reason' = 'Spam' AND $by")" = 1 ] || fail "Carol's ban"
[ "$(ev "type = 'occupant_left' AND data->>'nick' = 'Carol' AND data->>'reason' = 'banned' AND $by")" = 1 ] \
  || fail "Carol's leave on the ban"
[ "$(ev "type = 'room_destroyed' AND data->>'reason' = 'Meeting over' AND $by")" = 1 ] || fail "room_destroyed"
[ "$(ev "type = 'message_sent' AND data->>'nick' = '' AND actor IS NULL AND $by
         AND data->>'payload' = '<body>Deploy at 18:00</body>'")" = 1 ] || fail "the service's message"
# Dave was refused while locked: no join event for that attempt, only the one after unlock.
[ "$(ev "type = 'occupant_joined' AND data->>'nick' = 'Dave'")" = 1 ] || fail "Dave joined once"
# The kicked and banned sessions are ended in users, with the reason.
[ "$(sql "SELECT string_agg(ended_reason, ',' ORDER BY created) FROM users WHERE room_id = '$rid'
           AND userid IN ('bob@localhost', 'carol@localhost')")" = "kicked,banned" ] || fail "users ended_reason"
[ "$(sql "SELECT ended IS NOT NULL FROM rooms WHERE id = '$rid'")" = t ] || fail "room not ended"
echo "PASS: occupants, lock, kick, ban, unlock, a service message, destroy from mucctl seen by XMPP clients and stored in PostgreSQL"
