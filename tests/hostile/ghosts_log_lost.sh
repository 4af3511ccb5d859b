#!/usr/bin/env bash
# Probe 6d: rows a restart orphaned. `mucstreamd all --kafka-brokers` against a
# `mucstreamd kafka-mock` process; both get kill -9 and the mock comes back empty (it keeps
# everything in memory): the restarted service restores no room, so no event will ever close
# the rows of the rooms it had. Once its materialiser has caught up it closes them as
# orphaned; the API lists none of them; a client still connected learns from its XEP-0410
# self-ping that it is no longer joined. Usage: ghosts_log_lost.sh MUCSTREAMD STATE_DIR
set -euo pipefail
mucstreamd=$1 state=$2
. "$(dirname "$0")/../faults/lib.sh"
. "$(dirname "$0")/ghosts_lib.sh"

world_start
http=$(free_port)
kafka_mock_start 1
all_start --kafka-brokers "$brokers"
hold_start ghosts
hold_start alive
tmp=$(room_of ghosts temporary) keep=$(room_of ghosts persistent) live=$(room_of alive alive)
wait_rows "$tmp" "1 2" 30  # the materialiser's consumer group takes a few seconds to join
wait_rows "$keep" "1 1" 10
wait_rows "$live" "1 1" 10

say "kill -9 of mucstreamd all and of kafka-mock (the log is lost)"
kill9 all
kill9 kafka-mock
kill9 hold-ghosts
mv "$state/kafka-mock.log" "$state/kafka-mock.1.log"
kafka_mock_start 1
t0=$(now)
all_start --kafka-brokers "$brokers"
for r in "$tmp" "$keep" "$live"; do wait_rows "$r" "0 0" 30; done
closed_ms=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%d", (b - a) * 1000 }')
reasons=$(sql "SELECT string_agg(DISTINCT ended_reason, ',') FROM rooms WHERE jid IN ('$tmp', '$keep', '$live')")
[ "$reasons" = "orphaned" ] || fail "ended_reason of the orphaned rooms: '$reasons'"
say "orphaned rows closed $closed_ms ms after the restart"

active=$(active_rooms) || fail "the API did not answer"
for r in "$tmp" "$keep" "$live"; do grep -qx "$r" <<<"$active" && fail "the API lists the orphaned room $r as active"; done
touch "$state/out/alive.selfping"
for _ in $(seq 50); do [ -f "$state/out/alive.selfping.json" ] && break; sleep 0.1; done
grep -q '"cond": "not-acceptable"' "$state/out/alive.selfping.json" 2>/dev/null \
  || fail "the living client's self-ping into its lost room: $(cat "$state/out/alive.selfping.json" 2>/dev/null)"
echo "PASS: log lost with the service: orphaned rows closed ${closed_ms} ms after the restart; the client still connected is told it is not joined"
