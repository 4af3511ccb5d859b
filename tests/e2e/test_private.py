"""Private messages between occupants (§7.5): delivered from room/nick with the muc#user x;
an unknown nick gets item-not-found (cancel)."""
from harness import *


async def test():
    alice, bob = await clients("alice", "bob")
    room = unique_room("pm")
    await instant_room(alice, room, "Alice")
    await bob.join(room, "Bob")
    alice.send_xml("<message to='%s/Bob' type='chat' id='pm1'><body>psst</body></message>" % room)
    m = await bob.expect(lambda el: el.tag == q("message") and body(el) == "psst", 5, "private message")
    assert m.get("from") == room + "/Alice", dump(m)
    assert m.get("type") == "chat"
    assert m.find(q("x", NS_MUC_USER)) is not None, dump(m)
    await alice.expect_none(lambda el: el.tag == q("message") and body(el) == "psst", 0.5, "own private message")
    alice.send_xml("<message to='%s/Nobody' type='chat' id='pm2'><body>hello?</body></message>" % room)
    err = await alice.expect(lambda el: el.tag == q("message") and el.get("type") == "error", 5, "error")
    assert error_condition(err) == ("item-not-found", "cancel"), dump(err)
    assert err.get("from") == room + "/Nobody" and err.get("id") == "pm2", dump(err)
    await alice.stop(); await bob.stop()


run(test)
