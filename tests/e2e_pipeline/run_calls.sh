#!/usr/bin/env bash
# A call end to end through every process of the pipeline:
#   slixmpp clients -> Prosody -> `mucstreamd all` (component + embedded Kafka mock cluster +
#   materialiser) -> PostgreSQL 15; then the events and users rows are checked against what
#   the call did (tests/e2e/calls_flow.py).
# Usage: run_calls.sh MUCSTREAMD STATE_DIR. Everything it starts is stopped by PID on exit.
set -euo pipefail
mucstreamd=$1 state=$2
# shellcheck source=stack.sh
. "$(dirname "$0")/stack.sh"

stack_start
start_all "$state/all.log"

export FLOW_FILE=$state/flow.json
(cd "$e2e" && PYTHONPATH="$e2e" $python "$here/flow_calls.py" "$state") || fail "call flow"
stop_all
(cd "$e2e" && PYTHONPATH="$e2e" $python "$here/check_calls.py" "$state" "$pg" "$FLOW_FILE") || fail "rows in PostgreSQL"
