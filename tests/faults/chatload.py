"""Chat load for the fault scenarios, recording what clients saw.

  chatload.py STATE OUT [--rooms N] [--rate R]

alice, bob and carol make N rooms (faultclient.make_room: persistent, named, with a
subject, bob a member, locked; OUT/rooms.json), then each sends R groupchat messages a
second, round robin over the rooms, until OUT/stop appears. Every reflection any of them
receives is one JSON line in OUT/seen.jsonl: {"t": receive time (epoch s), "room", "id": the
room's stanza-id (= the event id), "body", "to": the receiver}; every error answer one in
OUT/errors.jsonl: {"t", "room", "cond", "type", "to"}. OUT/ready appears once the rooms exist
and the load runs. Clients come back by themselves when the server drops them and rejoin
when a room says they are not in it. OUT/summary.json at the end."""
import argparse
import json
import os
import sys
import time

sys.argv, _args = sys.argv[:2], sys.argv[2:]  # harness reads STATE from argv[1]
from faultclient import *  # noqa: E402,F401,F403

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--rooms", type=int, default=3)
ap.add_argument("--rate", type=float, default=4.0)
ap.add_argument("--seconds", type=float, default=600, help="stop by itself after this long")
args = ap.parse_args(_args)
OUT = args.out


async def main():
    users = ["alice", "bob", "carol"]
    cs = [FaultClient(u, "load-" + u) for u in users]
    await asyncio.gather(*(c.start() for c in cs))
    specs = []
    for i in range(args.rooms):
        specs.append(await make_room(cs[0], cs[1:], i))
    write_json(os.path.join(OUT, "rooms.json"), specs)
    rooms = [s["jid"] for s in specs]
    seen = open(os.path.join(OUT, "seen.jsonl"), "a", buffering=1)
    errors = open(os.path.join(OUT, "errors.jsonl"), "a", buffering=1)
    counts = {"sent": 0, "reflections": 0, "errors": {}}

    def on_load(client, el):
        frm = el.get("from") or ""
        room = frm.split("/")[0]
        if el.get("type") == "error":
            cond, typ = error_condition(el)
            counts["errors"][cond] = counts["errors"].get(cond, 0) + 1
            errors.write(json.dumps({"t": time.time(), "room": room, "cond": cond, "type": typ,
                                     "to": client.user}) + "\n")
            # not-acceptable: the room does not know this occupant (any more): join again
            if cond == "not-acceptable" and room in client.rooms:
                client.rejoin(room)
            return
        if el.get("type") != "groupchat" or room not in rooms:
            return
        counts["reflections"] += 1
        seen.write(json.dumps({"t": time.time(), "room": room, "id": stanza_id(el, room), "body": body(el),
                               "to": client.user}) + "\n")

    for c in cs:
        c.on_load = on_load
    open(os.path.join(OUT, "ready"), "w").close()

    async def sender(c, offset):
        n = 0
        period = 1.0 / args.rate
        await asyncio.sleep(offset * period / len(cs))
        while True:
            room = rooms[n % len(rooms)]
            n += 1
            if c.transport is not None:
                c.send_xml("<message to='%s' type='groupchat' id='%s-%d'><body>load-%s-%d</body></message>"
                           % (room, c.user, n, c.user, n))
                counts["sent"] += 1
            await asyncio.sleep(period)

    tasks = [asyncio.ensure_future(sender(c, i)) for i, c in enumerate(cs)]
    until = time.monotonic() + args.seconds
    while not os.path.exists(os.path.join(OUT, "stop")) and time.monotonic() < until:
        await asyncio.sleep(0.1)
    for t in tasks:
        t.cancel()
    await asyncio.sleep(1.0)  # the last reflections
    write_json(os.path.join(OUT, "summary.json"), counts)
    print("chatload: sent %d, reflections received %d, errors %s" % (counts["sent"], counts["reflections"],
                                                                     counts["errors"]))
    await asyncio.gather(*(c.stop() for c in cs))


logging.basicConfig(level=logging.ERROR)
asyncio.run(main())
