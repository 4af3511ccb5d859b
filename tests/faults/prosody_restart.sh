#!/usr/bin/env bash
# Prosody restarted under chat load (`mucstreamd all`, embedded): the component reconnects
# and the rooms are usable within FAULTS_PROSODY_BOUND_MS (2000) of Prosody's return,
# measured by a fresh client joining and getting its message reflected; the load's clients
# come back too, and nothing a client saw is lost.
# Usage: prosody_restart.sh MUCSTREAMD STATE_DIR
set -euo pipefail
mucstreamd=$1 state=$2
. "$(dirname "$0")/lib.sh"
bound_ms=${FAULTS_PROSODY_BOUND_MS:-2000}

world_start
start all "$mucstreamd" all $(xmpp_flags) --pg "$pg" "${commit_flags[@]}" --kafka-spill-dir "$state/spill"
wait_log all "connected: serving" 30 || fail "mucstreamd all did not connect"
load_start --rooms 2 --rate 5
wait_reflections 30 20 || fail "no chat before the restart"

say "Prosody stopped"
prosody_stop
sleep 1
prosody_start
t_up=$(now)
say "Prosody back"
out=$(cd "$e2e" && "$python" "$faults/probe.py" "$state" "$state/out" "$t_up" 15) || fail "probe: $out"
ms=$(sed -n 's/^usable after \([0-9]*\) ms$/\1/p' <<<"$out")
say "rooms usable $ms ms after Prosody's return"
[ "$ms" -le "$bound_ms" ] || fail "rooms usable only $ms ms after Prosody's return (bound $bound_ms ms)"
wait_reflections 30 30 || fail "the load's clients did not come back"
load_stop
verify_rooms
audit --wait 10
echo "PASS: Prosody restarted: rooms usable ${ms} ms after its return; nothing lost"
