"""Kick (§8.2): the moderator's IQ gets a result; everyone sees unavailable with 307, the
reason and the actor; the kicked user gets 110 too; a participant may not kick (forbidden)."""
from harness import *


async def test():
    alice, bob, carol = await clients("alice", "bob", "carol")
    room = unique_room("kick")
    await instant_room(alice, room, "Alice")
    await bob.join(room, "Bob")
    await carol.join(room, "Carol")
    r = await carol.iq(room, "set", "<query xmlns='%s'><item nick='Bob' role='none'/></query>" % NS_MUC_ADMIN)
    assert error_condition(r) == ("forbidden", "auth"), dump(r)
    r = await alice.iq(room, "set", "<query xmlns='%s'><item nick='Bob' role='none'><reason>Be nice</reason></item></query>" % NS_MUC_ADMIN)
    assert r.get("type") == "result", dump(r)
    for c in (alice, carol, bob):
        p = await c.expect(lambda el: presence_from(el, room + "/Bob", "unavailable"), 5, "kick presence")
        assert 307 in statuses(p), dump(p)
        it = item(p)
        assert it.get("role") == "none"
        assert it.find(q("reason", NS_MUC_USER)).text == "Be nice", dump(p)
        assert it.find(q("actor", NS_MUC_USER)).get("nick") == "Alice", dump(p)
        if c is bob:
            assert 110 in statuses(p), dump(p)
    bob.send_xml("<message to='%s' type='groupchat'><body>still here?</body></message>" % room)
    err = await bob.expect(lambda el: el.tag == q("message") and el.get("type") == "error", 5, "error after kick")
    assert error_condition(err)[0] == "not-acceptable"
    await bob.join(room, "Bob")  # a kick is not a ban
    await alice.stop(); await bob.stop(); await carol.stop()


run(test)
