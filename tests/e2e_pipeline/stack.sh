# Sourced by the end-to-end scripts that run the whole stack: PostgreSQL 15, Prosody (via
# tests/e2e/fixture.sh, without its standalone component) and `mucstreamd all` connected to
# it. The caller sets `mucstreamd` and `state` and calls stack_start; everything started is
# stopped by PID on exit. STACK_FIXTURE=fixture_ejabberd.sh puts ejabberd in Prosody's place
# (an absolute path: a fixture script elsewhere, with lib.sh beside it).
here=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)
stack_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
e2e=$stack_dir/../e2e
pgdir=$state-pg
python=/usr/bin/python3
fixture=$e2e/${STACK_FIXTURE:-fixture.sh}
case ${STACK_FIXTURE:-} in /*) fixture=$STACK_FIXTURE ;; esac  # an absolute path: a fixture made by the caller
all_pid=
all_log=$state/all.log
# shellcheck source=../e2e/lib.sh
. "$e2e/lib.sh"

stack_cleanup() {
  [ -n "$all_pid" ] && kill -TERM "$all_pid" 2>/dev/null && wait "$all_pid" 2>/dev/null || true
  "$fixture" stop "$state" >/dev/null 2>&1 || true
  "$stack_dir/../scripts/pg.sh" stop "$pgdir" || true
  rm -rf "$pgdir"
}
trap stack_cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- mucstreamd all log:" >&2; grep -v '^%' "$all_log" | tail -40 >&2; exit 1; }
sql() { psql "$pg" -XAtqc "$1"; }

# stack_start: PostgreSQL and Prosody; sets pg (libpq string) and comp (component port).
stack_start() {
  rm -rf "$pgdir"; mkdir -p "$pgdir"; chmod 755 "$pgdir"
  pg=$("$stack_dir/../scripts/pg.sh" start "$pgdir")
  E2E_NO_COMPONENT=1 "$fixture" start "$state" "$mucstreamd" >/dev/null
  comp=$(grep "^COMPONENT_PORT=" "$state/env" | cut -d= -f2)
}

# start_all LOG [more mucstreamd all flags]: starts `all` and waits until it serves rooms.
start_all() {
  all_log=$1; shift
  : >"$all_log"  # before the background start: the wait below reads it at once
  "$mucstreamd" all --xmpp-host 127.0.0.1 --xmpp-port "$comp" --domain rooms.localhost --secret e2e-secret \
    --pg "$pg" --kafka-spill-dir "$state/spill" "$@" >"$all_log" 2>&1 &
  all_pid=$!
  for _ in $(seq 150); do grep -q "connected: serving" "$all_log" && return 0; sleep 0.1; done
  fail "mucstreamd all did not connect"
}

# stop_all: SIGTERM drains the embedded cluster into PostgreSQL before `all` exits.
stop_all() {
  kill -TERM "$all_pid"; wait "$all_pid" || fail "mucstreamd all exited with $?"; all_pid=
}
