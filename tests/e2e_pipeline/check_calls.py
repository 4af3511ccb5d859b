"""Reads the events and users rows of the call's room from PostgreSQL (psql, JSON) and
checks them against the flow: exactly the expected events in seq order with the right
actor/peer sessions and data, and the client info in users."""
import json
import subprocess
import sys

# Usage: check_calls.py STATE_DIR PG FLOW_FILE (STATE_DIR first: the harness reads it).
from calls_flow import ALICE_CLIENT, check_events

pg, flow_file = sys.argv[2], sys.argv[3]
flow = json.load(open(flow_file))


def sql_json(query):
    out = subprocess.run(["psql", pg, "-XAtqc", query], check=True, capture_output=True, text=True).stdout.strip()
    return json.loads(out) if out else []


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


rid = flow["room_id"]
rooms = sql_json("SELECT json_agg(json_build_object('jid', jid)) FROM rooms WHERE id = '%s'" % rid)
if rooms != [{"jid": flow["room"]}]:
    fail("rooms row for the room id clients were told: %r" % rooms)
events = sql_json("SELECT json_agg(json_build_object('type', type, 'actor', actor, 'peer', peer, 'seq', seq, "
                  "'data', data) ORDER BY seq) FROM events WHERE room_id = '%s'" % rid)
if [e["seq"] for e in events] != list(range(1, len(events) + 1)):
    fail("seq is not 1..N: %r" % [e["seq"] for e in events])

try:
    check_events(flow, events)
except AssertionError as e:
    fail(str(e))

users = sql_json("SELECT json_agg(json_build_object('sessionid', sessionid, 'nick', nick, 'userid', userid, 'type', type, "
                 "'os', os, 'browser', browser, 'useragent', useragent, 'ended', ended IS NOT NULL)) FROM users "
                 "WHERE room_id = '%s'" % rid)
by_nick = {u["nick"]: u for u in users}
if len(users) != 3:
    fail("users rows: %r" % users)
want = {
    "Alice": (ALICE_CLIENT["type"], ALICE_CLIENT["os"], ALICE_CLIENT["browser"], ALICE_CLIENT["useragent"]),
    "Bob": ("mobile", "Android", "Conversations", None),
    "Carol": (None, None, None, None),
}
for nick, (t, os_, browser, ua) in want.items():
    u = by_nick.get(nick)
    if u is None:
        fail("no users row for " + nick)
    if u["sessionid"] != flow["sessions"][nick]:
        fail("%s's users row is session %s, presence said %s" % (nick, u["sessionid"], flow["sessions"][nick]))
    if (u["type"], u["os"], u["browser"], u["useragent"]) != (t, os_, browser, ua):
        fail("%s's client info: %r" % (nick, u))
    if not u["ended"]:
        fail("%s's session not ended: %r" % (nick, u))
print("PASS: %d events for %s exactly as the call went; users hold the client info" % (len(events), flow["room"]))
