"""Two MUC domains served by one component process, as their occupants and an operator see
them: a room of the same local name on each domain (two rooms), messages that stay in their
domain, each domain's disco listing only its own rooms, each room's archive holding only its
own messages, `mucctl --domain` naming the other domain's room by its local part. Halfway,
run.sh kills the process (-9) and starts it again: both rooms come back once each, with
their occupants, and still keep apart. Writes the local name to STATE_DIR/local."""
import base64
import json
import os
import subprocess
import urllib.error
import urllib.request

from harness import *

A, B = os.environ["DOMAIN_A"], os.environ["DOMAIN_B"]
STATE_DIR = os.environ["STATE_DIR"]
NS_MAM = "urn:xmpp:mam:2"
NS_FWD = "urn:xmpp:forward:0"


def mucctl(*args):
    p = subprocess.run([os.environ["MUCCTL"], *args], capture_output=True, text=True, timeout=20)
    return p.returncode, p.stdout, p.stderr


def ok(*args):
    rc, out, err = mucctl(*args)
    assert rc == 0, "mucctl %s exited %d: %s" % (" ".join(args), rc, err)
    return out


def groupchat_from(room, nick, text):
    return lambda el: (el.tag == q("message") and el.get("type") == "groupchat" and el.get("from") == room + "/" + nick
                       and body(el) == text)


def any_groupchat_with(text):
    return lambda el: el.tag == q("message") and body(el) == text


async def archive_bodies(client, room):
    qid = uuid.uuid4().hex[:10]
    r = await client.iq(room, "set", "<query xmlns='%s' queryid='%s'/>" % (NS_MAM, qid), 15)
    assert r.get("type") == "result", dump(r)
    out, keep = [], []
    for el in client.inbox:
        res = el.find(q("result", NS_MAM)) if el.tag == q("message") else None
        if res is not None and res.get("queryid") == qid:
            out.append(body(res.find(q("forwarded", NS_FWD)).find(q("message"))))
        else:
            keep.append(el)
    client.inbox[:] = keep
    return out


