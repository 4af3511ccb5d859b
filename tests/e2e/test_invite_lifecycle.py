"""Invitations as events, §7.8.2 declines relayed to the inviter from the room, and an
invitation into a members-only room making the invitee a member (the room's default);
with the owner's mucstream#roomconfig_invitegrantsmembership off it does not."""
from room_lifecycle_support import *


async def test():
    alice, carol, dave = await clients("alice", "carol", "dave")
    room = unique_room("invlife")
    await instant_room(alice, room, "Alice")
    assert (await configure(alice, room, {"FORM_TYPE": "http://jabber.org/protocol/muc#roomconfig",
                                          "muc#roomconfig_membersonly": "1"})).get("type") == "result"
    err = await carol.join(room, "Carol", expect_ok=False)
    assert error_condition(err)[0] == "registration-required", dump(err)

    alice.send_xml("<message to='%s'><x xmlns='%s'><invite to='carol@localhost'><reason>Join us</reason></invite></x></message>"
                   % (room, NS_MUC_USER))
    await carol.expect(lambda el: el.tag == q("message") and el.get("from") == room and muc_x(el) is not None, 5, "invitation")
    e = await wait_event(room, "invitation_sent")
    assert e["data"]["invitee"] == "carol@localhost" and e["data"]["membership_granted"] is True, e
    await wait_event(room, "affiliation_changed", lambda e: e["data"]["jid"] == "carol@localhost" and e["data"]["affiliation"] == "member")
    await carol.join(room, "Carol")  # the invitation made her a member

    # dave declines: alice gets it from the room, with dave's bare JID and the reason.
    dave.send_xml("<message to='%s'><x xmlns='%s'><decline to='%s'><reason>Busy</reason></decline></x></message>"
                  % (room, NS_MUC_USER, alice.full))
    d = await alice.expect(lambda el: el.tag == q("message") and muc_x(el) is not None
                           and muc_x(el).find(q("decline", NS_MUC_USER)) is not None, 5, "decline")
    assert d.get("from") == room, dump(d)
    dec = muc_x(d).find(q("decline", NS_MUC_USER))
    assert dec.get("from") == "dave@localhost" and dec.findtext(q("reason", NS_MUC_USER)) == "Busy", dump(d)
    await wait_event(room, "invitation_declined", lambda e: e["data"]["decliner"] == "dave@localhost")

    assert (await configure(alice, room, {"FORM_TYPE": "http://jabber.org/protocol/muc#roomconfig",
                                          "mucstream#roomconfig_invitegrantsmembership": "0"})).get("type") == "result"
    alice.send_xml("<message to='%s'><x xmlns='%s'><invite to='dave@localhost'/></x></message>" % (room, NS_MUC_USER))
    await dave.expect(lambda el: el.tag == q("message") and el.get("from") == room and muc_x(el) is not None, 5, "invitation 2")
    err = await dave.join(room, "Dave", expect_ok=False)
    assert error_condition(err)[0] == "registration-required", dump(err)
    for c in (alice, carol, dave):
        await c.stop()


run(test, 35)
