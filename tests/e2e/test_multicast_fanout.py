"""Multicast fan-out (XEP-0033) through the fixture's server: ten occupants of a
semi-anonymous room (an owner and nine anonymous participants) each get every message
exactly once, with the sender's id, one stanza-id and the body; presences come once each,
status 110 only in one's own; no participant finds another occupant's real JID anywhere in
the raw XML it received, while the owner (a moderator) sees them all; the component's metrics
show the messages went through the service (with mucstream's module on the host, as recipient
lists: the component's log says so). With the service left out (E2E_MULTICAST=0) the
same holds with one stanza per recipient and no multicast counted."""
from multicast_support import *

PARTICIPANTS = 9
EXPECTED = multicast_expected()


async def test():
    expected = EXPECTED
    before = component_metrics()
    assert before.get("mucstream_multicast_active") == (1.0 if expected else 0.0), \
        "multicast expected %s, metrics %s" % (expected, before)

    owner = RawClient("alice")
    people = [RawClient("p%d" % i, anonymous_domain="anon.localhost") for i in range(PARTICIPANTS)]
    await asyncio.gather(*(c.start() for c in [owner] + people))
    everyone = [owner] + people
    room = unique_room("multicast")
    nicks = {owner: "Owner"}
    await instant_room(owner, room, "Owner")
    for i, p in enumerate(people):
        nicks[p] = "P%d" % i
        pres = await p.join(room, nicks[p], history="<history maxstanzas='0'/>")
        assert item(pres).get("jid") is None, "a participant is not shown its own real JID: " + dump(pres)

    # Presences: everyone has each other occupant's presence once, and its own self-presence once.
    await asyncio.sleep(0.5)
    for c in everyone:
        for other in everyone:
            frm = room + "/" + nicks[other]
            got = [el for el in c.inbox if el.tag == q("presence") and el.get("from") == frm and el.get("type") is None]
            if other is c:  # its self-presence (110) was consumed by join(): no second one
                assert not got, "%s got its own presence twice: %s" % (nicks[c], [dump(g) for g in got])
                continue
            assert len(got) == 1, "%s has %d presences of %s: %s" % (nicks[c], len(got), nicks[other],
                                                                       [dump(g) for g in got])
            assert 110 not in statuses(got[0]) and not has_addresses(got[0]), dump(got[0])
            real = item(got[0]).get("jid")
            if c is owner:
                assert real == other.full, "the owner sees real JIDs: " + dump(got[0])
            else:
                assert real is None, "%s sees %s's real JID: %s" % (nicks[c], nicks[other], dump(got[0]))
    for c in everyone:
        c.inbox.clear()

    # Messages from three participants: each occupant gets each exactly once.
    senders = [people[0], people[4], people[8]]
    for k, s in enumerate(senders):
        s.send_xml("<message to='%s' type='groupchat' id='mc-%d'><body>multicast %d &amp; &lt;more&gt;</body></message>"
                   % (room, k, k))
    for k, s in enumerate(senders):
        ids = set()
        for c in everyone:
            m = await c.expect(lambda el: el.tag == q("message") and body(el) == "multicast %d & <more>" % k, 10,
                               "message %d" % k)
            assert m.get("from") == room + "/" + nicks[s], dump(m)
            assert m.get("type") == "groupchat" and m.get("id") == "mc-%d" % k, dump(m)
            assert m.get("to") == c.full, dump(m)
            assert not has_addresses(m), "bcc addresses reached an occupant: " + dump(m)
            sid = m.find(q("stanza-id", NS_SID))
            assert sid is not None and sid.get("by") == room, dump(m)
            ids.add(sid.get("id"))
        assert len(ids) == 1, "one stanza-id for every copy: %s" % ids
    await asyncio.sleep(0.7)
    for c in everyone:
        extra = [dump(el) for el in c.inbox if el.tag == q("message") and (body(el) or "").startswith("multicast")]
        assert not extra, "%s got a message twice: %s" % (nicks[c], extra)

    # A participant leaves: the others get its unavailable presence once, it gets its own with 110.
    leaver = people[8]
    leaver.send_xml("<presence to='%s/%s' type='unavailable'/>" % (room, nicks[leaver]))
    own = await leaver.expect(lambda el: presence_from(el, room + "/" + nicks[leaver], "unavailable"), 10, "own leave")
    assert 110 in statuses(own), dump(own)
    for c in everyone[:-1]:
        await c.expect(lambda el: presence_from(el, room + "/" + nicks[leaver], "unavailable"), 10, "leave")
    await asyncio.sleep(0.5)
    for c in everyone[:-1]:
        again = [el for el in c.inbox if presence_from(el, room + "/" + nicks[leaver], "unavailable")]
        assert not again, "%s: leave seen twice" % nicks[c]

    # The raw XML: no participant ever received another occupant's real JID.
    for c in people:
        raw = c.raw_text()
        for other in everyone:
            if other is c:
                continue
            assert other.full not in raw and other.boundjid.bare not in raw, \
                "%s received %s's real JID" % (nicks[c], nicks[other])
        assert "<address " not in raw, "%s received an XEP-0033 address" % nicks[c]

    after = component_metrics()
    sent = after["mucstream_multicast_stanzas_total"] - before["mucstream_multicast_stanzas_total"]
    carried = after["mucstream_multicast_recipients_total"] - before["mucstream_multicast_recipients_total"]
    if expected:
        # three messages to ten, nine of them in presences and the leave: all through the service
        assert sent >= 4 and carried >= 30, "multicast was not used: %s -> %s" % (before, after)
        assert after["mucstream_multicast_fallbacks_total"] == before["mucstream_multicast_fallbacks_total"], after
        assert after["mucstream_multicast_active"] == 1.0, after
        if ENV.get("MULTICAST_SERVICE") == "localhost":  # the ejabberd fixture loaded mucstream's module
            with open(os.path.join(STATE, "component.log")) as f:
                log = f.read()
            assert "multicast through localhost (the host lists XEP-0033, recipient lists)" in log, log
    else:
        assert sent == 0 and carried == 0, "no service, yet multicast counted: %s" % after
    for c in everyone:
        await c.stop()


run(test, timeout=35)
