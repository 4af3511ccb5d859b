"""Probe 7: look-alike nicks are refused with conflict, over real XMPP.

alice is in a room as "alice"; mallory tries nicks a reader cannot tell apart from it
(Cyrillic a, a trailing NO-BREAK SPACE, upper case, a combining accent) on join and by nick
change: each is refused with conflict (cancel) and alice sees no one new.
Usage: nicks.py STATE_DIR
"""
from harness import *

LOOK_ALIKES = ["\u0430lice", "alice\u00a0", "ALICE", "a\u0301lice"]


async def test():
    alice, bob, eve = await clients("alice", "bob", "eve")
    room = unique_room("nicks")
    await instant_room(alice, room, "alice")
    for nick in LOOK_ALIKES:
        err = await bob.join(room, nick, expect_ok=False)
        assert error_condition(err) == ("conflict", "cancel"), "%r: %s" % (nick, dump(err))
    # A nick change into a look-alike is refused the same way.
    await eve.join(room, "eve")
    for nick in LOOK_ALIKES:
        eve.send_xml("<presence to='%s/%s'/>" % (room, nick))
        err = await eve.expect(lambda el: el.tag == q("presence") and el.get("type") == "error", 5, "conflict")
        assert error_condition(err) == ("conflict", "cancel"), "%r: %s" % (nick, dump(err))
    await alice.expect(lambda el: presence_from(el, room + "/eve"), 5, "eve joined")
    await alice.expect_none(lambda el: el.tag == q("presence") and el.get("from") != room + "/eve"
                            and el.get("from", "").startswith(room + "/"), 1.0, "presence of a look-alike")
    # An unrelated nick still works, shown as sent.
    pres = await bob.join(room, "B\u00f6b")
    assert pres.get("from") == room + "/B\u00f6b", dump(pres)
    print("refused %d look-alikes of alice on join and on nick change with conflict" % len(LOOK_ALIKES))
    for c in (alice, bob, eve):
        await c.stop()


run(test)
