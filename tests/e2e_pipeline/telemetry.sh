#!/usr/bin/env bash
# Client telemetry through every process: XMPP clients join a room through Prosody and
# `mucstreamd all` (component + embedded Kafka + materialiser + HTTP API); a client token
# from mucctl POSTs talky-style events, which the room loop decides and produces to Kafka,
# and the materialiser writes to PostgreSQL; checked through the API and with psql.
# Usage: telemetry.sh MUCSTREAMD MUCCTL STATE_DIR. Everything it starts is stopped by PID.
set -euo pipefail
mucstreamd=$1 mucctl=$2 state=$3
here=$(cd "$(dirname "$0")" && pwd)
e2e=$here/../e2e
pgdir=$state-pg
python=/usr/bin/python3
all_pid=
export MUCSTREAM_JWT_SECRET=telemetry-e2e-secret-0123456789abcdef

cleanup() {
  [ -n "$all_pid" ] && kill -TERM "$all_pid" 2>/dev/null && wait "$all_pid" 2>/dev/null || true
  "$e2e/fixture.sh" stop "$state" >/dev/null 2>&1 || true
  "$here/../scripts/pg.sh" stop "$pgdir" || true
  rm -rf "$pgdir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- mucstreamd all log:" >&2; grep -v '^%' "$state"/all.log | tail -40 >&2; exit 1; }
free_port() { $python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

rm -rf "$pgdir"; mkdir -p "$pgdir"; chmod 755 "$pgdir"
pg=$("$here/../scripts/pg.sh" start "$pgdir")
"$e2e/fixture.sh" start "$state" "$mucstreamd" >/dev/null
kill -TERM "$(cat "$state/component.pid")"; sleep 0.5
comp=$(grep COMPONENT_PORT "$state/env" | cut -d= -f2)
http=$(free_port)

"$mucstreamd" all --xmpp-host 127.0.0.1 --xmpp-port "$comp" --domain rooms.localhost --secret e2e-secret \
  --pg "$pg" --kafka-spill-dir "$state/spill" --http-listen "127.0.0.1:$http" >"$state/all.log" 2>&1 &
all_pid=$!
for _ in $(seq 100); do grep -q "connected: serving" "$state/all.log" && break; sleep 0.1; done
grep -q "connected: serving" "$state/all.log" || fail "mucstreamd all did not connect"
grep -q "client telemetry" "$state/all.log" || fail "the API of mucstreamd all does not serve telemetry"

export API_URL=http://127.0.0.1:$http MUCCTL=$mucctl ROOM_FILE=$state/room
ANALYST_TOKEN=$("$mucctl" token create --role analyst --ttl 10m); export ANALYST_TOKEN
(cd "$e2e" && PYTHONPATH="$e2e" $python "$here/flow_telemetry.py" "$state") || fail "telemetry flow"
rid=$(cat "$ROOM_FILE")
kill -TERM "$all_pid"; wait "$all_pid" || fail "mucstreamd all exited with $?"; all_pid=

sql() { psql "$pg" -XAtqc "$1"; }
# Exactly the three accepted events, in order after the joins, actor Alice and peer Bob.
got=$(sql "SELECT string_agg(e.type || ':' || a.nick || ':' || coalesce(p.nick, '-'), ' ' ORDER BY e.seq)
           FROM events e JOIN users a ON a.sessionid = e.actor LEFT JOIN users p ON p.sessionid = e.peer
           WHERE e.room_id = '$rid' AND e.type IN ('peer_session_added', 'peer_session_stats', 'audio_paused',
                                                   'started_speaking')")
want="started_speaking:Bob:- peer_session_added:Alice:Bob peer_session_stats:Alice:Bob audio_paused:Alice:-"
[ "$got" = "$want" ] || fail "telemetry rows: '$got', want '$want'"
[ "$(sql "SELECT max(seq) = count(*) FROM events WHERE room_id = '$rid'")" = t ] || fail "seq not 1..N"
[ "$(sql "SELECT data->>'connectTime' FROM events WHERE room_id = '$rid' AND type = 'peer_session_stats'")" = 412 ] \
  || fail "stats data"
echo "PASS: telemetry for $rid decided by the room loop and stored once, with actor and peer sessions"
