"""One multicast message and one multicast presence from the component, in each form of
recipients (XEP-0033 bcc addresses, the module's recipient list), reach each of three clients
exactly once, with from, type, id, the body and every other child as the component
sent them, and no trace of the other recipients (bcc: no <addresses/>, no other JID)."""
from multicast import *

ROOM = "lobby@" + ALLOWED


def same_id(kind, id_):
    return lambda el: el.tag == q(kind) and el.get("id") == id_


async def test():
    comp = await component()
    people = await clients("alice", "bob", "carol")
    jids = [p.full for p in people]
    for form in FORMS:
        await deliver(comp, people, jids, form)
    await asyncio.gather(*(p.stop() for p in people))
    await comp.close()


async def deliver(comp, people, jids, form):

    sid = "<stanza-id xmlns='%s' id='s-1' by='%s'/><occupant-id xmlns='%s' id='occ-dave'/>" % (NS_SID, ROOM, NS_OCC)
    msg_id, text = multicast("message", ROOM + "/Dave", jids, "<body>hi &amp; bye</body>" + sid, type_="groupchat",
                              form=form)
    comp.send(text)
    for p in people:
        el = await p.expect(same_id("message", msg_id), 5, "the multicast message (%s)" % form)
        assert el.get("from") == ROOM + "/Dave" and el.get("type") == "groupchat", dump(el)
        assert el.get("to") == p.full, dump(el)
        assert body(el) == "hi & bye", dump(el)
        got_sid = el.find(q("stanza-id", NS_SID))
        assert got_sid is not None and got_sid.get("id") == "s-1" and got_sid.get("by") == ROOM, dump(el)
        assert el.find(q("occupant-id", NS_OCC)).get("id") == "occ-dave", dump(el)
        assert not has_addresses(el), "bcc addresses reached a recipient: " + dump(el)
        for other in jids:
            assert other == p.full or other not in dump(el), "%s learnt %s: %s" % (p.full, other, dump(el))

    x = "<x xmlns='%s'><item affiliation='member' role='participant'/></x>" % NS_MUC_USER
    pres_id, text = multicast("presence", ROOM + "/Erin", jids, "<show>away</show>" + x, form=form)
    comp.send(text)
    for p in people:
        el = await p.expect(same_id("presence", pres_id), 5, "the multicast presence (%s)" % form)
        assert el.get("from") == ROOM + "/Erin" and el.get("type") is None and el.get("to") == p.full, dump(el)
        assert el.findtext(q("show")) == "away", dump(el)
        it = item(el)
        assert it is not None and it.get("affiliation") == "member" and it.get("role") == "participant", dump(el)
        assert not has_addresses(el), dump(el)
        for other in jids:
            assert other == p.full or other not in dump(el), "%s learnt %s: %s" % (p.full, other, dump(el))

    # Once each: no second copy, and nothing came back to the component (no bounce, no error).
    await asyncio.sleep(0.5)
    for p in people:
        for kind, id_ in (("message", msg_id), ("presence", pres_id)):
            await p.expect_none(same_id(kind, id_), 0, "second copy of " + id_)
    assert not comp.inbox, "the component got: " + dump(comp.inbox[0])


run(test, 20)
