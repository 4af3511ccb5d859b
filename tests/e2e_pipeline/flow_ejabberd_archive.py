"""Archive paging and retraction through ejabberd (run_ejabberd_archive.sh): slixmpp clients
on ejabberd's c2s, `mucstreamd all` as ejabberd's component, PostgreSQL behind it.

Alice fills a room with 120 messages and Bob adds one; Alice pages the archive backwards
(XEP-0313 + XEP-0059: last page, then before the first id until complete) and forwards
(RSM after, then the extended form's after-id); an unknown id is item-not-found. Then Alice
retracts one of her messages (XEP-0424): Bob sees the tombstone, Bob's attempt to retract
another of Alice's messages is refused (forbidden), and the archive shows the tombstone
without the body and the other message intact. Writes the retracted and the kept body to
STATE/bodies for the PostgreSQL checks. Exits 77 when the room advertises no archive or no
retraction (the steps before passed; the rest did not run)."""
import logging
import os
import sys
import uuid
from harness import *

NS_MAM = "urn:xmpp:mam:2"
NS_RSM = "http://jabber.org/protocol/rsm"
NS_FORWARD = "urn:xmpp:forward:0"
NS_RETRACT = "urn:xmpp:message-retract:1"
N = 120


def text(i):
    return "alice line %03d" % i


def room_stanza_id(el, room):
    for sid in el.findall(q("stanza-id", NS_SID)):
        if sid.get("by") == room:
            return sid.get("id")
    return None


async def mam(client, room, rsm="", form_fields=None, flip=False):
    """One archive query; returns (results, fin) where results are (id, forwarded message)."""
    qid = uuid.uuid4().hex[:10]
    form = ""
    if form_fields:
        form = "<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>%s</value></field>%s</x>" % (
            NS_MAM, "".join("<field var='%s'><value>%s</value></field>" % kv for kv in form_fields.items()))
    reply = await client.iq(room, "set", "<query xmlns='%s' queryid='%s'>%s%s%s</query>" % (
        NS_MAM, qid, form, "<set xmlns='%s'>%s</set>" % (NS_RSM, rsm) if rsm else "", "<flip-page/>" if flip else ""), 10)
    results = []
    if reply.get("type") == "result":
        # The results precede the IQ result on the stream (XEP-0313 §4.2): all are in already.
        for el in [e for e in client.inbox if e.tag == q("message")]:
            r = el.find(q("result", NS_MAM))
            if r is not None and r.get("queryid") == qid:
                client.inbox.remove(el)
                fwd = r.find(q("forwarded", NS_FORWARD))
                results.append((r.get("id"), fwd.find(q("message"))))
    return reply, results


def fin_of(reply):
    fin = reply.find(q("fin", NS_MAM))
    assert fin is not None, "a <fin/>: " + dump(reply)
    s = fin.find(q("set", NS_RSM))
    get = lambda tag: None if s is None or s.find(q(tag, NS_RSM)) is None else s.find(q(tag, NS_RSM))
    return fin, get


