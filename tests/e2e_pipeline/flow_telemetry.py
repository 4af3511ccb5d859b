"""Client telemetry end to end: two occupants in a room through Prosody; the API (served by
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
    await bob.join(room, "Bob")
    name = room.split("@")[0]

    def room_id():
        st, page = http("GET", "/v1/rooms?active=true&name=" + name, ANALYST)
        return st == 200 and page["items"] and page["items"][0]["id"]
    rid = await poll(room_id, "the rooms row")

    def sessions():
        st, page = http("GET", "/v1/rooms/%s/users?active=true" % rid, ANALYST)
        return st == 200 and len(page["items"]) == 2 and {u["nick"]: u["sessionid"] for u in page["items"]}
    s = await poll(sessions, "both users rows")
    me, peer = s["Alice"], s["Bob"]

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
