"""Nick change (§7.6): unavailable with 303 and the new nick, then available under the new nick;
the changer gets 110 on both; a taken nick gets conflict (cancel)."""
from harness import *


async def test():
    alice, bob = await clients("alice", "bob")
    room = unique_room("nick")
    await instant_room(alice, room, "Alice")
    await bob.join(room, "Bob")
    await alice.expect(lambda el: presence_from(el, room + "/Bob"), 5, "Bob joined")
    bob.send_xml("<presence to='%s/Robert'/>" % room)
    gone = await alice.expect(lambda el: presence_from(el, room + "/Bob", "unavailable"), 5, "303 unavailable")
    assert 303 in statuses(gone) and item(gone).get("nick") == "Robert", dump(gone)
    back = await alice.expect(lambda el: presence_from(el, room + "/Robert"), 5, "new nick presence")
    assert item(back).get("role") == "participant", dump(back)
    own = await bob.expect(lambda el: presence_from(el, room + "/Bob", "unavailable"), 5, "own 303")
    assert {303, 110} <= statuses(own), dump(own)
    own2 = await bob.expect(lambda el: presence_from(el, room + "/Robert"), 5, "own new presence")
    assert 110 in statuses(own2), dump(own2)
    bob.send_xml("<presence to='%s/Alice'/>" % room)
    err = await bob.expect(lambda el: el.tag == q("presence") and el.get("type") == "error", 5, "conflict")
    assert error_condition(err) == ("conflict", "cancel"), dump(err)
    # Messages now come from the new nick.
    bob.send_xml("<message to='%s' type='groupchat'><body>renamed</body></message>" % room)
    m = await alice.expect(lambda el: el.tag == q("message") and body(el) == "renamed", 5, "message")
    assert m.get("from") == room + "/Robert", dump(m)
    await alice.stop(); await bob.stop()


run(test)
