"""The slixmpp side of the browser test: Bob creates the room and fills its archive, waits
for the browser's message, answers it, and checks that he receives the browser's
correction (XEP-0308) and retraction tombstone (XEP-0424) as a user's client would.
Steps the room does not advertise are skipped (the browser side reports them).

Usage: flow_peer.py STATE_DIR (run from tests/e2e for the harness); ROOM is the room's JID.
Writes STATE_DIR/peer-ready once the room holds its 25 messages; stays in the room until
the browser side writes STATE_DIR/browser-done."""
import os
from harness import *

ROOM = os.environ["ROOM"]
NS_CORRECT = "urn:xmpp:message-correct:0"
NS_RETRACT = "urn:xmpp:message-retract:1"
ARCHIVED = 25


def from_browser(el):
    return el.tag == q("message") and el.get("from") == ROOM + "/Browser" and el.get("type") == "groupchat"


def room_stanza_id(el):
    for sid in el.findall(q("stanza-id", NS_SID)):
        if sid.get("by") == ROOM:
            return sid.get("id")
    return None


async def test():
    (bob,) = await clients("bob")
    await instant_room(bob, ROOM, "Bob")
    for i in range(ARCHIVED):
        bob.send_xml("<message to='%s' type='groupchat' id='a%d'><body>archived %d</body></message>" % (ROOM, i, i))
        await bob.expect(lambda el: body(el) == "archived %d" % i, 5, "archived %d reflected" % i)
    with open(os.path.join(STATE, "peer-ready"), "w") as f:
        f.write("ready\n")

    await bob.expect(lambda el: presence_from(el, ROOM + "/Browser"), 30, "the browser joining")
    hello = await bob.expect(lambda el: from_browser(el) and body(el) == "hello from the browser", 30,
                             "the browser's message")
    hello_sid = room_stanza_id(hello)
    assert hello_sid, "the browser's message carries the room's stanza-id: " + dump(hello)
    origin = hello.find(q("origin-id", NS_SID))
    hello_ids = {hello_sid, hello.get("id"), origin.get("id") if origin is not None else None} - {None}
    bob.send_xml("<message to='%s' type='groupchat'><body>hello, browser</body></message>" % ROOM)
    print("peer: exchanged messages with the browser")

    info = await bob.iq(ROOM, "get", "<query xmlns='%s'/>" % NS_DISCO_INFO)
    features = {f.get("var") for f in info.iter(q("feature", NS_DISCO_INFO))}

    if NS_CORRECT in features:
        fix = await bob.expect(lambda el: from_browser(el) and el.find(q("replace", NS_CORRECT)) is not None, 30,
                               "the browser's correction")
        assert body(fix) == "hello from the browser, corrected", dump(fix)
        assert fix.find(q("replace", NS_CORRECT)).get("id") in hello_ids, \
            "the correction names the original (%s): %s" % (hello_ids, dump(fix))
        print("peer: saw the correction")

    if NS_RETRACT in features:
        doomed = await bob.expect(lambda el: from_browser(el) and body(el) == "this one will be retracted", 30,
                                  "the message the browser retracts")
        doomed_sid = room_stanza_id(doomed)

        def tombstone(el):
            r = el.find(q("retract", NS_RETRACT))
            return el.tag == q("message") and el.get("type") == "groupchat" and \
                (el.get("from") or "").startswith(ROOM) and r is not None and r.get("id") == doomed_sid
        await bob.expect(tombstone, 30, "the tombstone of %s" % doomed_sid)
        print("peer: saw the tombstone")

    # Stay in the room (the browser's newcomer reads the archive while it lives).
    for _ in range(600):
        if os.path.exists(os.path.join(STATE, "browser-done")):
            break
        await asyncio.sleep(0.1)
    await bob.stop()


run(test, timeout=85)
