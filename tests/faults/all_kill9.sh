#!/usr/bin/env bash
# kill -9 of `mucstreamd all` (embedded: PostgreSQL is the commit point) at a random moment
# under chat load and restart, twice; then the audit: every reflected message stored
# exactly once, the rooms back as they were. Usage: all_kill9.sh MUCSTREAMD STATE_DIR
set -euo pipefail
mucstreamd=$1 state=$2
. "$(dirname "$0")/lib.sh"

world_start
all_start() {
  local from; from=$(log_lines all)
  start all "$mucstreamd" all $(xmpp_flags) --pg "$pg" "${commit_flags[@]}" --kafka-spill-dir "$state/spill"
  wait_log all "connected: serving" 30 "$from" || fail "mucstreamd all did not connect"
}
all_start
load_start --rooms 3 --rate 5
wait_reflections 30 20 || fail "no chat before the kill"
delays=()
for round in 1 2; do  # two kills, each at a random moment of the load
  delay_ms=$((300 + RANDOM % 3000))
  delays+=("$delay_ms")
  say "kill -9 of mucstreamd all in $delay_ms ms (under load, round $round)"
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  kill9 all
  sleep 0.5
  all_start
  say "restarted"
  wait_reflections 60 30 || fail "the chat did not resume after the restart"
done
load_stop
verify_rooms
audit --wait 10
echo "PASS: kill -9 of all twice (after ${delays[*]} ms of load); nothing a client saw was lost"
