"""Groupchat: reflected to every occupant including the sender, keeping the sender's id,
with the room's XEP-0359 stanza-id and XEP-0421 occupant-id, and every payload element the
client sent (body, OMEMO-like, any extension) relayed unchanged. A non-occupant is refused."""
from harness import *

PAYLOAD_NS = "urn:example:custom"


async def test():
    alice, bob, carol = await clients("alice", "bob", "carol")
    room = unique_room("chat")
    await instant_room(alice, room, "Alice")
    await bob.join(room, "Bob")
    bob.send_xml("<message to='%s' type='groupchat' id='bob-msg-1'><body>hello &lt;all&gt; &amp; ✓</body>"
                 "<encrypted xmlns='eu.siacs.conversations.axolotl'><header sid='42'><key rid='7'>S0VZ</key>"
                 "<iv>SVY=</iv></header><payload>UEFZTE9BRA==</payload></encrypted>"
                 "<thing xmlns='%s' attr='v'><nested>text</nested></thing></message>" % (room, PAYLOAD_NS))
    got = {}
    for c in (alice, bob):
        m = await c.expect(lambda el: el.tag == q("message") and body(el) is not None and body(el).startswith("hello"),
                           5, "reflected message")
        got[c.user] = m
        assert m.get("from") == room + "/Bob", dump(m)
        assert m.get("type") == "groupchat"
        assert body(m) == "hello <all> & ✓", dump(m)
        enc = m.find("{eu.siacs.conversations.axolotl}encrypted")
        assert enc is not None and enc.find("{eu.siacs.conversations.axolotl}header").get("sid") == "42", dump(m)
        assert enc.find("{eu.siacs.conversations.axolotl}payload").text == "UEFZTE9BRA==", dump(m)
        thing = m.find("{%s}thing" % PAYLOAD_NS)
        assert thing is not None and thing.get("attr") == "v" and thing.find("{%s}nested" % PAYLOAD_NS).text == "text"
        sid = m.find(q("stanza-id", NS_SID))
        assert sid is not None and sid.get("by") == room, dump(m)
        assert m.find(q("occupant-id", NS_OCC)) is not None, dump(m)
    assert got["bob"].get("id") == "bob-msg-1", "the sender recognises its echo by id: " + dump(got["bob"])
    assert got["alice"].find(q("stanza-id", NS_SID)).get("id") == got["bob"].find(q("stanza-id", NS_SID)).get("id")

    # A non-occupant may not post.
    carol.send_xml("<message to='%s' type='groupchat' id='c1'><body>let me in</body></message>" % room)
    err = await carol.expect(lambda el: el.tag == q("message") and el.get("type") == "error", 5, "error")
    assert error_condition(err) == ("not-acceptable", "modify"), dump(err)
    assert err.get("id") == "c1"
    await alice.expect_none(lambda el: body(el) == "let me in", 0.5)
    await alice.stop(); await bob.stop(); await carol.stop()


run(test)