async def test():
    alice, bob = await clients("alice", "bob")
    room = unique_room("ejarchive")
    await instant_room(alice, room, "Alice")
    await bob.join(room, "Bob")
    await alice.expect(lambda el: presence_from(el, room + "/Bob"), 5, "bob's presence")
    info = await alice.iq(room, "get", "<query xmlns='%s'/>" % NS_DISCO_INFO)
    features = {f.get("var") for f in info.iter(q("feature", NS_DISCO_INFO))}

    for i in range(N):
        alice.send_xml("<message to='%s' type='groupchat' id='m%d'><body>%s</body></message>" % (room, i, text(i)))
    live = {}
    for i in range(N):
        el = await bob.expect(lambda el: body(el) == text(i), 10, text(i))
        live[text(i)] = room_stanza_id(el, room)
    bob.send_xml("<message to='%s' type='groupchat'><body>bob's line</body></message>" % room)
    el = await alice.expect(lambda el: body(el) == "bob's line", 5, "bob's line")
    live["bob's line"] = room_stanza_id(el, room)
    order = [text(i) for i in range(N)] + ["bob's line"]
    print("chat through ejabberd: %d messages relayed in order" % len(order))
    if NS_MAM not in features:
        await alice.stop(); await bob.stop()
        return "the room does not advertise %s (archive and retraction steps not run)" % NS_MAM

    # Backwards from the newest, 50 a page, until the archive says it is complete.
    reply, page = await mam(alice, room, "<max>50</max><before/>")
    assert reply.get("type") == "result", dump(reply)
    fin, rsm = fin_of(reply)
    assert len(page) == 50 and fin.get("complete") != "true", "the last page of 50, not complete"
    assert rsm("count") is not None and rsm("count").text == str(len(order)), "count " + dump(reply)
    assert rsm("first").get("index") == str(len(order) - 50), "first index " + dump(reply)
    pages, got = 1, page
    while fin.get("complete") != "true":
        assert pages < 5, "the archive never said complete"
        reply, page = await mam(alice, room, "<max>50</max><before>%s</before>" % got[0][0])
        assert reply.get("type") == "result", dump(reply)
        fin, rsm = fin_of(reply)
        got = page + got
        pages += 1
    assert pages == 3, "121 messages in pages of 50: %d pages" % pages
    assert [body(m) for _, m in got] == order, "every message once, in order: %s" % [body(m) for _, m in got]
    assert [i for i, _ in got] == [live[t] for t in order], "archive ids are the stanza-ids the room stamped"
    assert all(m.get("from") in (room + "/Alice", room + "/Bob") for _, m in got), "senders as room/nick"

    # Forwards: RSM after an id, then the extended form's after-id to the end.
    reply, page = await mam(alice, room, "<max>50</max><after>%s</after>" % live[text(59)])
    fin, _ = fin_of(reply)
    assert [body(m) for _, m in page] == [text(i) for i in range(60, 110)], "50 after #59"
    assert fin.get("complete") != "true", "more after #109"
    reply, page = await mam(alice, room, "<max>50</max>", {"after-id": live[text(100)]})
    fin, _ = fin_of(reply)
    assert [body(m) for _, m in page] == [text(i) for i in range(101, N)] + ["bob's line"], \
        "everything after #100: %s" % [body(m) for _, m in page]
    assert fin.get("complete") == "true", "the newest page is complete: " + dump(reply)
    reply, _ = await mam(alice, room, "<max>10</max><after>%s</after>" % uuid.uuid4())
    assert error_condition(reply)[0] == "item-not-found", "an unknown id: " + dump(reply)
    print("archive through ejabberd: %d pages back, forward by after and after-id, unknown id refused" % pages)

    if NS_RETRACT not in features:
        await alice.stop(); await bob.stop()
        return "the room does not advertise %s (retraction steps not run)" % NS_RETRACT
    alice.send_xml("<message to='%s' type='groupchat' id='r1'><retract xmlns='%s' id='%s'/>"
                   "<fallback xmlns='urn:xmpp:fallback:0' for='%s'/><body>/me retracted a message</body>"
                   "<store xmlns='urn:xmpp:hints'/></message>" % (room, NS_RETRACT, live[text(7)], NS_RETRACT))

    def tombstone_of(sid):
        def pred(el):
            r = el.find(q("retract", NS_RETRACT))
            return el.tag == q("message") and el.get("type") == "groupchat" and r is not None and r.get("id") == sid
        return pred
    await bob.expect(tombstone_of(live[text(7)]), 5, "the tombstone of alice's line 007")
    bob.send_xml("<message to='%s' type='groupchat' id='r2'><retract xmlns='%s' id='%s'/><body>x</body></message>"
                 % (room, NS_RETRACT, live[text(8)]))
    err = await bob.expect(lambda el: el.tag == q("message") and el.get("type") == "error", 5, "bob's refusal")
    assert error_condition(err)[0] == "forbidden", "someone else's retraction is forbidden: " + dump(err)
    await alice.expect_none(tombstone_of(live[text(8)]), 0.5, "a tombstone for bob's refused retraction")

    reply, page = await mam(alice, room, "<max>3</max><after>%s</after>" % live[text(6)])
    assert [i for i, _ in page] == [live[text(i)] for i in (7, 8, 9)], "the tombstone keeps its place"
    gone, kept = page[0][1], page[1][1]
    assert gone.find(q("retracted", NS_RETRACT)) is not None and body(gone) is None, "a tombstone: " + dump(gone)
    assert body(kept) == text(8), "the refused retraction left line 008: " + dump(kept)
    with open(os.path.join(STATE, "bodies"), "w") as f:
        f.write("%s\n%s\n%s\n" % (room, text(7), text(8)))
    print("retraction through ejabberd: tombstone relayed and archived, someone else's refused")
    await alice.stop(); await bob.stop()
    return None


def main():
    logging.basicConfig(level=logging.ERROR)
    try:
        skipped = asyncio.run(asyncio.wait_for(test(), 80))
    except AssertionError as e:
        print("FAIL:", e)
        sys.exit(1)
    if skipped:
        print("SKIPPED:", skipped)
        sys.exit(77)
    print("PASS")


main()
