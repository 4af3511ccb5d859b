#!/usr/bin/env bash
# run.sh through ejabberd instead of Prosody, with both MUC domains as hosts of ONE
# ejabberd_service listener: ejabberd then routes every host to each component connection,
# and the process hands a stanza that arrives on the other domain's connection to that
# domain's loop. The fixture is tests/e2e/fixture_ejabberd.sh with globex.localhost added to
# its component listener, made in STATE_DIR-fixture (with lib.sh beside it).
# Usage: run_ejabberd.sh MUCSTREAMD MUCCTL STATE_DIR
set -euo pipefail
mucstreamd=$1 mucctl=$2 state=$3
here=$(cd "$(dirname "$0")" && pwd)
e2e=$(cd "$here/../e2e" && pwd)
fixdir=$state-fixture
rm -rf "$fixdir"; mkdir -p "$fixdir"; chmod 755 "$fixdir"
cp "$e2e/lib.sh" "$fixdir/lib.sh"
/usr/bin/python3 - "$e2e/fixture_ejabberd.sh" "$fixdir/fixture_ejabberd.sh" <<'PY'
import sys
src, dst = sys.argv[1], sys.argv[2]
text = open(src).read()
entry = '      "rooms.localhost":\n        password: "$secret"\n'
if entry not in text:
    sys.exit("fixture_ejabberd.sh has no rooms.localhost listener entry to add globex.localhost beside")
text = text.replace(entry, entry + '      "globex.localhost":\n        password: "$secret"\n', 1)
open(dst, "w").write(text)
PY
chmod 755 "$fixdir/fixture_ejabberd.sh"
rc=0
# debug: the component logs each stanza it hands to the other domain's loop (counted below).
# E2E_MULTICAST=0: ejabberd's multicast senders are the fixture's own business (one domain);
# here every stanza goes one per recipient.
E2E_MULTICAST=0 MUCSTREAM_LOG_LEVEL=debug STACK_FIXTURE=$fixdir/fixture_ejabberd.sh "$here/run.sh" "$mucstreamd" "$mucctl" "$state" \
  || rc=$?
rm -rf "$fixdir"
# How ejabberd spread the two hosts over the two connections is its choice: shown, not asserted.
echo "stanzas read on the other domain's connection and handed over:" \
  "$(cat "$state/all.log" "$state/all2.log" 2>/dev/null | grep -c "handed to its own domain's loop" || true)"
exit $rc
