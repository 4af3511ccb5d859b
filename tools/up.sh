#!/usr/bin/env bash
# The README's main command (`tools/dev up`), the embedded default on one machine:
#   - PostgreSQL 15 with its data under $MUCSTREAM_UP_DIR/pg (kept between runs), migrated,
#   - Prosody on loopback with test accounts and the component port,
#   - `mucstreamd all`: the component for rooms.localhost, librdkafka's in-process mock
#     Kafka cluster, the materialiser and the HTTP API,
# in the foreground until Ctrl-C, which stops everything it started (by PID).
#
#   up.sh [up]    start (first ending what an earlier, killed `up` left running)
#   up.sh status  what an `up` with this state directory runs, or left running
#   up.sh down    stop it all: the running `up`, or what a killed one left
#
# Ports and places (environment): MUCSTREAM_UP_DIR (/tmp/mucstream-up), C2S_PORT (5222),
# COMPONENT_PORT (5347), PG_PORT (55432), HTTP_PORT (8080), MUCSTREAMD and MUCCTL (the
# programs in build/tools).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
state=${MUCSTREAM_UP_DIR:-/tmp/mucstream-up}
c2s=${C2S_PORT:-5222}
comp=${COMPONENT_PORT:-5347}
pg_port=${PG_PORT:-55432}
http=${HTTP_PORT:-8080}
mucstreamd=${MUCSTREAMD:-$here/build/tools/mucstreamd}
mucctl=${MUCCTL:-$here/build/tools/mucctl}
# shellcheck source=up_processes.sh
. "$here/tools/up_processes.sh"

ports=("$c2s:XMPP clients (C2S_PORT)" "$comp:XMPP components (COMPONENT_PORT)" "$pg_port:PostgreSQL (PG_PORT)"
       "$http:HTTP API (HTTP_PORT)")
names=(up mucstreamd prosody prosody-launcher postgresql)

# status: one line per recorded process and per port; exit 0 while an `up` runs, 1 when a
# killed `up` left processes behind, 3 when nothing runs.
status() {
  local up_pid left=0 n pid start
  up_pid=$(recorded_alive up || true)
  echo "tools/dev up, state in $state:"
  for n in "${names[@]}"; do
    read -r pid start < <(recorded "$n") || continue
    if [ -z "$pid" ]; then continue; fi
    if [ "$(start_time "$pid")" = "$start" ]; then
      echo "  $n: running, pid $pid"
      [ "$n" = up ] || [ -n "$up_pid" ] || left=$((left + 1))
    else
      echo "  $n: not running (was pid $pid)"
    fi
  done
  local p
  for p in "${ports[@]}"; do
    local holder; holder=$(port_holder "${p%%:*}")
    echo "  port ${p%%:*} (${p#*:}): ${holder:-free}"
  done
  if [ -n "$up_pid" ]; then
    echo "running (tools/dev up is pid $up_pid); tools/dev down stops it"
    return 0
  fi
  if [ "$left" -gt 0 ]; then
    echo "left behind: $left process(es) of an earlier tools/dev up that is no longer running; tools/dev down ends them"
    return 1
  fi
  echo "not running"
  return 3
}

# down: the running `up` stops what it started when told to; what a killed one left is ended
# here, by the recorded PIDs.
down() {
  local up_pid did=0
  if up_pid=$(recorded_alive up); then
    local n pid running=()
    for n in "${names[@]:1}"; do pid=$(recorded_alive "$n") && running+=("$n $pid"); done
    kill -TERM "$up_pid"
    local i
    for ((i = 0; i < 600; i++)); do [ "$(start_time "$up_pid")" != "" ] || break; sleep 0.1; done
    echo "  stopped tools/dev up (pid $up_pid), which stopped what it ran:"
    for n in "${running[@]}"; do
      if [ -z "$(start_time "${n#* }")" ]; then echo "  stopped ${n% *} (pid ${n#* })"; fi
    done
    did=1
  fi
  forget_process up
  local out; out=$(end_recorded)
  [ -z "$out" ] || { echo "$out"; did=1; }
  [ "$did" = 1 ] || echo "nothing was running (state in $state)"
  ports_in_use "still in use after tools/dev down" || return 1
}

# ports_in_use WHY: prints each port of this setup something listens on; 1 if any.
ports_in_use() {
  local p busy=0 holder
  for p in "${ports[@]}"; do
    holder=$(port_holder "${p%%:*}")
    if [ -n "$holder" ]; then
      [ "$busy" = 1 ] || echo "port(s) $1:" >&2
      echo "  port ${p%%:*} (${p#*:}) is held by $holder" >&2
      busy=1
    fi
  done
  [ "$busy" = 0 ]
}

mkdir -p "$state"
adopt_unrecorded "$http"
case "${1:-up}" in
  status) status; exit $? ;;
  down) down; exit $? ;;
  up) ;;
  *) echo "usage: up.sh [up|status|down]" >&2; exit 2 ;;
