"""Subject and history: the owner sets the subject, everyone sees it; a participant may not
(forbidden); a newcomer gets history with XEP-0203 delay (limited by maxstanzas), then the subject."""
from harness import *


async def test():
    alice, bob, carol = await clients("alice", "bob", "carol")
    room = unique_room("subj")
    await instant_room(alice, room, "Alice")
    await bob.join(room, "Bob")
    await bob.expect(lambda el: el.find(q("subject")) is not None, 5, "initial subject")
    alice.send_xml("<message to='%s' type='groupchat'><subject>Release planning</subject></message>" % room)
    for c in (alice, bob):
        s = await c.expect(lambda el: el.tag == q("message") and el.find(q("subject")) is not None
                           and el.find(q("subject")).text == "Release planning", 5, "subject change")
        assert s.get("from") == room + "/Alice", dump(s)
    bob.send_xml("<message to='%s' type='groupchat' id='s2'><subject>Mine now</subject></message>" % room)
    err = await bob.expect(lambda el: el.tag == q("message") and el.get("type") == "error", 5, "error")
    assert error_condition(err) == ("forbidden", "auth"), dump(err)

    for i in range(3):
        alice.send_xml("<message to='%s' type='groupchat'><body>msg %d</body></message>" % (room, i))
        await alice.expect(lambda el: body(el) == "msg %d" % i, 5, "echo")
    carol.send_xml("<presence to='%s/Carol'><x xmlns='%s'><history maxstanzas='2'/></x></presence>" % (room, NS_MUC))
    await carol.expect(lambda el: is_self_presence(el, room), 5, "self presence")
    h1 = await carol.expect(lambda el: el.tag == q("message"), 5, "history 1")
    h2 = await carol.expect(lambda el: el.tag == q("message"), 5, "history 2")
    subj = await carol.expect(lambda el: el.tag == q("message"), 5, "subject")
    assert body(h1) == "msg 1" and body(h2) == "msg 2", dump(h1) + dump(h2)
    for h in (h1, h2):
        d = h.find(q("delay", NS_DELAY))
        assert d is not None and d.get("from") == room and d.get("stamp"), dump(h)
        assert h.find(q("stanza-id", NS_SID)) is not None
    assert subj.find(q("subject")).text == "Release planning", dump(subj)
    # maxchars='0' and a 'since' after the last message both mean: no history, just the subject.
    dave, eve = await clients("dave", "eve")
    for c, hist in ((dave, "<history maxchars='0'/>"), (eve, "<history since='2999-01-01T00:00:00Z'/>")):
        c.send_xml("<presence to='%s/%s'><x xmlns='%s'>%s</x></presence>" % (room, c.user, NS_MUC, hist))
        await c.expect(lambda el: is_self_presence(el, room), 5, "self presence")
        first = await c.expect(lambda el: el.tag == q("message"), 5, "first message after joining")
        assert first.find(q("subject")) is not None and body(first) is None, "%s: %s" % (hist, dump(first))
    await alice.stop(); await bob.stop(); await carol.stop(); await dave.stop(); await eve.stop()


run(test)
