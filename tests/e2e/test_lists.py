"""Member/admin/owner lists (§9.5, §10.5): owners set and get each list; an admin may see
lists but not make owners; a plain participant may not see them."""
from harness import *


def jids(iq):
    return sorted(i.get("jid") for i in iq.iter(q("item", NS_MUC_ADMIN)))


async def test():
    alice, bob, carol = await clients("alice", "bob", "carol")
    room = unique_room("lists")
    await instant_room(alice, room, "Alice")
    await bob.join(room, "Bob")
    for jid, aff in (("dave@localhost", "member"), ("eve@localhost", "member"), ("bob@localhost", "admin"),
                     ("carol@localhost", "owner")):
        r = await alice.iq(room, "set", "<query xmlns='%s'><item jid='%s' affiliation='%s'/></query>" % (NS_MUC_ADMIN, jid, aff))
        assert r.get("type") == "result", dump(r)
    # Bob (in the room) sees his promotion to admin: moderator role.
    p = await bob.expect(lambda el: presence_from(el, room + "/Bob") and item(el).get("affiliation") == "admin", 5, "admin")
    assert item(p).get("role") == "moderator", dump(p)
    for aff, want in (("member", ["dave@localhost", "eve@localhost"]), ("admin", ["bob@localhost"]),
                      ("owner", ["alice@localhost", "carol@localhost"])):
        r = await alice.iq(room, "get", "<query xmlns='%s'><item affiliation='%s'/></query>" % (NS_MUC_ADMIN, aff))
        assert jids(r) == want, aff + ": " + dump(r)
    r = await bob.iq(room, "get", "<query xmlns='%s'><item affiliation='member'/></query>" % NS_MUC_ADMIN)
    assert jids(r) == ["dave@localhost", "eve@localhost"], dump(r)
    r = await bob.iq(room, "set", "<query xmlns='%s'><item jid='dave@localhost' affiliation='owner'/></query>" % NS_MUC_ADMIN)
    assert error_condition(r) == ("forbidden", "auth"), dump(r)
    # Removing a member (affiliation none) takes them off the list.
    r = await alice.iq(room, "set", "<query xmlns='%s'><item jid='eve@localhost' affiliation='none'/></query>" % NS_MUC_ADMIN)
    assert r.get("type") == "result"
    r = await alice.iq(room, "get", "<query xmlns='%s'><item affiliation='member'/></query>" % NS_MUC_ADMIN)
    assert jids(r) == ["dave@localhost"], dump(r)
    dave = Client("dave")
    await dave.start()
    await dave.join(room, "Dave")
    r = await dave.iq(room, "get", "<query xmlns='%s'><item affiliation='owner'/></query>" % NS_MUC_ADMIN)
    assert error_condition(r) == ("forbidden", "auth"), dump(r)
    for c in (alice, bob, carol, dave):
        await c.stop()


run(test)
