"""Hostile probes against what mucstream sends, through a real Prosody: one ordinary
account against everyone else. Prints one `figure NAME VALUE` line per measurement and
exits 1 with FAIL on the first broken promise.

  wire_probe.py STATE apostrophes   a 90,000-apostrophe groupchat (540 KB once escaped)
  wire_probe.py STATE flood         30 x 250 KB into an 11-person room
"""
import sys

sys.argv, _args = sys.argv[:2], sys.argv[2:]
sys.path.insert(0, __import__("os").path.join(__import__("os").path.dirname(__file__), "..", "e2e"))
from harness import *  # noqa: E402,F401,F403

MODE = _args[0]


def is_body(text):
    return lambda el: el.tag == q("message") and body(el) == text


async def quiet_room(owner, member, prefix):
    room = unique_room(prefix)
    await instant_room(owner, room, "Owner")
    await member.join(room, "Member")
    return room


async def measure_other_room(sender, receiver, room, n, every, bound, tag):
    """sender sends n messages to room `every` s apart; receiver must get each within bound s.
    Returns the latencies (s)."""
    lat = []
    for i in range(n):
        text = "%s-%d-%s" % (tag, i, uuid.uuid4().hex[:6])
        t0 = time.monotonic()
        sender.send_xml("<message to='%s' type='groupchat'><body>%s</body></message>" % (room, text))
        await receiver.expect(is_body(text), 20, text)
        lat.append(time.monotonic() - t0)
        await asyncio.sleep(max(0, every - lat[-1]))
    return lat


async def measure_pings(c, n, every, bound):
    lat = []
    for _ in range(n):
        t0 = time.monotonic()
        r = await c.iq(DOMAIN, "get", "<ping xmlns='urn:xmpp:ping'/>", timeout=20)
        assert r.get("type") == "result", dump(r)
        lat.append(time.monotonic() - t0)
        await asyncio.sleep(max(0, every - lat[-1]))
    return lat


def figure(name, value):
    print("figure %s %s" % (name, value), flush=True)


async def apostrophes():
    alice, bob, carol, dave, eve = await clients("alice", "bob", "carol", "dave", "eve")
    target = unique_room("poison")
    await instant_room(alice, target, "Alice")
    await bob.join(target, "Bob")
    other = await quiet_room(carol, dave, "other")
    # Another room's traffic all through: every message must arrive (none lost to a reconnect).
    traffic = asyncio.ensure_future(measure_other_room(carol, dave, other, 30, 0.1, 5, "steady"))
    await asyncio.sleep(0.5)
    # Raw apostrophes: 90 KB on the client's stream (under Prosody's c2s limit), 540 KB escaped.
    bob.send_xml("<message to='%s' type='groupchat' id='poison'><body>%s</body></message>" % (target, "'" * 90000))
    err = await bob.expect(lambda el: el.tag == q("message") and el.get("id") == "poison", 5, "the refusal")
    assert error_condition(err) == ("policy-violation", "modify"), dump(err)
    lat = await traffic
    figure("other_room_messages", len(lat))
    figure("other_room_p100_ms", int(max(lat) * 1000))
    assert max(lat) < 2.0, "another room's message took %.1f s" % max(lat)
    await alice.expect_none(lambda el: el.tag == q("message") and (body(el) or "").startswith("'''"), 0.3,
                            "the refused message")
    # A later join into the room works and replays no poison.
    pres = await eve.join(target, "Eve", history="<history maxstanzas='20'/>")
    assert pres.get("type") != "error", dump(pres)
    await eve.expect(lambda el: el.tag == q("message") and el.find(q("subject")) is not None, 5, "subject after join")
    assert not any((body(el) or "").startswith("'''") for el in eve.inbox), "poison in history"
    alice.send_xml("<message to='%s' type='groupchat'><body>after</body></message>" % target)
    await eve.expect(is_body("after"), 3, "the room still chats")
    for c in (alice, bob, carol, dave, eve):
        await c.stop()


