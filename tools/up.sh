#!/usr/bin/env bash
# The README's main command (`tools/dev up`), the embedded default on one machine:
#   - PostgreSQL 15 with its data under $MUCSTREAM_UP_DIR/pg (kept between runs), migrated,
#   - Prosody on loopback with test accounts and the component port,
#   - `mucstreamd all`: the component for rooms.localhost, librdkafka's in-process mock
#     Kafka cluster, the materialiser and the HTTP API,
# in the foreground until Ctrl-C, which stops everything it started (by PID).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
state=${MUCSTREAM_UP_DIR:-/tmp/mucstream-up}
c2s=${C2S_PORT:-5222}
comp=${COMPONENT_PORT:-5347}
pg_port=${PG_PORT:-55432}
http=${HTTP_PORT:-8080}
mucstreamd="$here/build/tools/mucstreamd"
mkdir -p "$state"
chmod 755 "$state"

daemon_pid=
stop() {
  trap - EXIT INT TERM
  if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid"   # occupants get 332, events drain into PostgreSQL
    wait "$daemon_pid" 2>/dev/null || true
  fi
  "$here/tests/e2e/fixture.sh" stop "$state/xmpp" || true
  "$here/tests/scripts/pg.sh" stop "$state/pg" || true
  echo "stopped mucstreamd, Prosody and PostgreSQL (data kept in $state/pg)"
}
trap stop EXIT
trap 'exit 0' INT TERM

pg=$("$here/tests/scripts/pg.sh" start "$state/pg" "$pg_port")
"$mucstreamd" migrate --pg "$pg"
E2E_NO_COMPONENT=1 E2E_C2S_PORT=$c2s E2E_COMPONENT_PORT=$comp \
  "$here/tests/e2e/fixture.sh" start "$state/xmpp" "$mucstreamd" >/dev/null
[ -s "$state/jwt-secret" ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$state/jwt-secret"
jwt_secret=$(cat "$state/jwt-secret")

"$mucstreamd" all --xmpp-host 127.0.0.1 --xmpp-port "$comp" --domain rooms.localhost --secret e2e-secret \
  --pg "$pg" --jwt-secret "$jwt_secret" --http-listen "127.0.0.1:$http" --kafka-spill-dir "$state/spill" \
  2>"$state/mucstreamd.log" &
daemon_pid=$!
for _ in $(seq 300); do
  grep -qs "connected: serving" "$state/mucstreamd.log" && break
  kill -0 "$daemon_pid" 2>/dev/null || { cat "$state/mucstreamd.log" >&2; exit 1; }
  sleep 0.1
done
grep -q "connected: serving" "$state/mucstreamd.log" || { cat "$state/mucstreamd.log" >&2; exit 1; }
kcat_cmd=$(grep -o "kcat -b .*" "$state/mucstreamd.log" | head -1 || true)

cat <<MSG

mucstream is running (state in $state).
  XMPP:  connect any client to 127.0.0.1:$c2s (no TLS) as alice@localhost or bob@localhost,
         password "pw" (also carol, dave, eve), and join  test@rooms.localhost  with any nick.
         Prosody's own MUC is at conference.localhost for comparison.
  SQL:   psql "$pg" -c 'SELECT time, type, room, actor, data FROM events ORDER BY time DESC LIMIT 20'
         psql "$pg" -c 'TABLE rooms' -c 'TABLE users'
  Kafka: ${kcat_cmd:-(see $state/mucstreamd.log)}
  API:   TOKEN=\$(MUCSTREAM_JWT_SECRET=$jwt_secret $here/build/tools/mucctl token create --role admin --ttl 1h)
         curl -H "Authorization: Bearer \$TOKEN" http://127.0.0.1:$http/v1/rooms
  Log:   $state/mucstreamd.log (followed below)
Ctrl-C stops everything.
MSG
tail -n +1 -f "$state/mucstreamd.log" --pid "$daemon_pid" &
wait "$daemon_pid"
