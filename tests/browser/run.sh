#!/usr/bin/env bash
# A browser client end to end: Debian's headless Chromium (driven by playwright-core) runs a
# small page using @xmpp/client over Prosody's WebSocket (mod_websocket), joins a room of
# `mucstreamd all` (with PostgreSQL), exchanges messages with a slixmpp client, pages the
# archive, corrects and retracts a message; the slixmpp client checks that it saw the
# correction and the tombstone. Screenshots go to ARTEFACTS.
#
# Usage: run.sh MUCSTREAMD STATE_DIR NODE_DIR ARTEFACTS
#   NODE_DIR: where package.json/package-lock.json are copied and `npm ci` installs
#   (under the build tree; installed when missing or when the lock file changed).
# Exit 77 (ctest: skipped) when the room does not advertise archive, correction or
# retraction: the steps it could run passed, the others did not run.
set -euo pipefail
mucstreamd=$1 state=$2 node_dir=$3 artefacts=$4
src=$(cd "$(dirname "$0")" && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}
for tool in node npm "$chromium"; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool missing (tools/debian-packages.txt: chromium nodejs npm)" >&2; exit 1; }
done

# node_modules lives in the build tree; the committed lock file pins every version.
mkdir -p "$node_dir"
if ! cmp -s "$src/package-lock.json" "$node_dir/package-lock.json" || [ ! -d "$node_dir/node_modules/playwright-core" ]; then
  cp "$src/package.json" "$src/package-lock.json" "$node_dir/"
  (cd "$node_dir" && timeout 300 npm ci --no-audit --no-fund --loglevel=error) || { echo "FAIL: npm ci" >&2; exit 1; }
fi

# shellcheck source=../e2e_pipeline/stack.sh
. "$src/../e2e_pipeline/stack.sh"
export E2E_WEBSOCKET=1
stack_start
ws=$(grep '^WEBSOCKET_URL=' "$state/env" | cut -d= -f2)
[ -n "$ws" ] || fail "Prosody has no WebSocket endpoint"
start_all "$state/all.log" --limits-messages-per-second 100 --limits-burst 200

rm -rf "$artefacts"; mkdir -p "$artefacts"
ROOM="browser-$(date +%s)-$$@rooms.localhost"
export ROOM STATE=$state
(cd "$e2e" && PYTHONPATH="$e2e" timeout 90 "$python" "$src/flow_peer.py" "$state") >"$state/peer.log" 2>&1 &
peer=$!
set +e
NODE_DIR=$node_dir WEBSOCKET_URL=$ws ARTEFACTS=$artefacts CHROMIUM=$chromium timeout 90 node "$src/drive.mjs"
browser_rc=$?
wait "$peer"
peer_rc=$?
set -e
cat "$state/peer.log"
[ "$peer_rc" = 0 ] || fail "the slixmpp peer failed ($peer_rc)"
echo "screenshots: $artefacts"
case $browser_rc in
  0) echo "PASS: the browser joined, chatted, paged the archive, corrected and retracted" ;;
  77) echo "SKIPPED in part: the steps above that passed ran; see the SKIPPED line"; exit 77 ;;
  *) fail "the browser side failed ($browser_rc)" ;;
esac
