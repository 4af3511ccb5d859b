#!/usr/bin/env bash
# Probes 1 and 2 against `mucstreamd all` behind Prosody 0.12 (tests/faults/lib.sh starts the
# processes on free ports in STATE_DIR and stops them by PID). After the probe (wire_probe.py,
# run as an ordinary account) the component must still be on its first connection: no
# "disconnected" line, no second "connected: serving".
#   wire.sh apostrophes|flood MUCSTREAMD STATE_DIR [mucstreamd flags…]
set -euo pipefail
mode=$1 mucstreamd=$2 state=$3
shift 3
hostile=$(cd "$(dirname "$0")" && pwd)
. "$hostile/../faults/lib.sh"

world_start
start all "$mucstreamd" all $(xmpp_flags) --pg "$pg" --http-listen "127.0.0.1:$(free_port)" \
  --kafka-spill-dir "$state/spill" "$@"
wait_log all "connected: serving" 30 || fail "mucstreamd all did not connect"
say "probe $mode"
(cd "$hostile" && "$python" "$hostile/wire_probe.py" "$state" "$mode") | tee "$state/out/probe.out" \
  || fail "probe $mode"
grep -q '^PASS' "$state/out/probe.out" || fail "probe $mode did not pass"
if grep -E "disconnected|stream error" "$state/all.log"; then fail "the component lost its stream"; fi
[ "$(grep -c 'connected: serving' "$state/all.log")" -eq 1 ] || fail "the component reconnected"
echo "PASS: $mode: component on its first connection"
