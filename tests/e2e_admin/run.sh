#!/usr/bin/env bash
# Live room administration end to end: real XMPP clients in a room served by
# `mucstreamd all` through Prosody; an operator runs the real `mucctl` binary against the
# API of that process (occupants, lock, kick, ban, unlock, destroy) and the clients must
# see it as XEP-0045 says (flow.py); then the events, with the admin's name as `by`, are
# read back from PostgreSQL.
# Usage: run.sh MUCSTREAMD MUCCTL STATE_DIR. Everything it starts is stopped by PID on exit.
set -euo pipefail
mucstreamd=$1 mucctl=$2 state=$3
here=$(cd "$(dirname "$0")" && pwd)
e2e=$here/../e2e
pgdir=$state-pg
python=/usr/bin/python3
all_pid=
# shellcheck source=../e2e/lib.sh
. "$e2e/lib.sh"

cleanup() {
  [ -n "$all_pid" ] && kill -TERM "$all_pid" 2>/dev/null && wait "$all_pid" 2>/dev/null || true
  "$e2e/fixture.sh" stop "$state" >/dev/null 2>&1 || true
  "$here/../scripts/pg.sh" stop "$pgdir" || true
  rm -rf "$pgdir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- mucstreamd all log:" >&2; tail -40 "$state/all.log" >&2; exit 1; }

rm -rf "$pgdir"; mkdir -p "$pgdir"; chmod 755 "$pgdir"
pg=$("$here/../scripts/pg.sh" start "$pgdir")
E2E_NO_COMPONENT=1 "$e2e/fixture.sh" start "$state" "$mucstreamd" >/dev/null
comp=$(grep COMPONENT_PORT "$state/env" | cut -d= -f2)
http=$(free_port)
secret=e2e-admin-secret-0123456789abcdef0123
"$mucstreamd" all --xmpp-host 127.0.0.1 --xmpp-port "$comp" --domain rooms.localhost --secret e2e-secret \
  --pg "$pg" --kafka-spill-dir "$state/spill" --jwt-secret "$secret" --http-listen "127.0.0.1:$http" \
  >"$state/all.log" 2>&1 &
all_pid=$!
for _ in $(seq 150); do grep -q "connected: serving" "$state/all.log" && break; sleep 0.1; done
grep -q "connected: serving" "$state/all.log" || fail "mucstreamd all did not connect"
grep -q "with live room administration" "$state/all.log" || fail "the API does not serve live administration"

export MUCCTL=$mucctl MUCCTL_URL=http://127.0.0.1:$http ROOM_FILE=$state/room
MUCCTL_TOKEN=$(MUCSTREAM_JWT_SECRET=$secret "$mucctl" token create --role admin --ttl 10m --subject ops-olga)
export MUCCTL_TOKEN HOME=/nonexistent
unset MUCCTL_CONFIG
(cd "$e2e" && PYTHONPATH="$e2e" $python "$here/flow.py" "$state") || fail "admin flow"
room=$(cat "$ROOM_FILE")

kill -TERM "$all_pid"; wait "$all_pid" || fail "mucstreamd all exited with $?"; all_pid=  # drains into PostgreSQL
sql() { psql "$pg" -XAtqc "$1"; }
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
# Dave was refused while locked: no join event for that attempt, only the one after unlock.
[ "$(ev "type = 'occupant_joined' AND data->>'nick' = 'Dave'")" = 1 ] || fail "Dave joined once"
# The kicked and banned sessions are ended in users, with the reason.
[ "$(sql "SELECT string_agg(ended_reason, ',' ORDER BY created) FROM users WHERE room_id = '$rid'
           AND userid IN ('bob@localhost', 'carol@localhost')")" = "kicked,banned" ] || fail "users ended_reason"
[ "$(sql "SELECT ended IS NOT NULL FROM rooms WHERE id = '$rid'")" = t ] || fail "room not ended"
echo "PASS: occupants, lock, kick, ban, unlock, destroy from mucctl seen by XMPP clients and stored in PostgreSQL"