def telemetry(token, room_id):
    """POSTs one talky media event for room_id with an occupant's client token."""
    req = urllib.request.Request(os.environ["MUCCTL_URL"] + "/v1/telemetry", method="POST",
                                 data=json.dumps({"batch": [{"eventType": "audio_paused", "roomId": room_id}]}).encode(),
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def client_token(self_presence):
    token = self_presence.find("{urn:xmpp:mucstream:0}telemetry")
    session = self_presence.find("{urn:xmpp:mucstream:0}session")
    assert token is not None and session is not None, dump(self_presence)
    return token.get("token"), session.get("room-id")


async def occupants(domain, local):
    doc = json.loads(ok("--domain", domain, "rooms", "occupants", local, "--json"))
    return doc["room"], sorted(o["nick"] for o in doc["occupants"])


async def exchange(alice, bob, carol, dave, ra, rb, tag):
    """Alice speaks in A's room, Bob in B's: each reaches only the occupants of its own room."""
    ta, tb = "acme says %s" % tag, "globex says %s" % tag
    alice.send_xml("<message to='%s' type='groupchat'><body>%s</body></message>" % (ra, ta))
    bob.send_xml("<message to='%s' type='groupchat'><body>%s</body></message>" % (rb, tb))
    await carol.expect(groupchat_from(ra, "Alice", ta), 10, "Alice's message in " + ra)
    await dave.expect(groupchat_from(rb, "Bob", tb), 10, "Bob's message in " + rb)
    await alice.expect(groupchat_from(ra, "Alice", ta), 10, "Alice's echo")
    await bob.expect(groupchat_from(rb, "Bob", tb), 10, "Bob's echo")
    for c in (bob, dave):
        await c.expect_none(any_groupchat_with(ta), 0.5, "A's message in B")
    for c in (alice, carol):
        await c.expect_none(any_groupchat_with(tb), 0.5, "B's message in A")
    return ta, tb


async def test():
    alice, bob, carol, dave = await clients("alice", "bob", "carol", "dave")
    local = "standup-" + uuid.uuid4().hex[:8]
    with open(os.path.join(STATE_DIR, "local"), "w") as f:
        f.write(local)
    ra, rb = local + "@" + A, local + "@" + B
    # The same local name on both domains: two new rooms (each creator gets 201).
    await instant_room(alice, ra, "Alice")
    await instant_room(bob, rb, "Bob")
    carol_token, rid_a = client_token(await carol.join(ra, "Carol"))
    dave_token, rid_b = client_token(await dave.join(rb, "Dave"))

    # The client token each occupant's self-presence carries is limited to its room's domain
    # (tenant claim) and room: Carol's reports for A's room only, Dave's for B's only.
    for token, domain, own, other in ((carol_token, A, rid_a, rid_b), (dave_token, B, rid_b, rid_a)):
        claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
        assert claims["tenant"] == domain and claims["room_id"] == own, claims
        st, res = telemetry(token, own)
        assert st == 202 and res["accepted"] == 1, (st, res)
        st, res = telemetry(token, other)
        assert st == 403, (st, res)

    sent = [await exchange(alice, bob, carol, dave, ra, rb, "before")]

    # Each domain's service answers disco for itself and lists only its own rooms.
    for domain, room, other in ((A, ra, rb), (B, rb, ra)):
        info = await carol.iq(domain, "get", "<query xmlns='%s'/>" % NS_DISCO_INFO)
        assert info.get("type") == "result" and info.get("from") == domain, dump(info)
        ident = info.find(q("query", NS_DISCO_INFO)).find(q("identity", NS_DISCO_INFO))
        assert ident.get("category") == "conference", dump(info)
        items = await carol.iq(domain, "get", "<query xmlns='%s'/>" % NS_DISCO_ITEMS)
        listed = {i.get("jid") for i in items.iter(q("item", NS_DISCO_ITEMS))}
        assert room in listed and other not in listed, dump(items)
        assert all(j.endswith("@" + domain) for j in listed), dump(items)

    # The operator: a local part names the default domain's room, --domain the other's.
    assert await occupants(A, local) == (ra, ["Alice", "Carol"])
    assert await occupants(B, local) == (rb, ["Bob", "Dave"])
    doc = json.loads(ok("rooms", "occupants", local, "--json"))
    assert doc["room"] == ra, doc
    doc = json.loads(ok("rooms", "occupants", rb, "--json"))  # a bare JID of the other domain
    assert doc["room"] == rb, doc
    rc, _, err = mucctl("rooms", "occupants", local + "@elsewhere.localhost")
    assert rc == 1 and "not a room of" in err, (rc, err)
    # A service message into B's room by its local part reaches only B's occupants.
    ok("--domain", B, "messages", "post", local, "Deploy globex at 18:00")
    await dave.expect(any_groupchat_with("Deploy globex at 18:00"), 10, "the service message in " + rb)
    await carol.expect_none(any_groupchat_with("Deploy globex at 18:00"), 0.5, "B's service message in A")

    # Failover: the process dies and comes back; both domains' rooms are restored from
    # PostgreSQL, each once, with their occupants (whose clients are still connected).
    await asyncio.sleep(1.5)  # a snapshot round or two (--snapshot-interval-ms 500)
    open(os.path.join(STATE_DIR, "phase1.done"), "w").close()
    deadline = time.monotonic() + 60
    while not os.path.exists(os.path.join(STATE_DIR, "restarted")):
        assert time.monotonic() < deadline, "run.sh did not restart mucstreamd"
        await asyncio.sleep(0.2)
    assert await occupants(A, local) == (ra, ["Alice", "Carol"])
    assert await occupants(B, local) == (rb, ["Bob", "Dave"])
    sent.append(await exchange(alice, bob, carol, dave, ra, rb, "after"))

    # Each room's archive holds its own messages only, from before and after the restart.
    got_a = await archive_bodies(carol, ra)
    got_b = await archive_bodies(dave, rb)
    for ta, tb in sent:
        assert ta in got_a and tb not in got_a, got_a
        assert tb in got_b and ta not in got_b, got_b
    assert "Deploy globex at 18:00" in got_b and "Deploy globex at 18:00" not in got_a, (got_a, got_b)

    # mucctl rooms list --domain: only that domain's rooms (filtered by the server).
    listed = json.loads(ok("--domain", B, "rooms", "list", "--active", "--json"))
    jids = {r["jid"] for r in listed["items"]}
    assert rb in jids and ra not in jids and all(j.endswith("@" + B) for j in jids), listed
    assert listed["total"] == len(jids), listed
    # Reading by the local part both domains have is ambiguous: refused, naming both JIDs;
    # --domain (or the JID) names one.
    rc, _, err = mucctl("rooms", "show", local)
    assert rc != 0 and ra in err and rb in err, (rc, err)
    assert json.loads(ok("--domain", B, "rooms", "show", local, "--json"))["jid"] == rb
    for c in (alice, bob, carol, dave):
        await c.stop()


run(test, timeout=150)
