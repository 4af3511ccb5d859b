#!/usr/bin/env bash
# A call end to end through every process of the pipeline (issue 6):
#   slixmpp clients -> Prosody -> `mucstreamd all` (component + embedded Kafka mock cluster +
#   materialiser) -> PostgreSQL 15; then the events and users rows are checked against what
#   the call did (tests/e2e/calls_flow.py).
# Usage: run_calls.sh MUCSTREAMD STATE_DIR. Everything it starts is stopped by PID on exit.
set -euo pipefail
mucstreamd=$1 state=$2
here=$(cd "$(dirname "$0")" && pwd)
e2e=$here/../e2e
pgdir=$state-pg
python=/usr/bin/python3
all_pid=

cleanup() {
  [ -n "$all_pid" ] && kill -TERM "$all_pid" 2>/dev/null && wait "$all_pid" 2>/dev/null || true
  "$e2e/fixture.sh" stop "$state" >/dev/null 2>&1 || true
  "$here/../scripts/pg.sh" stop "$pgdir" || true
  rm -rf "$pgdir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- mucstreamd all log:" >&2; grep -v '^%' "$state"/all.log | tail -40 >&2; exit 1; }

rm -rf "$pgdir"; mkdir -p "$pgdir"; chmod 755 "$pgdir"
pg=$("$here/../scripts/pg.sh" start "$pgdir")
# Prosody (+ the standalone component, which is replaced by `all` below).
"$e2e/fixture.sh" start "$state" "$mucstreamd" >/dev/null
kill -TERM "$(cat "$state/component.pid")"; sleep 0.5
comp=$(grep COMPONENT_PORT "$state/env" | cut -d= -f2)

"$mucstreamd" all --xmpp-host 127.0.0.1 --xmpp-port "$comp" --domain rooms.localhost --secret e2e-secret \
  --pg "$pg" --kafka-spill-dir "$state/spill" >"$state/all.log" 2>&1 &
all_pid=$!
for _ in $(seq 100); do grep -q "connected: serving" "$state/all.log" && break; sleep 0.1; done
grep -q "connected: serving" "$state/all.log" || fail "mucstreamd all did not connect"

export FLOW_FILE=$state/flow.json
(cd "$e2e" && PYTHONPATH="$e2e" $python "$here/flow_calls.py" "$state") || fail "call flow"
# Stopping `all` drains the embedded cluster into PostgreSQL before it exits.
kill -TERM "$all_pid"; wait "$all_pid" || fail "mucstreamd all exited with $?"; all_pid=
(cd "$e2e" && PYTHONPATH="$e2e" $python "$here/check_calls.py" "$state" "$pg" "$FLOW_FILE") || fail "rows in PostgreSQL"
