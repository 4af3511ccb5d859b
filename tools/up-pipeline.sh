#!/usr/bin/env bash
# The main command with the event pipeline (meant to become `tools/dev up` once the xmpp and
# pipeline branches are merged): a local Prosody on loopback with test accounts, a local
# PostgreSQL 15, and `mucstreamd all` (component + embedded Kafka mock cluster +
# materialiser) attached as rooms.localhost, in the foreground until Ctrl-C.
#   MUCSTREAM_PG_DIR=DIR keeps PostgreSQL's data there (default: temporary, removed on exit).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
state=${MUCSTREAM_UP_DIR:-/tmp/mucstream-up}
c2s=${C2S_PORT:-5222}
comp=${COMPONENT_PORT:-5347}
mucstreamd=$here/build/tools/mucstreamd
pgdir=${MUCSTREAM_PG_DIR:-}
keep_pg=1
if [ -z "$pgdir" ]; then pgdir=$(mktemp -d /tmp/mucstream-up-pg.XXXXXX); keep_pg=0; fi
mkdir -p "$pgdir"; chmod 755 "$pgdir"
all_pid=
stop() {
  [ -n "$all_pid" ] && kill -TERM "$all_pid" 2>/dev/null && wait "$all_pid" 2>/dev/null || true
  "$here/tests/e2e/fixture.sh" stop "$state" >/dev/null 2>&1 || true
  "$here/tests/scripts/pg.sh" stop "$pgdir" || true
  [ "$keep_pg" = 1 ] || rm -rf "$pgdir"
  echo "stopped mucstreamd, Prosody and PostgreSQL"
}
trap stop EXIT
trap 'exit 0' INT TERM

pg=$("$here/tests/scripts/pg.sh" start "$pgdir")
"$mucstreamd" migrate --pg "$pg"
E2E_C2S_PORT=$c2s E2E_COMPONENT_PORT=$comp E2E_COMPONENT_ARGS=" " \
  "$here/tests/e2e/fixture.sh" start "$state" "$mucstreamd" >/dev/null
kill -TERM "$(cat "$state/component.pid")"; sleep 0.5  # replaced by `all`
"$mucstreamd" all --xmpp-host 127.0.0.1 --xmpp-port "$comp" --domain rooms.localhost \
  --secret "$(grep COMPONENT_SECRET "$state/env" | cut -d= -f2)" --pg "$pg" --kafka-spill-dir "$state/spill" \
  >"$state/all.log" 2>&1 &
all_pid=$!
for _ in $(seq 100); do grep -q "connected: serving" "$state/all.log" && break; sleep 0.1; done
grep -q "connected: serving" "$state/all.log" || { cat "$state/all.log" >&2; exit 1; }
brokers=$(grep -o 'kcat -b [^ ]*' "$state/all.log" | head -1 | cut -d' ' -f3)
cat <<MSG

mucstream is running behind Prosody (state in $state, PostgreSQL data in $pgdir).
  Connect an XMPP client to 127.0.0.1:$c2s (no TLS) as alice@localhost or bob@localhost,
  password "pw" (also carol, dave, eve), and join  test@rooms.localhost  with any nick.
  Events arriving in Kafka:  kcat -b $brokers -t mucstream.events -C
  Rows in PostgreSQL:        psql "$pg" -c 'SELECT time, type, room, actor, data FROM events ORDER BY time DESC LIMIT 20'
                             psql "$pg" -c 'TABLE rooms' -c 'TABLE users'
  Log:                       tail -f $state/all.log
Ctrl-C stops everything (the embedded Kafka is drained into PostgreSQL first).
MSG
wait "$all_pid"
