#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2034  # check() evals its condition later, with these variables
# `tools/dev up` after a hard stop: what a kill -9 of `up` leaves running is listed by
# `tools/dev status`, ended by `tools/dev down` (its ports free again), and ended by the next
# `up` by itself; a process whose PID merely matches a record is never touched; secrets are
# on no command line and in no banner; the embedded Kafka says nothing about bootstrap servers.
# Runs what `tools/dev up` runs after building (tools/up.sh) on a scratch state directory and
# free ports, so it can run beside other tests.
#   dev_up_recovery_test.sh SOURCE_DIR MUCSTREAMD MUCCTL
set -uo pipefail
src=$1
export MUCSTREAMD=$2 MUCCTL=$3
state=$(mktemp -d /tmp/mucstream-dev-up-test.XXXXXX)
export MUCSTREAM_UP_DIR=$state
# Ports below the kernel's ephemeral range: the tests beside this one take theirs by binding
# port 0, which never lands there, so a port that `down` frees stays free for the checks after
# it (an ephemeral one was once taken by another test's PostgreSQL in between).
free_port() {
  python3 -c '
import random, socket
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
for _ in range(1000):
    p = random.randrange(10000, low) if low > 11000 else random.randrange(61000, 65536)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    print(p)
    break
else:
    raise SystemExit("no free port below the ephemeral range after 1000 tries")'
}
ports=()
while [ ${#ports[@]} -lt 4 ]; do
  p=$(free_port) || exit 1
  [[ " ${ports[*]} " == *" $p "* ]] || ports+=("$p")
done
export C2S_PORT=${ports[0]} COMPONENT_PORT=${ports[1]} PG_PORT=${ports[2]} HTTP_PORT=${ports[3]}
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

up_pid=
decoy=
cleanup() {
  [ -n "$up_pid" ] && kill -TERM "$up_pid" 2>/dev/null
  "$src/tools/dev" down >/dev/null 2>&1
  # Whatever is still recorded (the test failed half way): by PID, as recorded.
  while read -r _ pid _; do kill -KILL "$pid" 2>/dev/null; done <"$state/processes" 2>/dev/null
  [ -n "$decoy" ] && kill "$decoy" 2>/dev/null
  rm -rf "$state"
}
trap cleanup EXIT

start_up() {  # start_up LOG: tools/up.sh in the background, waits for its banner (90 s at most)
  "$src/tools/up.sh" up >"$1" 2>&1 &
  up_pid=$!
  for _ in $(seq 900); do
    grep -q "mucstream is running" "$1" && return 0
    kill -0 "$up_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "tools/up.sh did not come up:"; cat "$1"
  return 1
}

port_free() { ! python3 -c "import socket; s=socket.socket(); s.settimeout(1); s.connect(('127.0.0.1',$1))" 2>/dev/null; }
all_ports_free() { local p; for p in "${ports[@]}"; do port_free "$p" || return 1; done; }
recorded_pid() { awk -v n="$1" '$1 == n { print $2 }' "$state/processes" 2>/dev/null; }
alive() { [ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat")" != Z ]; }

# 1. up, then kill -9 of it: the services stay, without a parent.
start_up "$state/up1.log" || exit 1
secret=$(cat "$state/jwt-secret")
check "the banner does not print the JWT secret" '! grep -qF "$secret" "$state/up1.log"'
check "the banner says where the JWT secret is" 'grep -qF "$state/jwt-secret" "$state/up1.log"'
check "no command line holds the JWT secret" '! ps -eo args | grep -v grep | grep -qF "$secret"'
check "mucstreamd reads its secrets from files" 'ps -eo args | grep -F "mucstreamd all" | grep -qF -- "--jwt-secret-file $state/jwt-secret"'
check "the JWT secret file is private" '[ "$(stat -c %a "$state/jwt-secret")" = 600 ]'
check "librdkafka says nothing about bootstrap.servers" '! grep -q "bootstrap.servers" "$state/mucstreamd.log" "$state/up1.log"'
token=$(MUCSTREAM_JWT_SECRET=$(cat "$state/jwt-secret") "$MUCCTL" token create --role admin --ttl 5m)
check "the API answers with a token minted as the banner says" \
  'curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$HTTP_PORT/v1/rooms" | grep -q items'
daemon=$(recorded_pid mucstreamd) pg=$(recorded_pid postgresql) prosody=$(recorded_pid prosody)
check "mucstreamd's command line does not hold the component secret" '[ -n "$daemon" ] && ! tr "\0" " " <"/proc/$daemon/cmdline" | grep -q e2e-secret'
check "up recorded mucstreamd, Prosody and PostgreSQL" '[ -n "$daemon" ] && [ -n "$pg" ] && [ -n "$prosody" ]'
kill -KILL "$up_pid"; wait "$up_pid" 2>/dev/null; up_pid=
check "after kill -9 of up its services still run" 'alive "$daemon" && alive "$pg" && alive "$prosody"'

# 2. status lists the orphans.
out=$("$src/tools/dev" status); rc=$?
echo "$out" | sed 's/^/     | /'
check "status exits 1 when processes were left behind" '[ "$rc" = 1 ]'
check "status names the orphans" 'grep -q "mucstreamd: running, pid $daemon" <<<"$out" && grep -q "postgresql: running, pid $pg" <<<"$out" && grep -q "prosody: running, pid $prosody" <<<"$out"'
check "status says who holds the HTTP port" 'grep -q "port $HTTP_PORT (HTTP API (HTTP_PORT)): pid $daemon" <<<"$out"'
check "status says they were left behind" 'grep -q "left behind" <<<"$out"'

# 3. down ends them; the ports are free.
out=$("$src/tools/dev" down); rc=$?
echo "$out" | sed 's/^/     | /'
check "down exits 0" '[ "$rc" = 0 ]'
check "down says what it stopped" 'grep -q "stopped mucstreamd (pid $daemon)" <<<"$out" && grep -q "stopped postgresql (pid $pg)" <<<"$out" && grep -q "stopped prosody (pid $prosody)" <<<"$out"'
check "down ended them" '! alive "$daemon" && ! alive "$pg" && ! alive "$prosody"'
check "the ports are free after down" 'all_ports_free'
check "status after down: not running (exit 3)" '"$src/tools/dev" status >/dev/null; [ $? = 3 ]'
# A process whose PID is recorded but that started at another time (a reused PID) is not ours.
sleep 300 &
decoy=$!
echo "mucstreamd $decoy 1" >>"$state/processes"
out=$("$src/tools/dev" down); rc=$?
check "a recorded PID now held by another process is left alone" 'alive "$decoy" && [ "$rc" = 0 ] && grep -q "nothing was running" <<<"$out"'
kill "$decoy"; decoy=

# 4. up, kill -9, up again: the second up ends the first one's leftovers by itself.
start_up "$state/up2.log" || exit 1
daemon=$(recorded_pid mucstreamd) pg=$(recorded_pid postgresql) prosody=$(recorded_pid prosody)
kill -KILL "$up_pid"; wait "$up_pid" 2>/dev/null; up_pid=
start_up "$state/up3.log" || exit 1
sed 's/^/     | /' "$state/up3.log" | head -8
check "the next up ends what the killed one left" 'grep -q "ended what an earlier tools/dev up left running" "$state/up3.log" && grep -q "stopped mucstreamd (pid $daemon)" "$state/up3.log" && grep -q "stopped postgresql (pid $pg)" "$state/up3.log"'
check "the old processes are gone" '! alive "$daemon" && ! alive "$pg" && ! alive "$prosody"'
check "no PostgreSQL log dump" '! grep -qi "postmaster.pid\|another server might be running" "$state/up3.log"'
check "the new up serves the API" 'curl -sf "http://127.0.0.1:$HTTP_PORT/healthz" >/dev/null'
out=$("$src/tools/up.sh" up 2>&1); rc=$?
check "a second up while one runs refuses and says so" '[ "$rc" = 1 ] && grep -q "already running (pid $up_pid" <<<"$out"'

# 5. down stops a running up and everything it ran.
daemon=$(recorded_pid mucstreamd)
out=$("$src/tools/dev" down); rc=$?
echo "$out" | sed 's/^/     | /'
check "down stops the running up" '[ "$rc" = 0 ] && grep -q "stopped tools/dev up (pid $up_pid)" <<<"$out" && grep -q "stopped mucstreamd (pid $daemon)" <<<"$out"'
wait "$up_pid" 2>/dev/null; up_pid=
check "the ports are free after the last down" 'all_ports_free'
check "the stopped up says what it stopped, not more" 'grep -q "stopped mucstreamd" "$state/up3.log" && ! grep -q "stopped everything" "$state/up3.log"'

# 6. An up from before PIDs were recorded left PostgreSQL with only its own pid file: status
# and down find it through that file (its command line names this state directory).
"$src/tests/scripts/pg.sh" start "$state/pg" "$PG_PORT" >/dev/null
pg=$(head -1 "$state/pg/data/postmaster.pid")
rm -f "$state/processes"
out=$("$src/tools/dev" status); rc=$?
check "status finds an unrecorded PostgreSQL of this state directory" '[ "$rc" = 1 ] && grep -q "postgresql: running, pid $pg" <<<"$out"'
out=$("$src/tools/dev" down); rc=$?
check "down ends it" '[ "$rc" = 0 ] && grep -q "stopped postgresql (pid $pg)" <<<"$out" && ! alive "$pg" && port_free "$PG_PORT"'

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
