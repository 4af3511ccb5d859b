"""XEP-0199 ping to the service and a room; XEP-0410 self-ping: result while joined,
not-acceptable (modify) when not joined or after leaving."""
from harness import *

PING = "<ping xmlns='urn:xmpp:ping'/>"


async def test():
    alice, bob = await clients("alice", "bob")
    room = unique_room("ping")
    await instant_room(alice, room, "Alice")
    for to in (DOMAIN, room):
        r = await bob.iq(to, "get", PING)
        assert r.get("type") == "result", dump(r)
    r = await alice.iq(room + "/Alice", "get", PING)
    assert r.get("type") == "result", "joined self-ping: " + dump(r)
    r = await bob.iq(room + "/Bob", "get", PING)
    assert error_condition(r) == ("not-acceptable", "modify"), "not joined: " + dump(r)
    r = await bob.iq(room + "/Alice", "get", PING)
    assert error_condition(r) == ("not-acceptable", "modify"), "not joined, someone else's nick: " + dump(r)
    await bob.join(room, "Bob")
    r = await bob.iq(room + "/Bob", "get", PING)
    assert r.get("type") == "result", dump(r)
    bob.send_xml("<presence to='%s/Bob' type='unavailable'/>" % room)
    await bob.expect(lambda el: presence_from(el, room + "/Bob", "unavailable"), 5, "left")
    r = await bob.iq(room + "/Bob", "get", PING)
    assert error_condition(r) == ("not-acceptable", "modify"), "after leaving: " + dump(r)
    await alice.stop(); await bob.stop()


run(test)
