#!/usr/bin/env bash
# Room archives end to end: slixmpp clients -> Prosody -> `mucstreamd all` (component,
# embedded Kafka, materialiser, archive reader) -> PostgreSQL and back (flow_mam.py).
# Usage: run_mam.sh MUCSTREAMD STATE_DIR. Everything it starts is stopped by PID on exit.
# Exits 77 (skipped) when this mucstreamd has no archive reader (no archive.* settings).
set -euo pipefail
mucstreamd=$1 state=$2
help=$("$mucstreamd" all --help 2>&1 || true)  # read whole: grep -q in a pipe could cut it short
if ! grep -q -- "--archive-max-page" <<<"$help"; then
  echo "SKIP: this mucstreamd serves no room archives (no --archive-max-page)"
  exit 77
fi
# shellcheck source=stack.sh
. "$(dirname "$0")/stack.sh"

stack_start
# One client sends thousands of messages as fast as it can: no per-sender rate limit here.
start_all "$state/all.log" --limits-messages-per-second 100000 --limits-burst 100000 \
  --limits-sender-bytes-per-second 0
(cd "$e2e" && PYTHONPATH="$e2e" $python "$here/flow_mam.py" "$state") || fail "archive flow"
stop_all
