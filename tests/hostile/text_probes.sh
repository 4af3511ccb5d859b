#!/usr/bin/env bash
# Probes 5 and 7 against Prosody, PostgreSQL and `mucstreamd all` of their own (stopped by PID):
#   history  4 persistent rooms filled with large messages: RSS bounded, down after destroy
#   nicks    look-alike nicks refused with conflict on join and nick change
# Usage: text_probes.sh MUCSTREAMD STATE_DIR history|nicks
set -euo pipefail
mucstreamd=$1 state=$2 mode=$3
hostile=$(cd "$(dirname "$0")" && pwd)
. "$hostile/../faults/lib.sh"
export PYTHONPATH="$hostile:$PYTHONPATH"

world_start
flags=(--limits-messages-per-second 50 --limits-burst 100)
if [ "$mode" = history ]; then
  flags+=(--rooms-max-history 100)
  # Bounds the probe reaches: 4 MiB per room, 12 MiB for the service (4 rooms would hold 16).
  # TEXT_PROBE_BASELINE=1 runs a binary from before the byte bounds, for the before figure.
  # The byte rate limits are off here: this probe is about what history keeps, not how fast
  # one sender may fill it.
  [ -n "${TEXT_PROBE_BASELINE:-}" ] ||
    flags+=(--rooms-max-history-bytes 4194304 --rooms-max-history-bytes-total 12582912
            --limits-sender-bytes-per-second 0 --limits-room-bytes-per-second 0)
fi
start all "$mucstreamd" all $(xmpp_flags) --pg "$pg" "${flags[@]}"
wait_log all "connected: serving" 30 || fail "mucstreamd all did not connect"
case $mode in
  # 80 messages of 200 KB into each room: 64 MB were kept before the byte bounds; now at
  # most 12 MiB of history plus what the process needs around it (24 MB margin).
  history) "$python" "$hostile/history_memory.py" "$state" "${PID[all]}" 80 200000 36 "$pg" || fail "history memory probe" ;;
  nicks) "$python" "$hostile/nicks.py" "$state" || fail "look-alike nick probe" ;;
  *) fail "unknown mode $mode" ;;
esac
[ "$(grep -c "connected: serving" "$state/all.log")" -eq 1 ] || fail "the component reconnected during the probe"
echo "PASS: $mode"
