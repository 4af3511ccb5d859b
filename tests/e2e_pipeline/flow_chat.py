"""Pipeline end to end, part 1: a chat through Prosody -> component -> Kafka -> materialiser.
Alice creates a persistent room, Bob joins, both talk, Bob leaves, Alice sets a subject, a
password and locks the room. Writes the room JID to ROOM_FILE for run.sh's SQL checks."""
import os
from harness import *


async def test():
    alice, bob = await clients("alice", "bob")
    room = unique_room("pipe")
    await alice.join(room, "Alice")
    r = await alice.iq(room, "set", "<query xmlns='%s'><x xmlns='jabber:x:data' type='submit'>"
                       "<field var='FORM_TYPE'><value>http://jabber.org/protocol/muc#roomconfig</value></field>"
                       "<field var='muc#roomconfig_roomname'><value>Pipeline</value></field>"
                       "<field var='muc#roomconfig_persistentroom'><value>1</value></field></x></query>" % NS_MUC_OWNER)
    assert r.get("type") == "result", dump(r)
    await bob.join(room, "Bob")
    for i in range(3):
        alice.send_xml("<message to='%s' type='groupchat'><body>from alice %d</body></message>" % (room, i))
        await bob.expect(lambda el: body(el) == "from alice %d" % i, 5, "alice's message")
    bob.send_xml("<message to='%s' type='groupchat'><body>from bob</body></message>" % room)
    await alice.expect(lambda el: body(el) == "from bob", 5, "bob's message")
    bob.send_xml("<presence to='%s/Bob' type='unavailable'/>" % room)
    await alice.expect(lambda el: presence_from(el, room + "/Bob", "unavailable"), 5, "bob leaving")
    alice.send_xml("<message to='%s' type='groupchat'><subject>Pipeline subject</subject></message>" % room)
    await alice.expect(lambda el: el.tag == q("message") and el.find(q("subject")) is not None, 5, "subject")
    r = await alice.iq(room, "set", "<query xmlns='%s'><x xmlns='jabber:x:data' type='submit'>"
                       "<field var='FORM_TYPE'><value>http://jabber.org/protocol/muc#roomconfig</value></field>"
                       "<field var='muc#roomconfig_passwordprotectedroom'><value>1</value></field>"
                       "<field var='muc#roomconfig_roomsecret'><value>pipe-secret</value></field></x></query>"
                       % NS_MUC_OWNER)
    assert r.get("type") == "result", dump(r)
    r = await alice.iq(room, "set", "<query xmlns='%s'><x xmlns='jabber:x:data' type='submit'>"
                       "<field var='FORM_TYPE'><value>http://jabber.org/protocol/muc#roomconfig</value></field>"
                       "<field var='muc#roomconfig_locked'><value>1</value></field></x></query>" % NS_MUC_OWNER)
    assert r.get("type") == "result", dump(r)
    with open(os.environ["ROOM_FILE"], "w") as f:
        f.write(room)
    await alice.stop(); await bob.stop()


run(test)
