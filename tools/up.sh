#!/usr/bin/env bash
# The README's main command (`tools/dev up`): a local Prosody on loopback with test
# accounts and mucstream attached as rooms.localhost, in the foreground until Ctrl-C.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
state=${MUCSTREAM_UP_DIR:-/tmp/mucstream-up}
c2s=${C2S_PORT:-5222}
comp=${COMPONENT_PORT:-5347}
stop() { "$here/tests/e2e/fixture.sh" stop "$state"; echo "stopped Prosody and mucstreamd"; }
trap stop EXIT
trap 'exit 0' INT TERM
E2E_C2S_PORT=$c2s E2E_COMPONENT_PORT=$comp E2E_COMPONENT_ARGS=" " \
  "$here/tests/e2e/fixture.sh" start "$state" "$here/build/tools/mucstreamd"
cat <<MSG

mucstream is running behind Prosody (state in $state).
  Connect an XMPP client to 127.0.0.1:$c2s (no TLS) as alice@localhost or bob@localhost,
  password "pw" (also carol, dave, eve), and join  test@rooms.localhost  with any nick.
  Prosody's own MUC is at conference.localhost for comparison.
  Events (JSON lines):  tail -f $state/events.jsonl
  Component log:        tail -f $state/component.log
Ctrl-C stops everything.
MSG
tail -n 0 -f "$state/component.log" &
tail_pid=$!
trap 'kill $tail_pid 2>/dev/null; exit 0' INT TERM
wait $tail_pid
