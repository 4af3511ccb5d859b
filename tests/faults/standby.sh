#!/usr/bin/env bash
# Failover: two `mucstreamd component --kafka-brokers` on the same domain; Prosody admits
# one, the standby keeps retrying. kill -9 of the active one under chat load: the standby
# takes over with the rooms and occupants restored from Kafka. Prints the gap the clients
# saw (longest time without a reflection around the kill) and fails above
# FAULTS_FAILOVER_BOUND_MS (10000); then the audit.
# Usage: standby.sh MUCSTREAMD STATE_DIR
set -euo pipefail
mucstreamd=$1 state=$2
. "$(dirname "$0")/lib.sh"
bound_ms=${FAULTS_FAILOVER_BOUND_MS:-10000}

world_start
kafka_mock_start 3
"$mucstreamd" migrate --pg "$pg" >"$state/migrate.log" 2>&1 || fail "migrate"
component_start active "${commit_flags[@]}"
start standby "$mucstreamd" component $(xmpp_flags) --kafka-brokers "$brokers" "${commit_flags[@]}"
materialize_start mat1
load_start --rooms 3 --rate 5
wait_reflections 30 20 || fail "no chat before the failover"
sleep 5  # the standby has been refused a few times by now
grep -q "connected: serving" "$state/standby.log" && fail "the standby connected while the active one served"

t_kill=$(now)
say "kill -9 of the active component"
kill9 active
wait_log standby "connected: serving" 40 || fail "the standby did not take over"
say "the standby serves"
wait_reflections 30 30 || fail "the chat did not resume through the standby"
t_end=$(now)
load_stop
gap=$(longest_gap "$(plus "$t_kill" -1)" "$t_end")
say "failover gap: $gap ms without a reflection (kill -9 of the active component -> the standby's first reflection)"
[ "$gap" -le "$bound_ms" ] || fail "failover gap $gap ms above $bound_ms ms"
verify_rooms
audit --wait 60
echo "PASS: standby took over; clients saw a gap of $gap ms; nothing lost"
