"""IQs between occupants (XEP-0045 §7.x, as Prosody does): an IQ to room/nick reaches the
occupant's client from the sender's room JID (the real JID stays hidden) and the answer
comes back to the sender from room/nick with the sender's own id. A non-occupant gets
not-acceptable; an unknown nick item-not-found."""
from harness import *


async def test():
    alice, bob, carol = await clients("alice", "bob", "carol")
    bob.register_plugin("xep_0199")  # Bob's client answers pings
    room = unique_room("iq")
    await instant_room(alice, room, "Alice")
    await bob.join(room, "Bob")
    r = await alice.iq(room + "/Bob", "get", "<ping xmlns='urn:xmpp:ping'/>")
    assert r.get("type") == "result", dump(r)
    assert r.get("from") == room + "/Bob", dump(r)
    seen = await bob.expect(lambda el: el.tag == q("iq") and el.get("type") == "get", 5, "routed ping")
    assert seen.get("from") == room + "/Alice", "the sender's real JID stays hidden: " + dump(seen)
    # An IQ Bob's client does not handle: its error comes back the same way.
    r = await alice.iq(room + "/Bob", "get", "<query xmlns='urn:example:nothing'/>")
    assert r.get("type") == "error" and r.get("from") == room + "/Bob", dump(r)
    r = await carol.iq(room + "/Bob", "get", "<ping xmlns='urn:xmpp:ping'/>")
    assert error_condition(r) == ("not-acceptable", "modify"), dump(r)
    r = await alice.iq(room + "/Nobody", "get", "<query xmlns='http://jabber.org/protocol/disco#info'/>")
    assert error_condition(r) == ("item-not-found", "cancel"), dump(r)
    await alice.stop(); await bob.stop(); await carol.stop()


run(test)
