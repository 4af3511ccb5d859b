"""An owner destroys a room with <purge xmlns='urn:xmpp:mucstream:0'/> in <destroy/>:
occupants get the §10.9 destroy presence as usual and room_destroyed carries purge true
(what makes the materialiser remove the bodies); a destroy without it does not."""
from room_lifecycle_support import *


async def destroy(owner, room, extra):
    return await owner.iq(room, "set", "<query xmlns='%s'><destroy><reason>done</reason>%s</destroy></query>"
                          % (NS_MUC_OWNER, extra))


async def test():
    alice, bob = await clients("alice", "bob")
    room = unique_room("purge")
    await instant_room(alice, room, "Alice")
    await bob.join(room, "Bob")
    alice.send_xml("<message to='%s' type='groupchat'><body>secret plans</body></message>" % room)
    await bob.expect(lambda el: body(el) == "secret plans", 5, "message")
    r = await destroy(bob, room, "<purge xmlns='urn:xmpp:mucstream:0'/>")
    assert error_condition(r)[0] == "forbidden", dump(r)
    r = await destroy(alice, room, "<purge xmlns='urn:xmpp:mucstream:0'/>")
    assert r.get("type") == "result", dump(r)
    p = await bob.expect(lambda el: presence_from(el, room + "/Bob", "unavailable"), 5, "destroy presence")
    assert muc_x(p).find(q("destroy", NS_MUC_USER)).findtext(q("reason", NS_MUC_USER)) == "done", dump(p)
    e = await wait_event(room, "room_destroyed")
    assert e["data"].get("purge") is True and e["data"]["reason"] == "done", e

    plain = unique_room("nopurge")
    await instant_room(alice, plain, "Alice")
    assert (await destroy(alice, plain, "")).get("type") == "result"
    e = await wait_event(plain, "room_destroyed")
    assert not e["data"].get("purge"), e
    await alice.stop(); await bob.stop()


run(test, 30)
