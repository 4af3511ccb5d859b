"""Room archives (XEP-0313) end to end: slixmpp clients -> Prosody -> `mucstreamd all` ->
PostgreSQL, and back through the archive reader. What a client catching up would do:
thousands of messages, paged backward and forward with XEP-0059, by archive id with the
extended form, counted; a message just sent is in the query that follows it; members-only
and password rooms refuse strangers and show them nothing."""
import time
import uuid
from harness import *

NS_MAM = "urn:xmpp:mam:2"
NS_RSM = "http://jabber.org/protocol/rsm"
NS_FWD = "urn:xmpp:forward:0"
N = 2000  # messages in the big room
MAX_PAGE = 100  # archive.max_page's default: a larger <max/> is clamped to it


def form(**fields):
    f = "<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>%s</value></field>" % NS_MAM
    for var, value in fields.items():
        f += "<field var='%s'><value>%s</value></field>" % (var.replace("_", "-"), value)
    return f + "</x>"


def rsm(max_=None, after=None, before=None):
    s = "<set xmlns='%s'>" % NS_RSM
    if max_ is not None:
        s += "<max>%d</max>" % max_
    if after is not None:
        s += "<after>%s</after>" % after
    if before is not None:
        s += "<before>%s</before>" % before if before else "<before/>"
    return s + "</set>"


class Page:
    def __init__(self, fin_iq, results):
        self.iq = fin_iq
        fin = fin_iq.find(q("fin", NS_MAM))
        assert fin is not None, dump(fin_iq)
        self.complete = fin.get("complete") in ("true", "1")
        s = fin.find(q("set", NS_RSM))
        self.first = s.findtext(q("first", NS_RSM))
        self.last = s.findtext(q("last", NS_RSM))
        first = s.find(q("first", NS_RSM))
        self.index = None if first is None or first.get("index") is None else int(first.get("index"))
        count = s.findtext(q("count", NS_RSM))
        self.count = None if count is None else int(count)
        self.results = results  # (archive id, forwarded message) in the order received

    @property
    def ids(self):
        return [i for i, _ in self.results]

    @property
    def bodies(self):
        return [body(m) for _, m in self.results]


async def mam(client, room, payload="", timeout=15.0):
    """Sends a query; returns the Page, or the error IQ."""
    qid = uuid.uuid4().hex[:10]
    r = await client.iq(room, "set", "<query xmlns='%s' queryid='%s'>%s</query>" % (NS_MAM, qid, payload), timeout)
    if r.get("type") != "result":
        return r
    # The results precede the IQ result on the same stream: they are all in the inbox now.
    results, keep = [], []
    for el in client.inbox:
        res = el.find(q("result", NS_MAM)) if el.tag == q("message") else None
        if res is not None and res.get("queryid") == qid:
            assert el.get("from") == room.lower(), dump(el)
            msg = res.find(q("forwarded", NS_FWD)).find(q("message"))
            assert msg is not None, dump(el)
            results.append((res.get("id"), msg))
        else:
            keep.append(el)
    client.inbox[:] = keep
    return Page(r, results)


