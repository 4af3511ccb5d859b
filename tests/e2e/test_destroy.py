"""Destroy (§10.9): only owners; every occupant gets unavailable with <destroy jid=…> and
the reason; afterwards the room is gone (disco#info item-not-found)."""
from harness import *


async def test():
    alice, bob = await clients("alice", "bob")
    room = unique_room("destroy")
    await instant_room(alice, room, "Alice")
    await bob.join(room, "Bob")
    r = await bob.iq(room, "set", "<query xmlns='%s'><destroy/></query>" % NS_MUC_OWNER)
    assert error_condition(r) == ("forbidden", "auth"), dump(r)
    alt = unique_room("elsewhere")
    r = await alice.iq(room, "set", "<query xmlns='%s'><destroy jid='%s'><reason>Moving on</reason></destroy></query>"
                       % (NS_MUC_OWNER, alt))
    assert r.get("type") == "result", dump(r)
    for c, nick in ((alice, "Alice"), (bob, "Bob")):
        p = await c.expect(lambda el: presence_from(el, room + "/" + nick, "unavailable"), 5, "destroy presence")
        d = muc_x(p).find(q("destroy", NS_MUC_USER))
        assert d is not None and d.get("jid") == alt, dump(p)
        assert d.find(q("reason", NS_MUC_USER)).text == "Moving on", dump(p)
    r = await bob.iq(room, "get", "<query xmlns='%s'/>" % NS_DISCO_INFO)
    assert error_condition(r) == ("item-not-found", "cancel"), dump(r)
    await alice.stop(); await bob.stop()


run(test)
