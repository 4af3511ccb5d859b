#!/usr/bin/env bash
# Probe 6b: kill -9 of `mucstreamd all` (embedded: PostgreSQL is the log); while it is down
# the clients of two rooms go away for good, the client of a third stops answering (SIGSTOP),
# the client of a fourth stays. On restart the rooms come back from PostgreSQL with every
# occupant and the room pings each session: the gone ones are ghosts at once, the silent one
# after xmpp.ghost_ping_timeout_ms (3 s here); their temporary rooms end, the persistent one
# stays empty, their rows in PostgreSQL are closed and the API stops listing the ended rooms.
# The living client stays, and its XEP-0410 self-ping says it is joined.
# Usage: ghosts_all_kill9.sh MUCSTREAMD STATE_DIR
set -euo pipefail
mucstreamd=$1 state=$2
. "$(dirname "$0")/../faults/lib.sh"
. "$(dirname "$0")/ghosts_lib.sh"

world_start
http=$(free_port)
all_start
hold_start ghosts
hold_start alive
hold_start silent
tmp=$(room_of ghosts temporary) keep=$(room_of ghosts persistent)
live=$(room_of alive alive) quiet=$(room_of silent silent)
wait_rows "$tmp" "1 2" 10
wait_rows "$quiet" "1 1" 10

say "kill -9 of mucstreamd all"
kill9 all
kill9 hold-ghosts                      # gone while nobody serves the rooms: nobody hears them go
kill -STOP "${PID[hold-silent]}"       # still connected, never answers again
sleep 1
t0=$(now)
all_start
say "restarted"
wait_rows "$tmp" "0 0" 10
gone_ms=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%d", (b - a) * 1000 }')
wait_rows "$keep" "1 0" 5
wait_rows "$quiet" "0 0" 10
silent_ms=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%d", (b - a) * 1000 }')
[ "$silent_ms" -ge 3000 ] || fail "the silent client was removed after $silent_ms ms, before its ping timed out"
wait_rows "$live" "1 1" 1
say "gone clients' rows closed $gone_ms ms after the restart, the silent one's $silent_ms ms"

active=$(active_rooms) || fail "the API did not answer"
for r in "$tmp" "$quiet"; do grep -qx "$r" <<<"$active" && fail "the API lists the ended room $r as active"; done
for r in "$keep" "$live"; do grep -qx "$r" <<<"$active" || fail "the API lost $r"; done

touch "$state/out/alive.selfping"
for _ in $(seq 50); do [ -f "$state/out/alive.selfping.json" ] && break; sleep 0.1; done
grep -q '"type": "result"' "$state/out/alive.selfping.json" 2>/dev/null \
  || fail "the living client's self-ping: $(cat "$state/out/alive.selfping.json" 2>/dev/null)"
check_newcomer
echo "PASS: kill -9 of all: gone clients' rows closed ${gone_ms} ms after the restart, the silent one's ${silent_ms} ms; the living client stayed"
