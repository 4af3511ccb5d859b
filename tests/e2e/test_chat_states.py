"""Chat states (XEP-0085) and displayed markers (XEP-0333), in the room and in private:
relayed always, events only once the owner turns recording on (the form field is offered
and read). XEP-0334 no-store: relayed, marked in its event, never replayed as history."""
from room_lifecycle_support import *


async def test():
    alice, bob, carol = await clients("alice", "bob", "carol")
    room = unique_room("states")
    await instant_room(alice, room, "Alice")
    await bob.join(room, "Bob")

    alice.send_xml("<message to='%s' type='groupchat'><composing xmlns='%s'/></message>" % (room, NS_CHATSTATES))
    m = await bob.expect(lambda el: el.tag == q("message") and el.get("from") == room + "/Alice", 5, "composing")
    assert m.find(q("composing", NS_CHATSTATES)) is not None and body(m) is None, dump(m)
    bob.send_xml("<message to='%s/Alice' type='chat'><paused xmlns='%s'/></message>" % (room, NS_CHATSTATES))
    pm = await alice.expect(lambda el: el.tag == q("message") and el.get("from") == room + "/Bob", 5, "private paused")
    assert pm.find(q("paused", NS_CHATSTATES)) is not None, dump(pm)
    await asyncio.sleep(0.3)
    kinds = [e["type"] for e in room_events(room)]
    assert "chat_state_sent" not in kinds and "private_message_sent" not in kinds, kinds

    form = await alice.iq(room, "get", "<query xmlns='%s'/>" % NS_MUC_OWNER)
    assert "mucstream#roomconfig_recordchatstates" in dump(form), dump(form)
    assert (await configure(alice, room, {"FORM_TYPE": "http://jabber.org/protocol/muc#roomconfig",
                                          "mucstream#roomconfig_recordchatstates": "1"})).get("type") == "result"
    alice.send_xml("<message to='%s' type='groupchat'><composing xmlns='%s'/></message>" % (room, NS_CHATSTATES))
    await bob.expect(lambda el: el.tag == q("message") and el.find(q("composing", NS_CHATSTATES)) is not None, 5, "composing 2")
    e = await wait_event(room, "chat_state_sent")
    assert e["data"]["nick"] == "Alice" and e["data"]["state"] == "composing", e
    alice.send_xml("<message to='%s' type='groupchat'><body>read me</body><active xmlns='%s'/></message>" % (room, NS_CHATSTATES))
    sent = await bob.expect(lambda el: body(el) == "read me", 5, "message")
    stanza_id = sent.find(q("stanza-id", NS_SID)).get("id")
    bob.send_xml("<message to='%s' type='groupchat'><displayed xmlns='%s' id='%s'/></message>" % (room, NS_MARKERS, stanza_id))
    await alice.expect(lambda el: el.tag == q("message") and el.find(q("displayed", NS_MARKERS)) is not None, 5, "marker")
    d = await wait_event(room, "message_displayed")
    assert d["data"]["nick"] == "Bob" and d["data"]["target"] == stanza_id and not d["data"].get("to_nick"), d
    bob.send_xml("<message to='%s/Alice' type='chat'><composing xmlns='%s'/></message>" % (room, NS_CHATSTATES))
    await wait_event(room, "chat_state_sent", lambda e: e["data"].get("to_nick") == "Alice")

    # no-store: relayed, its event says so, and a newcomer's history does not replay it.
    alice.send_xml("<message to='%s' type='groupchat'><body>off the record</body><no-store xmlns='%s'/></message>"
                   % (room, NS_HINTS))
    await bob.expect(lambda el: body(el) == "off the record", 5, "no-store message relayed")
    ns = await wait_event(room, "message_sent", lambda e: "off the record" in e["data"]["payload"])
    assert ns["data"].get("no_store") is True, ns
    await carol.join(room, "Carol")
    await carol.expect(lambda el: body(el) == "read me", 5, "history")
    await carol.expect_none(lambda el: body(el) == "off the record", 0.5, "no-store message in history")
    for c in (alice, bob, carol):
        await c.stop()


run(test, 35)
