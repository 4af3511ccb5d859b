"""End-to-end encrypted payloads: an OMEMO-shaped message (encrypted element with header,
keys and payload, the EME hint and the fallback body) reaches every occupant with the
ciphertext, keys and attributes unchanged, and its event carries the same payload."""
from room_lifecycle_support import *

NS_OMEMO = "eu.siacs.conversations.axolotl"
NS_EME = "urn:xmpp:eme:0"
KEY = "MwohBfRqBm2atj3fT0/KUDg59Cnvfpgoe/PLNIu1xgSXujEZEAAYACIwKh6TTC7VBQZcCcKnQlO+6s1GQ9DIRKH4JU7XrJ+JJnkjbTI="
IV = "SY1DpS0jANNi7sbV"
CIPHER = "4qbJhhYDq4JKGlZ6xzvyLCcL+zLfQ8XK"


def omemo(body_text):
    return ("<encrypted xmlns='%s'><header sid='27183'><key rid='31415'>%s</key><key prekey='true' rid='12321'>%s</key>"
            "<iv>%s</iv></header><payload>%s</payload></encrypted><encryption xmlns='%s' namespace='%s'/>"
            "<body>%s</body><store xmlns='urn:xmpp:hints'/>" % (NS_OMEMO, KEY, KEY[::-1], IV, CIPHER, NS_EME, NS_OMEMO, body_text))


async def test():
    alice, bob = await clients("alice", "bob")
    room = unique_room("omemo")
    await instant_room(alice, room, "Alice")
    await bob.join(room, "Bob")
    fallback = "I sent you an OMEMO encrypted message but your client doesn't seem to support that."
    alice.send_xml("<message to='%s' type='groupchat' id='enc1'>%s</message>" % (room, omemo(fallback)))
    for c in (alice, bob):
        m = await c.expect(lambda el: el.tag == q("message") and el.get("from") == room + "/Alice", 5, "encrypted message")
        enc = m.find("{%s}encrypted" % NS_OMEMO)
        assert enc is not None, dump(m)
        header = enc.find("{%s}header" % NS_OMEMO)
        assert header.get("sid") == "27183", dump(m)
        keys = [(k.get("rid"), k.get("prekey"), k.text) for k in header.findall("{%s}key" % NS_OMEMO)]
        assert keys == [("31415", None, KEY), ("12321", "true", KEY[::-1])], keys
        assert header.find("{%s}iv" % NS_OMEMO).text == IV
        assert enc.find("{%s}payload" % NS_OMEMO).text == CIPHER
        eme = m.find("{%s}encryption" % NS_EME)
        assert eme is not None and eme.get("namespace") == NS_OMEMO, dump(m)
        assert body(m) == fallback
    # The event stores the same elements (serialised again: the apostrophe may come back as &apos;).
    e = await wait_event(room, "message_sent")
    stored = ET.fromstring("<m xmlns='jabber:client'>%s</m>" % e["data"]["payload"])
    enc = stored.find("{%s}encrypted" % NS_OMEMO)
    keys = [(k.get("rid"), k.get("prekey"), k.text) for k in enc.find("{%s}header" % NS_OMEMO).findall("{%s}key" % NS_OMEMO)]
    assert keys == [("31415", None, KEY), ("12321", "true", KEY[::-1])], keys
    assert enc.find("{%s}payload" % NS_OMEMO).text == CIPHER and body(stored) == fallback, e
    await alice.stop(); await bob.stop()


run(test, 30)
