"""Mediated invitation (§7.8.2): the invitee gets a message from the room with the inviter's
bare JID, the reason and the password; a non-occupant may not invite."""
from harness import *


async def test():
    alice, carol, dave = await clients("alice", "carol", "dave")
    room = unique_room("invite")
    await instant_room(alice, room, "Alice")
    alice.send_xml("<message to='%s'><x xmlns='%s'><invite to='carol@localhost'><reason>Join us</reason></invite>"
                   "<password>pw123</password></x></message>" % (room, NS_MUC_USER))
    m = await carol.expect(lambda el: el.tag == q("message") and el.get("from") == room, 5, "invitation")
    inv = muc_x(m).find(q("invite", NS_MUC_USER))
    assert inv.get("from") == "alice@localhost", dump(m)
    assert inv.find(q("reason", NS_MUC_USER)).text == "Join us", dump(m)
    assert muc_x(m).find(q("password", NS_MUC_USER)).text == "pw123", dump(m)
    dave.send_xml("<message to='%s' id='i2'><x xmlns='%s'><invite to='carol@localhost'/></x></message>" % (room, NS_MUC_USER))
    err = await dave.expect(lambda el: el.tag == q("message") and el.get("type") == "error", 5, "error")
    assert error_condition(err) == ("not-acceptable", "modify"), dump(err)
    await alice.stop(); await carol.stop(); await dave.stop()


run(test)
