#!/usr/bin/env bash
# Client telemetry through every process: XMPP clients join a room through Prosody and
# `mucstreamd all` (component + embedded Kafka + materialiser + HTTP API); a client token
# from mucctl POSTs talky-style events, which the room loop decides and produces to Kafka,
# and the materialiser writes to PostgreSQL; checked through the API and with psql.
# Usage: telemetry.sh MUCSTREAMD MUCCTL STATE_DIR. Everything it starts is stopped by PID.
set -euo pipefail
mucstreamd=$1 mucctl=$2 state=$3
export MUCSTREAM_JWT_SECRET=telemetry-e2e-secret-0123456789abcdef
# shellcheck source=stack.sh
. "$(dirname "$0")/stack.sh"

stack_start
http=$(free_port)
start_all "$state/all.log" --http-listen "127.0.0.1:$http"
grep -q "client telemetry" "$state/all.log" || fail "the API of mucstreamd all does not serve telemetry"

export API_URL=http://127.0.0.1:$http MUCCTL=$mucctl ROOM_FILE=$state/room
ANALYST_TOKEN=$("$mucctl" token create --role analyst --ttl 10m); export ANALYST_TOKEN
(cd "$e2e" && PYTHONPATH="$e2e" $python "$here/flow_telemetry.py" "$state") || fail "telemetry flow"
rid=$(cat "$ROOM_FILE")
stop_all

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
