"""Two MUC domains served by one `mucstreamd component` with Kafka, and a standby: a room of
the same local name on each domain with two occupants and a message each; run.sh kills the
active process halfway and the standby takes over. After it: a newcomer joining each room
sees that room's occupants and history only, messages still stay in their domain, and each
domain's disco lists only its own room."""
import os

from harness import *

A, B = os.environ["DOMAIN_A"], os.environ["DOMAIN_B"]
STATE_DIR = os.environ["STATE_DIR"]


def groupchat_with(text):
    return lambda el: el.tag == q("message") and el.get("type") == "groupchat" and body(el) == text


def presence_nicks(client, room):
    """Nicks of the occupant presences of `room` in the inbox (consumed)."""
    nicks, keep = set(), []
    for el in client.inbox:
        if el.tag == q("presence") and (el.get("from") or "").startswith(room + "/") and el.get("type") is None:
            nicks.add(el.get("from").split("/", 1)[1])
        else:
            keep.append(el)
    client.inbox[:] = keep
    return nicks


async def say(sender, room, text, hearers, strangers):
    sender.send_xml("<message to='%s' type='groupchat'><body>%s</body></message>" % (room, text))
    for c in hearers:
        await c.expect(groupchat_with(text), 15, text + " in " + room)
    for c in strangers:
        await c.expect_none(groupchat_with(text), 0.5, text + " outside " + room)


async def test():
    alice, bob, carol, dave = await clients("alice", "bob", "carol", "dave")
    local = "kafka-" + uuid.uuid4().hex[:8]
    ra, rb = local + "@" + A, local + "@" + B
    await instant_room(alice, ra, "Alice")
    await instant_room(bob, rb, "Bob")
    await carol.join(ra, "Carol")
    await dave.join(rb, "Dave")
    await say(alice, ra, "acme before", [alice, carol], [bob, dave])
    await say(bob, rb, "globex before", [bob, dave], [alice, carol])

    await asyncio.sleep(1.5)  # snapshot rounds of both domains (--snapshot-interval-ms 300)
    open(os.path.join(STATE_DIR, "phase1.done"), "w").close()
    deadline = time.monotonic() + 90
    while not os.path.exists(os.path.join(STATE_DIR, "restarted")):
        assert time.monotonic() < deadline, "run_kafka.sh did not see the standby take over"
        await asyncio.sleep(0.2)

    # Newcomers: each room is back once, with its own occupants and history only.
    eve, = await clients("eve")
    await eve.join(ra, "Eve")
    nicks = presence_nicks(eve, ra)
    assert nicks >= {"Alice", "Carol"} and not nicks & {"Bob", "Dave"}, nicks
    await eve.expect(groupchat_with("acme before"), 10, "A's history")
    await eve.expect_none(groupchat_with("globex before"), 0.5, "B's history in A")
    eve2 = (await clients("eve"))[0]
    await eve2.join(rb, "Eve")
    nicks = presence_nicks(eve2, rb)
    assert nicks >= {"Bob", "Dave"} and not nicks & {"Alice", "Carol"}, nicks
    await eve2.expect(groupchat_with("globex before"), 10, "B's history")
    await eve2.expect_none(groupchat_with("acme before"), 0.5, "A's history in B")

    # Still apart after the takeover.
    await say(carol, ra, "acme after", [alice, carol], [bob, dave])
    await say(dave, rb, "globex after", [bob, dave], [alice, carol])
    for domain, room, other in ((A, ra, rb), (B, rb, ra)):
        items = await carol.iq(domain, "get", "<query xmlns='%s'/>" % NS_DISCO_ITEMS)
        listed = {i.get("jid") for i in items.iter(q("item", NS_DISCO_ITEMS))}
        assert room in listed and other not in listed, dump(items)
    for c in (alice, bob, carol, dave, eve, eve2):
        await c.stop()


run(test, timeout=180)
