#!/usr/bin/env bash
# run.sh through ejabberd instead of Prosody, with both MUC domains as hosts of ONE
# ejabberd_service listener: ejabberd then routes every host to each component connection,
# and the process hands a stanza that arrives on the other domain's connection to that
# domain's loop. The fixture is tests/e2e/fixture_ejabberd.sh with globex.localhost added to
# its component listener and to the multicast senders, made in STATE_DIR-fixture (with lib.sh
# beside it); run.sh then checks both domains' multicast counters.
# Usage: run_ejabberd.sh MUCSTREAMD MUCCTL STATE_DIR
set -euo pipefail
mucstreamd=$1 mucctl=$2 state=$3
here=$(cd "$(dirname "$0")" && pwd)
e2e=$(cd "$here/../e2e" && pwd)
fixdir=$state-fixture
rm -rf "$fixdir"; mkdir -p "$fixdir"; chmod 755 "$fixdir"
cp "$e2e/lib.sh" "$fixdir/lib.sh"
/usr/bin/python3 - "$e2e/fixture_ejabberd.sh" "$fixdir/fixture_ejabberd.sh" "$(cd "$e2e/../.." && pwd)" <<'PY'
import sys
src, dst, repo = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(src).read()
# The copy runs from another directory: the multicast module's source is the repository's.
text = text.replace('"$here/../../deploy/', '"' + repo + '/deploy/')
entry = '      "rooms.localhost":\n        password: "$secret"\n'
if entry not in text:
    sys.exit("fixture_ejabberd.sh has no rooms.localhost listener entry to add globex.localhost beside")
text = text.replace(entry, entry + '      "globex.localhost":\n        password: "$secret"\n', 1)
# Both domains may send through multicast (mucstream's module and ejabberd's mod_multicast),
# as a deployment serving two tenants would allow them.
for one, both in (('      - \\"rooms.localhost\\"\n', '      - \\"rooms.localhost\\"\n      - \\"globex.localhost\\"\n'),
                  ('      - "rooms.localhost"\n      - "conference.localhost"\n',
                   '      - "rooms.localhost"\n      - "globex.localhost"\n      - "conference.localhost"\n')):
    if one not in text:
        sys.exit("fixture_ejabberd.sh has no multicast sender entry for rooms.localhost to add globex.localhost beside")
    text = text.replace(one, both, 1)
open(dst, "w").write(text)
PY
chmod 755 "$fixdir/fixture_ejabberd.sh"
rc=0
# debug: the component logs each stanza it hands to the other domain's loop (counted below).
# Multicast on: run.sh checks each domain's multicast counter in /metrics, nothing refused.
MUCSTREAM_LOG_LEVEL=debug STACK_FIXTURE=$fixdir/fixture_ejabberd.sh "$here/run.sh" "$mucstreamd" "$mucctl" "$state" \
  || rc=$?
rm -rf "$fixdir"
# How ejabberd spread the two hosts over the two connections is its choice: shown, not asserted.
echo "stanzas read on the other domain's connection and handed over:" \
  "$(cat "$state/all.log" "$state/all2.log" 2>/dev/null | grep -c "handed to its own domain's loop" || true)"
exit $rc
