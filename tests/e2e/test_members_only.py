"""Members-only room: a non-member gets registration-required (auth); once the owner makes
them a member (muc#admin set) they enter as participant with affiliation member."""
from harness import *


async def test():
    alice, bob = await clients("alice", "bob")
    room = unique_room("members")
    await instant_room(alice, room, "Alice")
    r = await alice.iq(room, "set", "<query xmlns='%s'><x xmlns='jabber:x:data' type='submit'>"
                       "<field var='muc#roomconfig_membersonly'><value>1</value></field></x></query>" % NS_MUC_OWNER)
    assert r.get("type") == "result", dump(r)
    err = await bob.join(room, "Bob", expect_ok=False)
    assert error_condition(err) == ("registration-required", "auth"), dump(err)
    r = await alice.iq(room, "set", "<query xmlns='%s'><item jid='bob@localhost' affiliation='member'/></query>" % NS_MUC_ADMIN)
    assert r.get("type") == "result", dump(r)
    pres = await bob.join(room, "Bob")
    assert item(pres).get("affiliation") == "member", dump(pres)
    assert item(pres).get("role") == "participant", dump(pres)
    await alice.stop(); await bob.stop()


run(test)
