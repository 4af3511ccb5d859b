"""Message lifecycle through Prosody: the author corrects (XEP-0308) and retracts (XEP-0424)
her message; others are refused (forbidden) and nobody sees their attempt; a moderator
retracts someone's message with a reason (XEP-0425) and every occupant gets the tombstone;
a newcomer's history shows the corrected text and not the retracted messages."""
from harness import *

NS_CORRECT = "urn:xmpp:message-correct:0"
NS_RETRACT = "urn:xmpp:message-retract:1"
NS_MODERATE = "urn:xmpp:message-moderate:1"


def stanza_id(el):
    return el.find(q("stanza-id", NS_SID)).get("id")


def with_body(text):
    return lambda el: el.tag == q("message") and el.get("type") == "groupchat" and body(el) == text


async def test():
    alice, bob, carol, dave = await clients("alice", "bob", "carol", "dave")
    room = unique_room("lifecycle")
    await instant_room(alice, room, "Alice")  # the owner: a moderator
    await bob.join(room, "Bob")
    await carol.join(room, "Carol")

    info = await carol.iq(room, "get", "<query xmlns='%s'/>" % NS_DISCO_INFO)
    features = {f.get("var") for f in info.iter(q("feature", NS_DISCO_INFO))}
    assert {NS_CORRECT, NS_RETRACT, NS_MODERATE} <= features, features

    # Bob says something with a typo, then corrects it by his client's id.
    bob.send_xml("<message to='%s' type='groupchat' id='b1'><body>helo wrld</body>"
                 "<origin-id xmlns='urn:xmpp:sid:0' id='b1'/></message>" % room)
    seen = await carol.expect(with_body("helo wrld"), 5, "bob's message")
    original = stanza_id(seen)
    bob.send_xml("<message to='%s' type='groupchat' id='b2'><body>hello world</body>"
                 "<replace xmlns='%s' id='b1'/></message>" % (room, NS_CORRECT))
    for c in (alice, bob, carol):
        fix = await c.expect(with_body("hello world"), 5, "the correction")
        assert fix.find(q("replace", NS_CORRECT)).get("id") == "b1", dump(fix)
        assert fix.get("from") == room + "/Bob"
        assert stanza_id(fix) != original, "a correction has its own stanza-id: " + dump(fix)

    # Carol may not correct nor retract Bob's message; nobody sees her attempts.
    carol.send_xml("<message to='%s' type='groupchat' id='c1'><body>carol was here</body>"
                   "<replace xmlns='%s' id='%s'/></message>" % (room, NS_CORRECT, original))
    err = await carol.expect(lambda el: el.tag == q("message") and el.get("id") == "c1" and el.get("type") == "error", 5)
    assert error_condition(err)[0] == "forbidden", dump(err)
    carol.send_xml("<message to='%s' type='groupchat' id='c2'><retract xmlns='%s' id='%s'/></message>"
                   % (room, NS_RETRACT, original))
    err = await carol.expect(lambda el: el.tag == q("message") and el.get("id") == "c2" and el.get("type") == "error", 5)
    assert error_condition(err)[0] == "forbidden", dump(err)
    r = await carol.iq(room, "set", "<moderate xmlns='%s' id='%s'><retract xmlns='%s'/><reason>mine now</reason></moderate>"
                       % (NS_MODERATE, original, NS_RETRACT))
    assert r.get("type") == "error" and error_condition(r)[0] == "forbidden", dump(r)
    await bob.expect_none(lambda el: body(el) == "carol was here" or el.find(q("retract", NS_RETRACT)) is not None, 0.5)

    # Carol retracts her own message: the tombstone reaches everyone.
    carol.send_xml("<message to='%s' type='groupchat' id='c3'><body>oops, wrong room</body></message>" % room)
    mine = await bob.expect(with_body("oops, wrong room"), 5, "carol's message")
    await carol.expect(with_body("oops, wrong room"), 5, "carol's echo")
    carol.send_xml("<message to='%s' type='groupchat' id='c4'><retract xmlns='%s' id='%s'/>"
                   "<body>/me retracted a message</body><store xmlns='urn:xmpp:hints'/></message>"
                   % (room, NS_RETRACT, stanza_id(mine)))
    for c in (alice, bob, carol):
        t = await c.expect(lambda el: el.tag == q("message") and el.find(q("retract", NS_RETRACT)) is not None, 5,
                           "carol's retraction")
        assert t.find(q("retract", NS_RETRACT)).get("id") == stanza_id(mine), dump(t)
        assert t.get("from") == room + "/Carol"

    # Bob posts spam; Alice (owner, moderator) retracts it with a reason.
    bob.send_xml("<message to='%s' type='groupchat' id='b3'><body>BUY CHEAP STUFF</body></message>" % room)
    spam = await alice.expect(with_body("BUY CHEAP STUFF"), 5, "spam")
    r = await alice.iq(room, "set", "<moderate xmlns='%s' id='%s'><retract xmlns='%s'/><reason>No ads</reason></moderate>"
                       % (NS_MODERATE, stanza_id(spam), NS_RETRACT))
    assert r.get("type") == "result", dump(r)
    for c in (alice, bob, carol):
        t = await c.expect(lambda el: el.tag == q("message") and el.find(q("retract", NS_RETRACT)) is not None
                           and el.get("from") == room, 5, "the moderation tombstone")
        ret = t.find(q("retract", NS_RETRACT))
        assert ret.get("id") == stanza_id(spam), dump(t)
        moderated = ret.find(q("moderated", NS_MODERATE))
        assert moderated is not None and moderated.get("by") == room + "/Alice", dump(t)
        assert ret.find(q("reason", NS_RETRACT)).text == "No ads", dump(t)

    # A newcomer's history: the corrected text, neither retracted message.
    dave.send_xml("<presence to='%s/Dave'><x xmlns='%s'/></presence>" % (room, NS_MUC))
    await dave.expect(lambda el: is_self_presence(el, room), 5, "dave joined")
    await dave.expect(lambda el: el.tag == q("message") and el.find(q("subject")) is not None, 5, "subject after history")
    history = [body(el) for el in dave.inbox if el.tag == q("message") and el.find(q("delay", NS_DELAY)) is not None]
    assert "hello world" in history, history
    assert "helo wrld" not in history and "oops, wrong room" not in history and "BUY CHEAP STUFF" not in history, history
    for c in (alice, bob, carol, dave):
        await c.stop()


run(test)
