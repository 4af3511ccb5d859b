"""Per-sender limits (the fixture runs mucstreamd with --limits-max-stanza-bytes 16384,
--limits-messages-per-second 20, --limits-burst 40): an oversized message gets
policy-violation (modify); a flood gets resource-constraint (wait) for the excess while
another occupant is unaffected."""
from harness import *


async def test():
    alice, bob = await clients("alice", "bob")
    room = unique_room("limits")
    await instant_room(alice, room, "Alice")
    await bob.join(room, "Bob")
    bob.send_xml("<message to='%s' type='groupchat' id='big'><body>%s</body></message>" % (room, "x" * 20000))
    err = await bob.expect(lambda el: el.tag == q("message") and el.get("id") == "big", 5, "oversize error")
    assert error_condition(err) == ("policy-violation", "modify"), dump(err)
    await alice.expect_none(lambda el: el.tag == q("message") and body(el) and body(el).startswith("xxx"), 0.5)

    n = 120
    for i in range(n):
        bob.send_xml("<message to='%s' type='groupchat' id='f%d'><body>flood %d</body></message>" % (room, i, i))
    await asyncio.sleep(3)
    errors = [el for el in bob.inbox if el.get("type") == "error" and (el.get("id") or "").startswith("f")]
    echoes = [el for el in bob.inbox if el.get("type") == "groupchat" and (body(el) or "").startswith("flood")]
    assert errors, "no resource-constraint error for %d messages in a burst" % n
    assert all(error_condition(e) == ("resource-constraint", "wait") for e in errors), dump(errors[0])
    assert len(errors) + len(echoes) == n, (len(errors), len(echoes))
    assert 40 <= len(echoes) < n, len(echoes)
    # Alice is another sender: her messages pass.
    alice.send_xml("<message to='%s' type='groupchat'><body>still fine</body></message>" % room)
    await bob.expect(lambda el: body(el) == "still fine", 5, "other sender unaffected")
    await alice.stop(); await bob.stop()


run(test, timeout=40)
