"""Clients for the ghost scenarios (ghosts_*.sh): occupants that go away without leaving,
and the newcomer who must not see them.

  ghosts.py STATE hold OUT ghosts   alice and bob in a temporary room, carol alone in a
                                    persistent one; writes OUT/ghosts.json, touches
                                    OUT/ghosts.ready, then stays until killed
  ghosts.py STATE hold OUT alive    eve (answers pings) alone in a temporary room
  ghosts.py STATE hold OUT silent   dave (its process gets SIGSTOP: never answers) alone
                                    in a temporary room
  ghosts.py STATE check OUT         a newcomer: nobody but the living in any room, and
                                    XEP-0410 self-pings answered as the XEP says"""
import sys

sys.argv, _args = sys.argv[:2], sys.argv[2:]
from faultclient import *  # noqa: E402,F401,F403

CMD, OUT = _args[0], _args[1]


def path(name):
    return os.path.join(OUT, name)


async def hold(kind):
    rooms = {}
    if kind == "ghosts":
        alice, bob, carol = await clients("alice", "bob", "carol")
        rooms["temporary"] = unique_room("ghost-tmp")
        await instant_room(alice, rooms["temporary"], "Alice")
        await bob.join(rooms["temporary"], "Bob")
        rooms["persistent"] = unique_room("ghost-keep")
        await instant_room(carol, rooms["persistent"], "Carol")
        r = await carol.iq(rooms["persistent"], "set", config_form(persistentroom=1))
        assert r.get("type") == "result", dump(r)
    else:
        user = {"alive": "eve", "silent": "dave"}[kind]
        c = Client(user)
        if kind == "alive":
            c.register_plugin("xep_0199")  # a living client answers the room's ping
        await c.start()
        rooms[kind] = unique_room("ghost-" + kind)
        await instant_room(c, rooms[kind], user.capitalize())
        rooms[kind + "_nick"] = user.capitalize()
    write_json(path("%s.json" % kind), rooms)
    open(path("%s.ready" % kind), "w").close()
    while True:  # until killed: the connection stays open, nobody leaves
        if kind == "alive" and os.path.exists(path("alive.selfping")):
            # XEP-0410 from a client that stayed: still joined after the restart
            os.remove(path("alive.selfping"))
            r = await c.iq("%s/%s" % (rooms[kind], rooms[kind + "_nick"]), "get", "<ping xmlns='urn:xmpp:ping'/>")
            write_json(path("alive.selfping.json"), {"type": r.get("type"), "cond": error_condition(r)[0]})
        await asyncio.sleep(0.1)


def others_in(c, room):
    return sorted({el.get("from") for el in c.inbox
                   if el.tag == q("presence") and (el.get("from") or "").startswith(room + "/")
                   and el.get("type") != "unavailable" and 110 not in statuses(el)})


async def check():
    ghosts = json.load(open(path("ghosts.json")))
    alive = json.load(open(path("alive.json"))) if os.path.exists(path("alive.json")) else None
    silent = json.load(open(path("silent.json"))) if os.path.exists(path("silent.json")) else None
    c = Client("bob")
    await c.start()
    # The persistent room is still there, without the ghost: the newcomer is alone.
    pres = await c.join(ghosts["persistent"], "Newcomer", history="<history maxstanzas='0'/>")
    assert 201 not in statuses(pres), "the persistent room was lost: " + dump(pres)
    seen = others_in(c, ghosts["persistent"])
    assert not seen, "the newcomer sees ghosts in the persistent room: %s" % seen
    # The temporary rooms of the ghosts ended: joining creates a new room (201).
    for room in [ghosts["temporary"]] + ([silent["silent"]] if silent else []):
        r = await c.iq(room + "/Alice", "get", "<ping xmlns='urn:xmpp:ping'/>")
        assert error_condition(r)[0] == "not-acceptable", \
            "XEP-0410 self-ping into an ended room must say not joined: " + dump(r)
        pres = await c.join(room, "Newcomer", history="<history maxstanzas='0'/>")
        assert 201 in statuses(pres), "%s did not end: %s" % (room, dump(pres))
        seen = others_in(c, room)
        assert not seen, "the newcomer sees ghosts in %s: %s" % (room, seen)
    # The client that stayed connected stays in its room.
    if alive:
        pres = await c.join(alive["alive"], "Newcomer", history="<history maxstanzas='0'/>")
        assert 201 not in statuses(pres), "the living client's room ended: " + dump(pres)
        await asyncio.sleep(0.3)
        seen = others_in(c, alive["alive"])
        assert seen == ["%s/%s" % (alive["alive"], alive["alive_nick"])], \
            "the living client is not in its room: %s" % seen
    await c.stop()


logging.basicConfig(level=logging.CRITICAL)
if CMD == "hold":
    asyncio.run(hold(_args[2]))
else:
    run(check, 30)
