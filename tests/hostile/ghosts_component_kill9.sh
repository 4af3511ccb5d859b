#!/usr/bin/env bash
# Probe 6c, the production shape: `mucstreamd kafka-mock`, a component publishing to it, a
# materialiser and the API as their own processes. kill -9 of the component; meanwhile the
# clients of two rooms go away, the client of a third stays. The restarted component restores
# rooms and occupants from Kafka and pings them: the ghosts leave through Kafka, the
# materialiser closes their rows, the API stops listing the ended room, the living client
# stays. Usage: ghosts_component_kill9.sh MUCSTREAMD STATE_DIR
set -euo pipefail
mucstreamd=$1 state=$2
. "$(dirname "$0")/../faults/lib.sh"
. "$(dirname "$0")/ghosts_lib.sh"

world_start
kafka_mock_start 1
"$mucstreamd" migrate --pg "$pg" >"$state/migrate.log" 2>&1 || fail "migrate"
ghost_flags=(--xmpp-ghost-ping-timeout-ms 3000)
component_start component "${commit_flags[@]}" "${ghost_flags[@]}"
materialize_start mat
http=$(free_port)
start api "$mucstreamd" api --pg "$pg" --jwt-secret "$jwt_secret" --http-listen "127.0.0.1:$http"
hold_start ghosts
hold_start alive
tmp=$(room_of ghosts temporary) keep=$(room_of ghosts persistent) live=$(room_of alive alive)
wait_rows "$tmp" "1 2" 30  # the materialiser's consumer group takes a few seconds to join
wait_rows "$live" "1 1" 10

say "kill -9 of the component"
kill9 component
kill9 hold-ghosts
sleep 1
t0=$(now)
component_start component "${commit_flags[@]}" "${ghost_flags[@]}"
say "restarted"
wait_rows "$tmp" "0 0" 15
wait_rows "$keep" "1 0" 5
gone_ms=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%d", (b - a) * 1000 }')
wait_rows "$live" "1 1" 1
say "ghosts' rows closed $gone_ms ms after the restart (through Kafka and the materialiser)"
active=$(active_rooms) || fail "the API did not answer"
grep -qx "$tmp" <<<"$active" && fail "the API lists the ended room $tmp as active"
for r in "$keep" "$live"; do grep -qx "$r" <<<"$active" || fail "the API lost $r"; done
check_newcomer
echo "PASS: kill -9 of the component (Kafka): ghosts' rows closed ${gone_ms} ms after the restart; the living client stayed"