esac

chmod 755 "$state"
if up_pid=$(recorded_alive up); then
  echo "tools/dev up is already running (pid $up_pid, state in $state); tools/dev down stops it" >&2
  exit 1
fi
forget_process up
leftovers=$(end_recorded)
[ -z "$leftovers" ] || printf 'ended what an earlier tools/dev up left running:\n%s\n' "$leftovers"
if ! ports_in_use "in the way of tools/dev up"; then
  echo "stop those processes or choose other ports (C2S_PORT, COMPONENT_PORT, PG_PORT, HTTP_PORT)" >&2
  exit 1
fi
record_process up $$

stop() {
  trap - EXIT INT TERM
  local out; out=$(end_recorded)
  forget_process up
  echo "${out:-  nothing left to stop}"
  echo "tools/dev up stopped (PostgreSQL data kept in $state/pg)"
}
trap stop EXIT
trap 'exit 0' INT TERM

# Secrets go to mucstreamd as files (mode 600), never on its command line where ps shows them.
umask 077
[ -s "$state/jwt-secret" ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$state/jwt-secret"
chmod 600 "$state/jwt-secret"  # made readable by all by an older tools/dev up
printf '%s\n' e2e-secret >"$state/component-secret"  # the secret the Prosody fixture configures
umask 022

if ! pg=$("$here/tests/scripts/pg.sh" start "$state/pg" "$pg_port" 2>"$state/pg-start.log"); then
  echo "PostgreSQL did not start; its last lines ($state/pg/server.log):" >&2
  tail -n 5 "$state/pg/server.log" >&2 2>/dev/null || tail -n 5 "$state/pg-start.log" >&2
  exit 1
fi
record_process postgresql "$(head -1 "$state/pg/data/postmaster.pid")"
"$mucstreamd" migrate --pg "$pg"
E2E_NO_COMPONENT=1 E2E_C2S_PORT=$c2s E2E_COMPONENT_PORT=$comp \
  "$here/tests/e2e/fixture.sh" start "$state/xmpp" "$mucstreamd" >/dev/null
record_process prosody "$(cat "$state/xmpp/prosody.pid")"
record_process prosody-launcher "$(cat "$state/xmpp/prosody.pid.launcher")"

"$mucstreamd" all --xmpp-host 127.0.0.1 --xmpp-port "$comp" --domain rooms.localhost \
  --secret-file "$state/component-secret" --jwt-secret-file "$state/jwt-secret" \
  --pg "$pg" --http-listen "127.0.0.1:$http" --kafka-spill-dir "$state/spill" \
  2>"$state/mucstreamd.log" &
daemon_pid=$!
record_process mucstreamd "$daemon_pid"
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
  API:   the JWT secret is in $state/jwt-secret; an admin token for an hour:
         TOKEN=\$(MUCSTREAM_JWT_SECRET=\$(cat $state/jwt-secret) $mucctl token create --role admin --ttl 1h)
         curl -H "Authorization: Bearer \$TOKEN" http://127.0.0.1:$http/v1/rooms
  Log:   $state/mucstreamd.log (followed below)
Ctrl-C or tools/dev down stops everything; tools/dev status shows what runs.
MSG
tail -n +1 -f "$state/mucstreamd.log" --pid "$daemon_pid" &
wait "$daemon_pid" || true
