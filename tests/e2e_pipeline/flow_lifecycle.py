"""Pipeline end to end, message lifecycle: Bob says something and corrects it, Carol says
something and retracts it, Bob posts spam that Alice (owner, moderator) retracts with a
reason. Writes the room JID and the stanza-ids to FLOW_FILE for run_lifecycle.sh's SQL checks."""
import json
import os
from harness import *

NS_CORRECT = "urn:xmpp:message-correct:0"
NS_RETRACT = "urn:xmpp:message-retract:1"
NS_MODERATE = "urn:xmpp:message-moderate:1"


def stanza_id(el):
    return el.find(q("stanza-id", NS_SID)).get("id")


def with_body(text):
    return lambda el: el.tag == q("message") and el.get("type") == "groupchat" and body(el) == text


async def test():
    alice, bob, carol = await clients("alice", "bob", "carol")
    room = unique_room("pipe-lifecycle")
    await instant_room(alice, room, "Alice")
    await bob.join(room, "Bob")
    await carol.join(room, "Carol")

    bob.send_xml("<message to='%s' type='groupchat' id='b1'><body>typo-body-before</body></message>" % room)
    corrected = stanza_id(await alice.expect(with_body("typo-body-before"), 5, "bob's message"))
    bob.send_xml("<message to='%s' type='groupchat' id='b2'><body>fixed-body-after</body>"
                 "<replace xmlns='%s' id='b1'/></message>" % (room, NS_CORRECT))
    await alice.expect(with_body("fixed-body-after"), 5, "the correction")

    carol.send_xml("<message to='%s' type='groupchat' id='c1'><body>regret-body-gone</body></message>" % room)
    retracted = stanza_id(await alice.expect(with_body("regret-body-gone"), 5, "carol's message"))
    carol.send_xml("<message to='%s' type='groupchat' id='c2'><retract xmlns='%s' id='%s'/></message>"
                   % (room, NS_RETRACT, retracted))
    await alice.expect(lambda el: el.tag == q("message") and el.find(q("retract", NS_RETRACT)) is not None, 5, "retraction")

    bob.send_xml("<message to='%s' type='groupchat' id='b3'><body>spam-body-gone</body></message>" % room)
    moderated = stanza_id(await alice.expect(with_body("spam-body-gone"), 5, "spam"))
    r = await alice.iq(room, "set", "<moderate xmlns='%s' id='%s'><retract xmlns='%s'/><reason>No ads</reason></moderate>"
                       % (NS_MODERATE, moderated, NS_RETRACT))
    assert r.get("type") == "result", dump(r)
    await bob.expect(lambda el: el.tag == q("message") and el.get("from") == room
                     and el.find(q("retract", NS_RETRACT)) is not None, 5, "moderation tombstone")

    with open(os.environ["FLOW_FILE"], "w") as f:
        json.dump({"room": room, "corrected": corrected, "retracted": retracted, "moderated": moderated}, f)
    for c in (alice, bob, carol):
        await c.stop()


run(test)
