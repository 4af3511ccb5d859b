"""Seeds the dashboard test through the real pipeline (slixmpp -> Prosody -> `mucstreamd
all` -> PostgreSQL): the call of tests/e2e/calls_flow.py (three people, a P2P session with
stats, paused media, a screen share), a room one person sat in alone, a room of two, and a
room that stays live with two occupants. Writes STATE/seeded.json once the API shows all of
it, then serves the browser test: when STATE/more appears a third occupant joins the live
room (STATE/more.done once the API shows it), and when STATE/done appears everyone leaves."""
import json
import os
import urllib.request

from calls_flow import call_flow
from harness import *

API = os.environ["API_URL"]
TOKEN = os.environ["ANALYST_TOKEN"]
STATE = sys.argv[1]


def api(path):
    req = urllib.request.Request(API + path, headers={"Authorization": "Bearer " + TOKEN})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


async def until(check, what, timeout=30.0):
    """check() until it is true (the materialiser needs a moment to store a batch)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        await asyncio.sleep(0.25)
    raise AssertionError("timed out waiting for " + what)


async def wait_file(paths, timeout):
    """Until one of paths exists."""
    if isinstance(paths, str):
        paths = [paths]
    deadline = time.monotonic() + timeout
    while not any(os.path.exists(p) for p in paths):
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + " or ".join(paths))
        await asyncio.sleep(0.1)


def room_id(pres):
    return pres.find(q("session", "urn:xmpp:mucstream:0")).get("room-id")


async def leave(c, room, nick):
    c.send_xml("<presence to='%s/%s' type='unavailable'/>" % (room, nick))
    await c.expect(lambda el: el.tag == q("presence") and el.get("type") == "unavailable" and 110 in statuses(el), 5, "left")


async def test():
    call = await call_flow("dashcall")

    alice, bob = await clients("alice", "bob")
    solo = unique_room("dashsolo")
    solo_id = room_id(await instant_room(alice, solo, "Alice"))
    await asyncio.sleep(1.2)  # a room that lasted a second or so
    await leave(alice, solo, "Alice")
    pair = unique_room("dashpair")
    pair_id = room_id(await instant_room(alice, pair, "Alice"))
    await bob.join(pair, "Bob")
    await asyncio.sleep(0.5)
    await leave(bob, pair, "Bob")
    await leave(alice, pair, "Alice")

    dave, eve, carol = await clients("dave", "eve", "carol")
    live = unique_room("dashlive")
    live_id = room_id(await instant_room(dave, live, "Dave"))
    await eve.join(live, "Eve")

    rooms = [call["room_id"], solo_id, pair_id]
    await until(lambda: all(api("/v1/rooms/" + r)["active"] is False for r in rooms), "the ended rooms")
    await until(lambda: api("/v1/rooms/" + live_id)["occupants"] == 2, "the live room's two occupants")
    with open(os.path.join(STATE, "seeded.json"), "w") as f:
        json.dump({"call_room": call["room_id"], "sessions": call["sessions"], "solo_room": solo_id,
                   "pair_room": pair_id, "live_room": live_id, "live_jid": live}, f)

    # The browser asks for a third occupant (or, when it cannot check live counts, is done).
    await wait_file([os.path.join(STATE, "more"), os.path.join(STATE, "done")], 240)
    if os.path.exists(os.path.join(STATE, "more")):
        await carol.join(live, "Carol")
        await until(lambda: api("/v1/rooms/" + live_id)["occupants"] == 3, "carol in the live room")
        open(os.path.join(STATE, "more.done"), "w").close()

    await wait_file(os.path.join(STATE, "done"), 240)
    for c in (alice, bob, dave, eve, carol):
        await c.stop()


run(test, 300)
