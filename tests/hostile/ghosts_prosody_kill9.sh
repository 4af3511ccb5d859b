#!/usr/bin/env bash
# Probe 6a: Prosody dies (kill -9) under occupants and comes back GHOSTS_DOWN_S (5) seconds
# later; its clients never do. The component reconnects within 2 s of Prosody's return;
# every occupant is a ghost: the temporary room ends, the persistent room is kept empty,
# their rows in PostgreSQL are closed, the API lists only the persistent room as active, and
# a newcomer sees nobody. Usage: ghosts_prosody_kill9.sh MUCSTREAMD STATE_DIR
set -euo pipefail
mucstreamd=$1 state=$2
. "$(dirname "$0")/../faults/lib.sh"
. "$(dirname "$0")/ghosts_lib.sh"
down_s=${GHOSTS_DOWN_S:-5}

prosody_back() {  # Prosody started again; prints when its component port first accepted (epoch s)
  runuser -u prosody -- prosody --config "$state/prosody.cfg.lua" -F >>"$state/prosody.out" 2>&1 &
  echo $! >"$state/prosody.pid.launcher"
  "$python" - "$comp" <<'PY'
import socket, sys, time
end = time.time() + 20
while time.time() < end:
    s = socket.socket()
    try:
        s.connect(("127.0.0.1", int(sys.argv[1])))
        print("%.3f" % time.time())
        sys.exit(0)
    except OSError:
        time.sleep(0.005)
    finally:
        s.close()
sys.exit(1)
PY
}

world_start
http=$(free_port)
all_start
hold_start ghosts
tmp=$(room_of ghosts temporary) keep=$(room_of ghosts persistent)
wait_rows "$tmp" "1 2" 10
wait_rows "$keep" "1 1" 10

say "kill -9 of Prosody; back in $down_s s"
kill -KILL "$(cat "$state/prosody.pid")"
sleep 0.2
kill9 hold-ghosts  # its connections went with Prosody: it never comes back
from=$(log_lines all)
sleep "$down_s"
t_up=$(prosody_back) || fail "Prosody did not come back on $comp"
wait_port "$c2s" 10 || fail "Prosody did not come back on $c2s"
wait_log all "connected: serving" 10 "$from" || fail "the component did not reconnect"
# from the moment the component port accepted to the log line of the handshake done
t_serving=$(date -d "$(tail -n +"$((from + 1))" "$state/all.log" | grep -m1 "connected: serving" | cut -d' ' -f1)" +%s.%N)
reconnect_ms=$(awk -v a="$t_up" -v b="$t_serving" 'BEGIN { printf "%d", (b - a) * 1000 }')
say "component serving again $reconnect_ms ms after Prosody's return"
[ "$reconnect_ms" -le 2000 ] || fail "reconnected only $reconnect_ms ms after Prosody's return (bound 2000 ms)"

wait_rows "$tmp" "0 0" 10
wait_rows "$keep" "1 0" 10
gone_ms=$(awk -v a="$t_up" -v b="$(now)" 'BEGIN { printf "%d", (b - a) * 1000 }')
say "ghosts gone, rows closed $gone_ms ms after Prosody's return"
active=$(active_rooms) || fail "the API did not answer"
grep -qx "$tmp" <<<"$active" && fail "the API lists the ended room $tmp as active"
grep -qx "$keep" <<<"$active" || fail "the API lost the persistent room $keep"
check_newcomer
echo "PASS: Prosody kill -9 for ${down_s} s: reconnected after ${reconnect_ms} ms, ghosts gone and rows closed ${gone_ms} ms after its return"
