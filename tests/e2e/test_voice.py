"""Moderated room: a non-member enters as visitor and may not speak (forbidden); the
moderator grants voice, everyone sees the role change, and the message goes through;
revoking voice silences them again."""
from harness import *


async def test():
    alice, bob = await clients("alice", "bob")
    room = unique_room("voice")
    await instant_room(alice, room, "Alice")
    r = await alice.iq(room, "set", "<query xmlns='%s'><x xmlns='jabber:x:data' type='submit'>"
                       "<field var='muc#roomconfig_moderatedroom'><value>1</value></field></x></query>" % NS_MUC_OWNER)
    assert r.get("type") == "result", dump(r)
    pres = await bob.join(room, "Bob")
    assert item(pres).get("role") == "visitor", dump(pres)
    bob.send_xml("<message to='%s' type='groupchat' id='v1'><body>can I talk?</body></message>" % room)
    err = await bob.expect(lambda el: el.tag == q("message") and el.get("type") == "error", 5, "visitor error")
    assert error_condition(err) == ("forbidden", "auth"), dump(err)
    r = await alice.iq(room, "set", "<query xmlns='%s'><item nick='Bob' role='participant'/></query>" % NS_MUC_ADMIN)
    assert r.get("type") == "result", dump(r)
    p = await bob.expect(lambda el: presence_from(el, room + "/Bob") and item(el) is not None
                         and item(el).get("role") == "participant", 5, "voice granted")
    assert 110 in statuses(p)
    await alice.expect(lambda el: presence_from(el, room + "/Bob") and item(el).get("role") == "participant", 5, "role seen")
    bob.send_xml("<message to='%s' type='groupchat'><body>thanks</body></message>" % room)
    await alice.expect(lambda el: body(el) == "thanks", 5, "voiced message")
    r = await alice.iq(room, "set", "<query xmlns='%s'><item nick='Bob' role='visitor'/></query>" % NS_MUC_ADMIN)
    assert r.get("type") == "result", dump(r)
    await bob.expect(lambda el: presence_from(el, room + "/Bob") and item(el).get("role") == "visitor", 5, "voice revoked")
    bob.send_xml("<message to='%s' type='groupchat'><body>again</body></message>" % room)
    err = await bob.expect(lambda el: el.tag == q("message") and el.get("type") == "error", 5, "error")
    assert error_condition(err) == ("forbidden", "auth"), dump(err)
    await alice.stop(); await bob.stop()


run(test)
