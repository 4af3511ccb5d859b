"""Client telemetry end to end: two occupants in a room through Prosody; Bob reports with the
session id, room id and token his self-presence carried; the API (served by
`mucstreamd all`) names their sessions once materialised; Alice's client token, made by
mucctl, POSTs talky-style events for her session, and they come back from PostgreSQL
through the read API with her as actor and Bob as peer. Writes the room id to ROOM_FILE
for telemetry.sh's SQL checks."""
import json
import os
import subprocess
import urllib.error
import urllib.request

from harness import *

API = os.environ["API_URL"]
ANALYST = os.environ["ANALYST_TOKEN"]
MUCCTL = os.environ["MUCCTL"]


def http(method, path, token, body=None):
    req = urllib.request.Request(API + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


async def poll(fetch, what, timeout=20.0):
    """fetch() until it returns something truthy (the materialiser needs a few seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = fetch()
        if got:
            return got
        await asyncio.sleep(0.25)
    raise AssertionError("timed out waiting for " + what)


async def test():
    alice, bob = await clients("alice", "bob")
    room = unique_room("tele")
    await instant_room(alice, room, "Alice")
    # What a WebRTC client needs comes in its own presences, as docs/protocol.md says: its
    # session id, the room id and its telemetry token in the self-presence; the peer's
    # session id in the peer's occupant presence.
    self_pres = await bob.join(room, "Bob")
    bob_session = self_pres.find("{urn:xmpp:mucstream:0}session")
    assert bob_session is not None and bob_session.get("id"), dump(self_pres)
    bob_token = self_pres.find("{urn:xmpp:mucstream:0}telemetry")
    assert bob_token is not None and bob_token.get("token"), dump(self_pres)
    alice_pres = await bob.expect(lambda el: presence_from(el, room + "/Alice"), 5, "Alice's presence")
    alice_session = alice_pres.find("{urn:xmpp:mucstream:0}session")
    rid = bob_session.get("room-id")
    assert alice_session.get("room-id") == rid, (dump(alice_pres), dump(self_pres))

    # The ids in presence are the ones the users table holds.
    def sessions():
        st, page = http("GET", "/v1/rooms/%s/users?active=true" % rid, ANALYST)
        return st == 200 and len(page["items"]) == 2 and {u["nick"]: u["sessionid"] for u in page["items"]}
    s = await poll(sessions, "both users rows")
    assert s == {"Alice": alice_session.get("id"), "Bob": bob_session.get("id")}, s
    me, peer = s["Alice"], s["Bob"]

    # Bob reports with the token his presence carried: for his session only.
    st, res = http("POST", "/v1/telemetry", bob_token.get("token"),
                   {"eventType": "started_speaking", "roomId": rid, "peerId": peer})
    assert st == 202 and res["accepted"] == 1, (st, res)
    st, res = http("POST", "/v1/telemetry", bob_token.get("token"),
                   {"eventType": "started_speaking", "roomId": rid, "peerId": me})
    assert st == 403, (st, res)

    # Alice's token from mucctl, as an operator would mint one.
    token = subprocess.run([MUCCTL, "token", "create", "--role", "client", "--session", me, "--room-id", rid,
                            "--ttl", "5m"], check=True, capture_output=True, text=True).stdout.strip()
    st, res = http("POST", "/v1/telemetry", token, {"batch": [
        {"eventType": "peer_session_added", "roomId": rid, "peerId": me,
         "data": {"sid": "j1", "isInitiator": True, "peer": peer}},
        {"eventType": "peer_session_stats", "roomId": rid, "peerId": me,
         "data": {"sid": "j1", "name": "ice-connected", "connectTime": 412, "localCandidateType": "relay",
                  "peer": peer}},
        {"eventType": "audio_paused", "roomId": rid, "peerId": me},
        {"eventType": "audio_paused", "roomId": rid, "peerId": me},
    ]})
    assert st == 202, (st, res)
    assert (res["accepted"], res["unchanged"], res["rejected"]) == (3, 1, 0), res
    # Someone else's session, and an analyst token: refused, nothing recorded.
    st, res = http("POST", "/telemetry", token, {"eventType": "started_speaking", "roomId": rid, "peerId": peer})
    assert st == 403, (st, res)
    st, res = http("POST", "/v1/telemetry", ANALYST, {"eventType": "started_speaking", "roomId": rid})
    assert st == 403, (st, res)

    def stats():
        st, page = http("GET", "/v1/events?type=peer_session_stats&room=" + rid, ANALYST)
        return st == 200 and page["items"]
    items = await poll(stats, "the peer_session_stats row")
    assert len(items) == 1, items
    assert items[0]["actor"] == me and items[0]["peer"] == peer, items[0]
    assert items[0]["data"]["localCandidateType"] == "relay" and "peer" not in items[0]["data"], items[0]
    with open(os.environ["ROOM_FILE"], "w") as f:
        f.write(rid)
    await alice.stop(); await bob.stop()


run(test, 60)
