"""Join and leave: §7.2 presence order (others first, self last with 110), 201 on creation,
occupant-id, subject after presence, the others see the newcomer, leave is broadcast."""
from harness import *


async def test():
    alice, bob = await clients("alice", "bob")
    room = unique_room("join")
    pres = await instant_room(alice, room, "Alice")
    it = item(pres)
    assert it.get("affiliation") == "owner" and it.get("role") == "moderator", dump(pres)
    assert pres.find(q("occupant-id", NS_OCC)) is not None, "XEP-0421 occupant-id missing: " + dump(pres)

    bob.send_xml("<presence to='%s/Bob'><x xmlns='%s'/><show>away</show><status>coffee</status></presence>" % (room, NS_MUC))
    # Bob: Alice's presence first, then his own with 110, then the subject.
    first = await bob.expect(lambda el: el.tag == q("presence") and el.get("from", "").startswith(room), 5, "first presence")
    assert first.get("from") == room + "/Alice", "existing occupants come first: " + dump(first)
    own = await bob.expect(lambda el: el.tag == q("presence") and el.get("from", "").startswith(room), 5, "self presence")
    assert own.get("from") == room + "/Bob" and {110, 170} <= statuses(own), "110 self, 170 logged: " + dump(own)
    assert item(own).get("role") == "participant" and item(own).get("affiliation") == "none", dump(own)
    assert own.find(q("show")).text == "away", "presence payload relayed: " + dump(own)
    subj = await bob.expect(lambda el: el.tag == q("message") and el.get("from", "").startswith(room), 5, "subject")
    assert subj.find(q("subject")) is not None, "subject after presences: " + dump(subj)

    # Alice sees Bob arrive, with his show/status, and (as moderator, semi-anonymous room) his real JID.
    seen = await alice.expect(lambda el: presence_from(el, room + "/Bob"), 5, "Bob's presence at Alice")
    assert seen.find(q("status")).text == "coffee", dump(seen)
    assert item(seen).get("jid") == bob.full, "moderators see real JIDs: " + dump(seen)
    assert 110 not in statuses(seen)

    # Bob changes his status: everyone sees it.
    bob.send_xml("<presence to='%s/Bob'><show>dnd</show></presence>" % room)
    upd = await alice.expect(lambda el: presence_from(el, room + "/Bob") and el.find(q("show")) is not None
                             and el.find(q("show")).text == "dnd", 5, "status update")
    assert item(upd).get("role") == "participant"

    # Bob leaves with a status text: Alice sees unavailable with it, Bob gets his own with 110.
    bob.send_xml("<presence to='%s/Bob' type='unavailable'><status>bye all</status></presence>" % room)
    gone = await alice.expect(lambda el: presence_from(el, room + "/Bob", "unavailable"), 5, "Bob leaving")
    assert gone.find(q("status")).text == "bye all", dump(gone)
    assert item(gone).get("role") == "none", dump(gone)
    mine = await bob.expect(lambda el: presence_from(el, room + "/Bob", "unavailable"), 5, "own unavailable")
    assert 110 in statuses(mine), dump(mine)
    await alice.stop(); await bob.stop()


run(test)
