#!/usr/bin/env bash
# Room creation policy and room upkeep end to end: `mucstreamd all` attached to a real
# Prosody with rooms.only_admins_create, rooms.admins = alice and rooms.lock_new_rooms off;
# real XMPP clients create (or may not create) rooms, an operator runs the real `mucctl`
# (rooms set, lock twice, destroy-empty, destroy-unused) and the clients must see what
# XEP-0045 says (flow_policy.py); then the events are read back from PostgreSQL.
# Usage: run_policy.sh MUCSTREAMD MUCCTL STATE_DIR. Everything it starts is stopped by PID on exit.
set -euo pipefail
mucstreamd=$1 mucctl=$2 state=$3
# shellcheck source=../e2e_pipeline/stack.sh
. "$(dirname "$0")/../e2e_pipeline/stack.sh"

# Bad values stop mucstreamd at start with exit 2 and a message naming the setting.
refused() {  # EXPECTED_TEXT ARGS…
  local want=$1 err rc=0; shift
  err=$(MUCSTREAM_CONFIG= timeout 10 "$mucstreamd" all "$@" --help 2>&1 >/dev/null) || rc=$?
  { [ "$rc" -eq 2 ] && grep -qF -- "$want" <<<"$err"; } || fail "mucstreamd all $*: rc=$rc, wanted '$want' in: $err"
}
refused "--rooms-admins (rooms.admins) takes comma-separated bare JIDs (user@host), got 'alice@localhost/phone'" \
  --rooms-admins 'bob@localhost, alice@localhost/phone'
refused "(rooms.admins) takes comma-separated bare JIDs (user@host), got 'localhost'" --rooms-admins localhost
refused "--rooms-lock-new-rooms (rooms.lock_new_rooms) must be true or false (also yes/no, on/off, 1/0), got 'sometimes'" --rooms-lock-new-rooms=sometimes

stack_start
http=$(free_port)
secret=e2e-policy-secret-0123456789abcdef012
start_all "$state/all.log" --jwt-secret "$secret" --http-listen "127.0.0.1:$http" \
  --rooms-only-admins-create --rooms-admins 'alice@localhost, dave@localhost' --rooms-lock-new-rooms=false

export MUCCTL=$mucctl MUCCTL_URL=http://127.0.0.1:$http ROOM_FILE=$state/rooms
MUCCTL_TOKEN=$(MUCSTREAM_JWT_SECRET=$secret "$mucctl" token create --role admin --ttl 10m --subject ops-olga)
export MUCCTL_TOKEN HOME=/nonexistent
unset MUCCTL_CONFIG
(cd "$e2e" && PYTHONPATH="$e2e" $python "$here/flow_policy.py" "$state") || fail "policy flow"
read -r open quiet < "$ROOM_FILE"

stop_all  # drains into PostgreSQL
ev() { sql "SELECT count(*) FROM events e JOIN rooms r ON r.id = e.room_id WHERE r.jid = '$1' AND $2"; }
[ "$(ev "$open" "type = 'room_created' AND data->>'awaiting_configuration' = 'false'
              AND data->>'creator' = 'alice@localhost'")" = 1 ] || fail "the open room's creation, unlocked"
[ "$(ev "$open" "type = 'room_configured'")" = 2 ] || fail "two configuration changes by rooms set"
[ "$(ev "$open" "type = 'room_locked'")" = 1 ] || fail "one room_locked despite two locks"
[ "$(ev "$open" "type = 'room_destroyed' AND data->>'reason' = 'destroy-unused'
              AND data->>'by' = 'admin:ops-olga'")" = 1 ] || fail "the open room swept as unused"
[ "$(ev "$quiet" "type = 'room_destroyed' AND data->>'reason' = 'destroy-empty'
               AND data->>'by' = 'admin:ops-olga'")" = 1 ] || fail "the quiet room swept as empty"
# Bob's attempt to create a room left no trace.
[ "$(sql "SELECT count(*) FROM rooms WHERE jid LIKE 'bobs-%'")" = 0 ] || fail "bob created a room"
echo "PASS: only listed admins create rooms, new rooms open at once, rooms set / lock / destroy-empty / destroy-unused from mucctl seen by XMPP clients and stored"
