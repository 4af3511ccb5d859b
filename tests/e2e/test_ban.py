"""Ban (§9.1): 301 to everyone, the banned user cannot re-enter (forbidden, auth), and the
outcast list shows them with the reason."""
from harness import *


async def test():
    alice, bob = await clients("alice", "bob")
    room = unique_room("ban")
    await instant_room(alice, room, "Alice")
    await bob.join(room, "Bob")
    r = await alice.iq(room, "set", "<query xmlns='%s'><item jid='bob@localhost' affiliation='outcast'>"
                       "<reason>Spam</reason></item></query>" % NS_MUC_ADMIN)
    assert r.get("type") == "result", dump(r)
    for c in (alice, bob):
        p = await c.expect(lambda el: presence_from(el, room + "/Bob", "unavailable"), 5, "ban presence")
        assert 301 in statuses(p), dump(p)
        assert item(p).get("affiliation") == "outcast", dump(p)
    err = await bob.join(room, "Bob", expect_ok=False)
    assert error_condition(err) == ("forbidden", "auth"), dump(err)
    lst = await alice.iq(room, "get", "<query xmlns='%s'><item affiliation='outcast'/></query>" % NS_MUC_ADMIN)
    items = list(lst.iter(q("item", NS_MUC_ADMIN)))
    assert [i.get("jid") for i in items] == ["bob@localhost"], dump(lst)
    assert items[0].find(q("reason", NS_MUC_ADMIN)).text == "Spam"
    await alice.stop(); await bob.stop()


run(test)
