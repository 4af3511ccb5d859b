#!/usr/bin/env bash
# Another room's latency while one room is flooded, before and after, in one run: the same
# probe (tests/hostile/wire_probe.py bench) against `mucstreamd all` behind Prosody, once
# per binary, each with its default settings. The probe measures a quiet room (2 occupants,
# a message every 100 ms) alone, then while an 11-person room takes 30 x 250 KB at 10/s from
# one sender (within the message rate), and prints p50/p99 and the ratio flooded/alone.
#   tools/bench/flood_latency.sh BEFORE_MUCSTREAMD AFTER_MUCSTREAMD   (or one binary: "after" only)
#   AFTER_FLAGS="--xmpp-outbound-window-bytes 262144" adds settings to the second run.
#   e.g. tools/bench/flood_latency.sh ../old-checkout/build/tools/mucstreamd build/tools/mucstreamd
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
probe=$here/../../tests/hostile/wire_probe.py
labels=(before after)
[ $# -eq 1 ] && labels=(after)
for label in "${labels[@]}"; do
  bin=$1; shift
  bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
  (
    mucstreamd=$bin state=$(mktemp -d /tmp/mucstream-floodbench.XXXXXX)
    . "$here/../../tests/faults/lib.sh"
    world_start
    extra=(); [ "$label" = after ] && read -ra extra <<<"${AFTER_FLAGS:-}"
    start all "$mucstreamd" all $(xmpp_flags) --pg "$pg" --kafka-spill-dir "$state/spill" "${extra[@]}"
    wait_log all "connected: serving" 30 || fail "mucstreamd all did not connect"
    echo "== $label: $mucstreamd"
    (cd "$(dirname "$probe")" && "$python" "$probe" "$state" bench) | grep -E '^figure|FAIL' | sed "s/^figure /$label /"
    echo "$label component reconnects: $(($(grep -c 'connected: serving' "$state/all.log") - 1))"
  )
done
