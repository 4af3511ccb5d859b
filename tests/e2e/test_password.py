"""Password-protected room: no password and a wrong one get not-authorized (auth); the right one enters."""
from harness import *


async def test():
    alice, bob = await clients("alice", "bob")
    room = unique_room("pw")
    await instant_room(alice, room, "Alice")
    r = await alice.iq(room, "set", "<query xmlns='%s'><x xmlns='jabber:x:data' type='submit'>"
                       "<field var='muc#roomconfig_passwordprotectedroom'><value>1</value></field>"
                       "<field var='muc#roomconfig_roomsecret'><value>s3cret</value></field></x></query>" % NS_MUC_OWNER)
    assert r.get("type") == "result", dump(r)
    for pw in (None, "wrong"):
        err = await bob.join(room, "Bob", password=pw, expect_ok=False)
        assert error_condition(err) == ("not-authorized", "auth"), dump(err)
        assert err.get("from") == room + "/Bob", dump(err)
    pres = await bob.join(room, "Bob", password="s3cret")
    assert item(pres).get("role") == "participant"
    info = await bob.iq(room, "get", "<query xmlns='%s'/>" % NS_DISCO_INFO)
    feats = {f.get("var") for f in info.iter(q("feature", NS_DISCO_INFO))}
    assert "muc_passwordprotected" in feats, dump(info)
    await alice.stop(); await bob.stop()


run(test)