async def test():
    alice, bob, carol = await clients("alice", "bob", "carol")
    room = unique_room("mam")
    await instant_room(alice, room, "Alice")
    await bob.join(room, "Bob")

    info = await carol.iq(room, "get", "<query xmlns='%s'/>" % NS_DISCO_INFO)
    features = {f.get("var") for f in info.iter(q("feature", NS_DISCO_INFO))}
    for f in (NS_MAM, NS_MAM + "#extended", NS_SID, "http://jabber.org/protocol/muc#stable_id"):
        assert f in features, "%s not advertised: %s" % (f, sorted(features))

    # N messages sent as fast as the client writes them; Bob sees the last one arrive.
    t0 = time.monotonic()
    for i in range(N):
        alice.send_xml("<message to='%s' type='groupchat' id='m%d'><body>msg %d</body></message>" % (room, i, i))
    await bob.expect(lambda el: body(el) == "msg %d" % (N - 1), 60, "the last message")
    print("sent %d messages in %.1f s" % (N, time.monotonic() - t0))
    alice.inbox.clear(); bob.inbox.clear()

    # The newest page: <before/> — the last MAX_PAGE messages, oldest first, counted.
    p = await mam(bob, room, rsm(max_=MAX_PAGE, before=""))
    assert isinstance(p, Page), dump(p)
    assert p.bodies == ["msg %d" % i for i in range(N - MAX_PAGE, N)], p.bodies[:3]
    assert p.count == N, p.count
    assert not p.complete
    assert p.first == p.ids[0] and p.last == p.ids[-1]
    assert p.index in (None, N - MAX_PAGE), p.index
    # Bob (a participant of a semi-anonymous room) sees nicks, not real JIDs.
    _, m = p.results[0]
    assert m.get("from") == room.lower() + "/Alice", dump(m)
    assert m.find(q("x", NS_MUC_USER)) is None, dump(m)
    assert m.find(q("stanza-id", NS_SID)).get("id") == p.ids[0]

    # Page backward to the start with <before>first</before>: every message exactly once.
    seen, before, pages = list(p.ids), p.first, 1
    bodies = list(p.bodies)
    while True:
        p = await mam(bob, room, rsm(max_=MAX_PAGE, before=before))
        assert isinstance(p, Page), dump(p)
        pages += 1
        seen = p.ids + seen
        bodies = p.bodies + bodies
        before = p.first
        if p.complete:
            break
        assert pages <= N // MAX_PAGE + 1, "paging backward does not end"
    assert bodies == ["msg %d" % i for i in range(N)], "backward paging lost or reordered messages"
    assert len(set(seen)) == N
    assert seen == sorted(seen), "archive ids are not in time order"
    print("paged back through %d messages in %d pages" % (N, pages))

    # Forward from the start: no <set/> is the oldest page; then <after>last</after>.
    p = await mam(bob, room, rsm(max_=MAX_PAGE))
    assert p.ids == seen[:MAX_PAGE] and not p.complete
    p2 = await mam(bob, room, rsm(max_=MAX_PAGE, after=p.last))
    assert p2.ids == seen[MAX_PAGE:2 * MAX_PAGE], "forward paging"
    # The extended form: everything after an id 50 from the end, and before an id.
    x = seen[N - 51]
    p = await mam(bob, room, form(after_id=x))
    assert p.ids == seen[N - 50:] and p.complete, (len(p.ids), p.complete)
    p = await mam(bob, room, form(before_id=seen[10]))
    assert p.ids == seen[:10] and p.complete, (len(p.ids), p.complete)
    # `with` an occupant: only their messages (Bob's one among Alice's thousands).
    bob.send_xml("<message to='%s' type='groupchat'><body>bob speaks</body></message>" % room)
    await alice.expect(lambda el: body(el) == "bob speaks", 10, "bob's message")  # seen, so archived for her
    p = await mam(alice, room, form(**{"with": room + "/Bob"}))
    assert p.bodies == ["bob speaks"], p.bodies
    # Alice, the owner (a moderator), sees real JIDs.
    item_ = p.results[0][1].find(q("x", NS_MUC_USER)).find(q("item", NS_MUC_USER))
    assert item_.get("jid").startswith("bob@localhost/"), dump(p.results[0][1])
    # An unknown archive id in this room: item-not-found.
    r = await mam(bob, room, rsm(after=str(uuid.uuid4())))
    assert error_condition(r)[0] == "item-not-found", dump(r)
    r = await mam(bob, room, rsm(after="not-an-id"))
    assert error_condition(r)[0] == "item-not-found", dump(r)

    # Consistency: a message is in the query sent right after it, whatever the materialiser's lag.
    for i in range(5):
        alice.send_xml("<message to='%s' type='groupchat'><body>fresh %d</body></message>" % (room, i))
        p = await mam(alice, room, rsm(max_=1, before=""))
        assert isinstance(p, Page), dump(p)
        assert p.bodies == ["fresh %d" % i], p.bodies
    meta = await bob.iq(room, "get", "<metadata xmlns='%s'/>" % NS_MAM)
    md = meta.find(q("metadata", NS_MAM))
    assert md.find(q("start", NS_MAM)).get("id") == seen[0], dump(meta)
    assert md.find(q("end", NS_MAM)).get("id") == p.ids[0], dump(meta)

    # Members-only and password rooms: a stranger gets forbidden and not one result.
    for kind, field in (("members", "muc#roomconfig_membersonly"), ("password", "muc#roomconfig_passwordprotectedroom")):
        closed = unique_room("mam-" + kind)
        await instant_room(alice, closed, "Alice")
        extra = "<field var='muc#roomconfig_roomsecret'><value>pw</value></field>" if kind == "password" else ""
        r = await alice.iq(closed, "set", "<query xmlns='%s'><x xmlns='jabber:x:data' type='submit'>"
                           "<field var='%s'><value>1</value></field>%s</x></query>" % (NS_MUC_OWNER, field, extra))
        assert r.get("type") == "result", dump(r)
        alice.send_xml("<message to='%s' type='groupchat'><body>secret %s text</body></message>" % (closed, kind))
        p = await mam(alice, closed, rsm(before=""))
        assert isinstance(p, Page) and p.bodies == ["secret %s text" % kind], "the owner reads the archive"
        carol.inbox.clear()
        for payload in ("", rsm(before=""), form(after_id=p.ids[0])):
            r = await mam(carol, closed, payload)
            assert not isinstance(r, Page), "a stranger read the %s room's archive" % kind
            assert error_condition(r) == ("forbidden", "auth"), dump(r)
        r = await carol.iq(closed, "get", "<metadata xmlns='%s'/>" % NS_MAM)
        assert error_condition(r) == ("forbidden", "auth"), dump(r)
        await carol.expect_none(lambda el: "secret" in dump(el), 0.5, "anything from the closed archive")

    # Archiving off (the owner's form): no longer advertised.
    r = await alice.iq(room, "set", "<query xmlns='%s'><x xmlns='jabber:x:data' type='submit'>"
                       "<field var='muc#roomconfig_enablearchiving'><value>0</value></field></x></query>" % NS_MUC_OWNER)
    assert r.get("type") == "result", dump(r)
    info = await carol.iq(room, "get", "<query xmlns='%s'/>" % NS_DISCO_INFO)
    assert NS_MAM not in {f.get("var") for f in info.iter(q("feature", NS_DISCO_INFO))}
    await alice.stop(); await bob.stop(); await carol.stop()


run(test, timeout=150)
