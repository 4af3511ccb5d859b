# Sourced by every fault scenario: real processes on free ports and a private directory,
# each started by name and stopped by its PID (never by name) when the scenario ends,
# whatever happened. The caller sets `mucstreamd` and `state` before sourcing.
# shellcheck shell=bash
faults=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
e2e=$faults/../e2e
pgsh=$faults/../scripts/pg.sh
python=/usr/bin/python3
# shellcheck source=../e2e/lib.sh
. "$e2e/lib.sh"
export PYTHONPATH="$faults:$e2e" PYTHONDONTWRITEBYTECODE=1

declare -A PID=()   # name -> pid of what this scenario started
load_pid=
pg=

cleanup() {
  local rc=$?
  # Whatever happens now (a reader gone, a failing echo), everything gets stopped.
  set +e
  trap '' PIPE
  [ -n "$load_pid" ] && kill -TERM "$load_pid" 2>/dev/null
  for name in "${!PID[@]}"; do
    kill -CONT "${PID[$name]}" 2>/dev/null  # a stopped process cannot act on TERM
    kill -TERM "${PID[$name]}" 2>/dev/null
  done
  for name in "${!PID[@]}"; do
    for _ in $(seq 50); do alive "${PID[$name]}" || break; sleep 0.1; done
    alive "${PID[$name]}" && kill -KILL "${PID[$name]}" 2>/dev/null
  done
  [ -n "$load_pid" ] && { kill -KILL "$load_pid" 2>/dev/null; wait "$load_pid" 2>/dev/null; }
  "$e2e/fixture.sh" stop "$state" >/dev/null 2>&1 || true
  [ -d "$state/pg" ] && "$pgsh" stop "$state/pg" || true
  [ -n "${FAULTS_KEEP:-}" ] || rm -rf "$state"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE  # a reader gone (| head): still stop everything by PID

say() { echo "[$(date +%H:%M:%S.%3N)] $*"; }

fail() {  # fail WHY: prints the tails of the scenario's logs
  echo "FAIL: $*" >&2
  for f in "$state"/*.log "$state"/out/chatload.out; do
    [ -f "$f" ] || continue
    echo "--- $f" >&2
    grep -v '^%' "$f" | tail -25 >&2
  done
  exit 1
}

# world_start: PostgreSQL (its own server, $state/pg) and Prosody (tests/e2e/fixture.sh
# without its component). Sets pg (libpq string), comp (component port), c2s.
world_start() {
  # the fixture starts from an empty $state: Prosody first
  E2E_NO_COMPONENT=1 "$e2e/fixture.sh" start "$state" "$mucstreamd" >/dev/null || fail "Prosody did not start"
  mkdir -p "$state/pg" "$state/out"; chmod 755 "$state/pg"
  pg=$("$pgsh" start "$state/pg") || fail "PostgreSQL did not start"
  comp=$(grep COMPONENT_PORT "$state/env" | cut -d= -f2)
  c2s=$(grep C2S_PORT "$state/env" | cut -d= -f2)
}

start() {  # start NAME CMD…: runs CMD in the background, output to $state/NAME.log
  local name=$1; shift
  "$@" >>"$state/$name.log" 2>&1 &
  PID[$name]=$!
}

kill9() {  # kill9 NAME: SIGKILL and reap
  local pid=${PID[$1]}
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "PID[$1]"
}

stop() {  # stop NAME: SIGTERM (a clean stop), then SIGKILL after 20 s
  local pid=${PID[$1]}
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 200); do alive "$pid" || break; sleep 0.1; done
  alive "$pid" && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
  unset "PID[$1]"
}

wait_log() {  # wait_log NAME PATTERN SECONDS [FROM_LINE]: the log shows PATTERN (after line FROM_LINE)
  local end=$((SECONDS + $3)) from=${4:-0}
  until tail -n +"$((from + 1))" "$state/$1.log" 2>/dev/null | grep -q "$2"; do
    [ $SECONDS -ge $end ] && return 1
    alive "${PID[$1]:-0}" || return 1
    sleep 0.1
  done
}

log_lines() { wc -l 2>/dev/null <"$state/$1.log" || echo 0; }

xmpp_flags() { echo --xmpp-host 127.0.0.1 --xmpp-port "$comp" --domain rooms.localhost --secret e2e-secret; }

# kafka_mock_start [BROKERS]: `mucstreamd kafka-mock` as its own process; sets brokers.
kafka_mock_start() {
  start kafka-mock "$mucstreamd" kafka-mock --brokers "${1:-3}" --partitions 8
  local end=$((SECONDS + 20))
  until brokers=$(sed -n 's/^bootstrap=//p' "$state/kafka-mock.log" | head -1) && [ -n "$brokers" ]; do
    [ $SECONDS -ge $end ] && fail "kafka-mock printed no bootstrap= line"
    alive "${PID[kafka-mock]}" || fail "kafka-mock exited"
    sleep 0.1
  done
}

# component_start NAME [flags…]: `mucstreamd component --kafka-brokers` and wait until it serves.
component_start() {
  local name=$1; shift
  local from; from=$(log_lines "$name")
  # shellcheck disable=SC2046
  start "$name" "$mucstreamd" component $(xmpp_flags) --kafka-brokers "$brokers" "$@"
  wait_log "$name" "connected: serving" 30 "$from" || fail "$name did not connect"
}

materialize_start() {  # materialize_start NAME: one more member of the consumer group
  # A killed member's partitions wait for its session to time out: keep that short here.
  start "$1" "$mucstreamd" materialize --pg "$pg" --kafka-brokers "$brokers" \
    --kafka.session.timeout.ms=6000 --kafka.heartbeat.interval.ms=500
}

# load_start [chatload flags]: the chat load in the background; waits until it runs.
load_start() {
  (cd "$e2e" && exec "$python" "$faults/chatload.py" "$state" "$state/out" "$@") >"$state/out/chatload.out" 2>&1 &
  load_pid=$!
  for _ in $(seq 300); do
    [ -f "$state/out/ready" ] && return 0
    alive "$load_pid" || break
    sleep 0.1
  done
  fail "the chat load did not start"
}

load_stop() {  # ends the load and waits for its summary
  touch "$state/out/stop"
  for _ in $(seq 100); do alive "$load_pid" || break; sleep 0.1; done
  wait "$load_pid" || fail "the chat load failed"
  load_pid=
  cat "$state/out/chatload.out"
}

reflections() { wc -l 2>/dev/null <"$state/out/seen.jsonl" || echo 0; }

wait_reflections() {  # wait_reflections N SECONDS: at least N more reflections than now
  local want=$(($(reflections) + $1)) end=$((SECONDS + $2))
  until [ "$(reflections)" -ge "$want" ]; do
    [ $SECONDS -ge $end ] && return 1
    sleep 0.1
  done
}

verify_rooms() { (cd "$e2e" && "$python" "$faults/verify.py" "$state" "$state/out") || fail "rooms not back as they were"; }

audit() { "$python" "$faults/audit.py" "$pg" "$state/out" "$@" || fail "audit"; }

# longest_gap FROM TO: the longest time (ms) between two reflections received in [FROM, TO] (epoch s)
longest_gap() {
  "$python" - "$state/out/seen.jsonl" "$1" "$2" <<'PY'
import json, sys
ts = sorted(json.loads(l)["t"] for l in open(sys.argv[1]))
a, b = float(sys.argv[2]), float(sys.argv[3])
inside = [a] + [t for t in ts if a <= t <= b] + [b]
print(int(max(y - x for x, y in zip(inside, inside[1:])) * 1000))
PY
}

# Prosody by the fixture's own config and data: stopped (its clients and the component
# dropped) and started again on the same ports.
prosody_stop() { stop_pid "$state/prosody.pid"; stop_pid "$state/prosody.pid.launcher"; }
prosody_start() {
  runuser -u prosody -- prosody --config "$state/prosody.cfg.lua" -F >>"$state/prosody.out" 2>&1 &
  echo $! >"$state/prosody.pid.launcher"
  wait_port "$c2s" 20 || fail "Prosody did not come back on $c2s"
  wait_port "$comp" 10 || fail "Prosody did not come back on $comp"
}

now() { date +%s.%N; }

# errors_between FROM TO COND [not-wait]: error answers with condition COND received in
# [FROM, TO] (with not-wait: only those whose type is not 'wait')
errors_between() {
  "$python" - "$state/out/errors.jsonl" "$1" "$2" "$3" "${4:-}" <<'PY'
import json, os, sys
path, a, b, cond, not_wait = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
rows = [json.loads(l) for l in open(path)] if os.path.exists(path) else []
print(sum(1 for r in rows if a <= r["t"] <= b and r["cond"] == cond and (not not_wait or r["type"] != "wait")))
PY
}

# first_error_after FROM COND: seconds from FROM to the first COND error after it (-1: none)
first_error_after() {
  "$python" - "$state/out/errors.jsonl" "$1" "$2" <<'PY'
import json, os, sys
path, a, cond = sys.argv[1], float(sys.argv[2]), sys.argv[3]
rows = [json.loads(l) for l in open(path)] if os.path.exists(path) else []
ts = [r["t"] - a for r in rows if r["t"] >= a and r["cond"] == cond]
print("%.2f" % min(ts) if ts else -1)
PY
}

# reflections_between FROM TO: reflections received in [FROM, TO]
reflections_between() {
  "$python" - "$state/out/seen.jsonl" "$1" "$2" <<'PY'
import json, sys
a, b = float(sys.argv[2]), float(sys.argv[3])
print(sum(1 for l in open(sys.argv[1]) if a <= json.loads(l)["t"] <= b))
PY
}

api_get() {  # api_get PORT PATH: prints the HTTP status
  "$python" - "$1" "$2" <<'PY'
import sys, urllib.request, urllib.error
try:
    print(urllib.request.urlopen("http://127.0.0.1:%s%s" % (sys.argv[1], sys.argv[2]), timeout=5).status)
except urllib.error.HTTPError as e:
    print(e.code)
except Exception:
    print(0)
PY
}

wait_http() {  # wait_http PORT PATH STATUS SECONDS
  local end=$((SECONDS + $4))
  until [ "$(api_get "$1" "$2")" = "$3" ]; do
    [ $SECONDS -ge $end ] && return 1
    sleep 0.2
  done
}

# The settings every scenario's component gets: refuse after 2 s without durability
# (short, so the outage scenarios see it), retry the XMPP server at least every second
# (as docs/operations.md advises for standbys), flood limits above the load's rate.
commit_flags=(--commit-unavailable-ms 2000 --xmpp-reconnect-max-ms 1000 --limits-messages-per-second 50 --limits-burst 100)
plus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a + b }'; }   # plus A B
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }     # at_least A B: A >= B