async def flood():
    alice, carol, dave, eve = await clients("alice", "carol", "dave", "eve")
    big_room = unique_room("flooded")
    await instant_room(alice, big_room, "Alice")
    # The ten other occupants live in a process of their own: parsing megabytes of flood
    # in this one would delay the measuring clients, not the service.
    bobs = await asyncio.create_subprocess_exec(sys.executable, __file__, STATE, "bobs", big_room,
                                                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    line = await asyncio.wait_for(bobs.stdout.readline(), 30)
    assert line.strip() == b"ready", line
    other = await quiet_room(carol, dave, "quiet")
    # The flood: 30 x 250 KB at 10/s (within the message rate), 11 recipients each.
    payload = "z" * 250000
    t_flood = time.monotonic()
    for i in range(30):
        alice.send_xml("<message to='%s' type='groupchat' id='big%d'><body>%s</body></message>" % (big_room, i, payload))
        await asyncio.sleep(0.1)
    figure("flood_send_s", "%.1f" % (time.monotonic() - t_flood))
    msgs, pings = await asyncio.gather(measure_other_room(carol, dave, other, 20, 0.25, 2.0, "quiet"),
                                       measure_pings(eve, 20, 0.25, 1.0))
    figure("quiet_room_max_ms", int(max(msgs) * 1000))
    figure("ping_max_ms", int(max(pings) * 1000))
    figure("quiet_room_ms", [int(x * 1000) for x in msgs])
    figure("ping_ms", [int(x * 1000) for x in pings])
    # What alice was told: every big message reflected or refused (resource-constraint, wait).
    answered = set()
    deadline = time.monotonic() + 60
    while len(answered) < 30 and time.monotonic() < deadline:
        for el in alice.inbox:
            i = el.get("id") or ""
            if el.tag == q("message") and i.startswith("big"):
                if el.get("type") == "error":
                    assert error_condition(el) == ("resource-constraint", "wait"), dump(el)
                answered.add(i)
        await asyncio.sleep(0.2)
    refused = sum(1 for el in alice.inbox if el.get("type") == "error" and (el.get("id") or "").startswith("big"))
    figure("big_refused", refused)
    assert len(answered) == 30, "alice got answers for %d of 30" % len(answered)
    assert refused > 0, "no byte limit applied to 7.5 MB in 3 s"
    # Every other occupant gets every accepted one, nothing twice.
    bobs.stdin.write(b"%d\n" % (30 - refused))
    await bobs.stdin.drain()
    out = (await asyncio.wait_for(bobs.stdout.read(), 70)).decode()
    figure("occupants_counts", out.strip())
    assert out.strip() == " ".join([str(30 - refused)] * 10), "occupants got %s of %d" % (out.strip(), 30 - refused)
    assert max(msgs) < 2.0, "a message in another room took %.1f s" % max(msgs)
    assert max(pings) < 1.0, "a ping to the component took %.1f s" % max(pings)
    for c in (alice, carol, dave, eve):
        await c.stop()


async def paced_latencies(sender, receiver, room, n, every, tag, deadline_s):
    """Sends n messages every `every` s without waiting for them; returns each one's latency
    (s), or None for those not received within deadline_s of the last send."""
    sent, got = {}, {}

    def on_in(stanza):
        b = stanza.xml.find(q("body"))
        if b is not None and b.text in sent and b.text not in got:
            got[b.text] = time.monotonic()
        return stanza
    receiver.add_filter("in", on_in)
    for i in range(n):
        text = "%s-%d-%s" % (tag, i, uuid.uuid4().hex[:6])
        sent[text] = time.monotonic()
        sender.send_xml("<message to='%s' type='groupchat'><body>%s</body></message>" % (room, text))
        await asyncio.sleep(every)
    end = time.monotonic() + deadline_s
    while len(got) < n and time.monotonic() < end:
        await asyncio.sleep(0.1)
    receiver.del_filter("in", on_in)
    return [(got[t] - sent[t]) if t in got else None for t in sent]


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


async def bench():
    """Quiet-room latency alone, then while an 11-person room takes 30 x 250 KB at 10/s."""
    alice, carol, dave = await clients("alice", "carol", "dave")
    big_room = unique_room("flooded")
    await instant_room(alice, big_room, "Alice")
    bobs = await asyncio.create_subprocess_exec(sys.executable, __file__, STATE, "bobs", big_room,
                                                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    line = await asyncio.wait_for(bobs.stdout.readline(), 30)
    assert line.strip() == b"ready", line
    other = await quiet_room(carol, dave, "quiet")
    base = await paced_latencies(carol, dave, other, 50, 0.1, "base", 10)
    payload = "z" * 250000

    async def flood():
        for i in range(30):
            alice.send_xml("<message to='%s' type='groupchat' id='big%d'><body>%s</body></message>" % (big_room, i, payload))
            await asyncio.sleep(0.1)
    f = asyncio.ensure_future(flood())
    loaded = await paced_latencies(carol, dave, other, 80, 0.1, "load", 40)
    await f
    b = [x * 1000 for x in base if x is not None]
    l_ok = [x * 1000 for x in loaded if x is not None]
    lost = sum(1 for x in loaded if x is None)
    l_all = l_ok + [40000.0] * lost  # not received within 40 s: counted as 40 s
    figure("baseline_p50_ms", "%.1f" % pct(b, 0.5))
    figure("baseline_p99_ms", "%.1f" % pct(b, 0.99))
    figure("flooded_p50_ms", "%.1f" % pct(l_all, 0.5))
    figure("flooded_p99_ms", "%.1f" % pct(l_all, 0.99))
    figure("flooded_max_ms", "%.1f" % max(l_all))
    figure("flooded_not_received_40s", lost)
    figure("p99_ratio_flooded_over_baseline", "%.1f" % (pct(l_all, 0.99) / max(pct(b, 0.99), 0.1)))
    refused = sum(1 for el in alice.inbox if el.get("type") == "error" and (el.get("id") or "").startswith("big"))
    figure("big_refused", refused)
    bobs.stdin.write(b"0\n")
    await bobs.stdin.drain()
    await asyncio.wait_for(bobs.stdout.read(), 70)
    for c in (alice, carol, dave):
        await c.stop()


async def bobs_mode():
    room = _args[1]
    bobs = [Client("bob") for _ in range(10)]
    await asyncio.gather(*(b.start() for b in bobs))
    for i, b in enumerate(bobs):
        await b.join(room, "Bob%d" % i)
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    want = int(await loop.run_in_executor(None, sys.stdin.readline))
    is_big = lambda el: el.tag == q("message") and (body(el) or "").startswith("zzz")  # noqa: E731
    counts = [await _count(b, is_big, want, 60) for b in bobs]
    print(" ".join(str(n) for n in counts), flush=True)
    for b in bobs:
        await b.stop()


async def _count(c, pred, want, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        n = sum(1 for el in c.inbox if pred(el))
        if n >= want:
            await asyncio.sleep(0.3)
            return sum(1 for el in c.inbox if pred(el))
        await asyncio.sleep(0.2)
    return sum(1 for el in c.inbox if pred(el))


if MODE == "bobs":
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(bobs_mode())
else:
    run({"apostrophes": apostrophes, "flood": flood, "bench": bench}[MODE], timeout=150)
