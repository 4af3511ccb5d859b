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
# The analysts' views (migration 0004) read this real call as it went: one accepted P2P
# session between Alice and Bob, ended because Bob left mid-call, with every stats
# sample the room accepted and none relayed (host/srflx only); Alice's audio pause and
# screen share show in her media usage.
stats_rows = [e for e in events if e["type"] == "p2p_session_stats"]
call = sql_json("SELECT json_agg(json_build_object('initiator', initiator, 'responder', responder, 'accepted', "
                "accepted, 'reason', reason, 'outcome', outcome, 'samples', samples, 'relayed', relayed, "
                "'rtt_median_ms', rtt_median_ms)) FROM p2p_sessions WHERE room_id = '%s'" % rid)
s = flow["sessions"]
if len(call) != 1:
    fail("p2p_sessions rows: %r" % call)
c = call[0]
if (c["initiator"], c["responder"], c["accepted"], c["reason"], c["outcome"]) != (s["Alice"], s["Bob"], True, "left",
                                                                                   "interrupted"):
    fail("p2p_sessions row: %r" % c)
if c["samples"] != len(stats_rows) or c["relayed"] or c["rtt_median_ms"] is None:
    fail("p2p_sessions quality (%d stats events): %r" % (len(stats_rows), c))
usage = sql_json("SELECT json_agg(json_build_object('session', session, 'audio', audio_paused_seconds, 'shares', "
                 "screen_shares)) FROM media_usage WHERE room_id = '%s'" % rid)
alice_usage = [u for u in usage if u["session"] == s["Alice"]]
if len(alice_usage) != 1 or alice_usage[0]["audio"] <= 0 or alice_usage[0]["shares"] != 1:
    fail("media_usage for Alice: %r" % usage)
print("PASS: %d events for %s exactly as the call went; users hold the client info" % (len(events), flow["room"]))
