"""A copy the server cannot deliver comes back to the component as a directly addressed stanza
would (type='error', from = that recipient, to = the sender in the room, same id), while the
online recipients of the same stanza get theirs; a recipient that is no JID at all comes back
the same way with <jid-malformed/>, in either form of recipients."""
from multicast import *

ROOM = "bounce@" + ALLOWED


async def test():
    comp = await component()
    alice, = await clients("alice")
    gone = "bob@localhost/gone-" + uuid.uuid4().hex[:6]          # a user with no such session
    nobody = "nobody-" + uuid.uuid4().hex[:6] + "@localhost/x"   # no such user
    msg_id, text = multicast("message", ROOM + "/Dave", [gone, alice.full, nobody], "<body>anyone?</body>",
                             type_="groupchat")
    comp.send(text)
    el = await alice.expect(lambda e: e.tag == q("message") and e.get("id") == msg_id, 5, "the message")
    assert body(el) == "anyone?" and not has_addresses(el), dump(el)
    for missing in (gone, nobody):
        err = await comp.expect(lambda e: e.tag == qa("message") and e.get("from") == missing, 5,
                                "the bounce from " + missing)
        assert err.get("type") == "error" and err.get("id") == msg_id, dump(err)
        assert err.get("to") == ROOM + "/Dave", dump(err)
        assert stanza_error(err) == ("service-unavailable", "cancel"), dump(err)

    bad = "no space@localhost/x"  # nodeprep forbids the space
    for form in FORMS:
        bad_id, text = multicast("message", ROOM + "/Dave", [bad, alice.full], "<body>%s</body>" % form,
                                 type_="groupchat", form=form)
        comp.send(text)
        el = await alice.expect(lambda e: e.tag == q("message") and e.get("id") == bad_id, 5, "the message (%s)" % form)
        assert body(el) == form and not has_addresses(el), dump(el)
        err = await comp.expect(lambda e: e.get("id") == bad_id, 5, "the bounce from the malformed JID (%s)" % form)
        assert err.get("type") == "error" and err.get("from") == bad and err.get("to") == ROOM + "/Dave", dump(err)
        assert stanza_error(err) == ("jid-malformed", "modify"), dump(err)

    await asyncio.sleep(0.3)
    assert not comp.inbox, "more came back: " + dump(comp.inbox[0])
    await alice.stop()
    await comp.close()


run(test, 20)
