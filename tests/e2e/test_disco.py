"""Discovery (XEP-0030, §6): the service is a conference service; public rooms are listed
with their names, hidden ones are not; a room's info has the identity, the muc features
and the muc#roominfo form with occupant count and description. Unknown IQs get
service-unavailable, never silence."""
from harness import *


def form_field(iq, var):
    for f in iq.iter(q("field", NS_DATA)):
        if f.get("var") == var:
            return f.find(q("value", NS_DATA)).text
    return None


async def test():
    alice, bob = await clients("alice", "bob")
    public = unique_room("public")
    hidden = unique_room("hidden")
    await instant_room(alice, public, "Alice")
    r = await alice.iq(public, "set", "<query xmlns='%s'><x xmlns='jabber:x:data' type='submit'>"
                       "<field var='muc#roomconfig_roomname'><value>Lobby</value></field>"
                       "<field var='muc#roomconfig_roomdesc'><value>Say hi</value></field></x></query>" % NS_MUC_OWNER)
    assert r.get("type") == "result"
    await instant_room(alice, hidden, "Alice")
    r = await alice.iq(hidden, "set", "<query xmlns='%s'><x xmlns='jabber:x:data' type='submit'>"
                       "<field var='muc#roomconfig_publicroom'><value>0</value></field></x></query>" % NS_MUC_OWNER)
    assert r.get("type") == "result"
    await bob.join(public, "Bob")

    info = await bob.iq(DOMAIN, "get", "<query xmlns='%s'/>" % NS_DISCO_INFO)
    ident = info.find(q("query", NS_DISCO_INFO)).find(q("identity", NS_DISCO_INFO))
    assert ident.get("category") == "conference" and ident.get("type") == "text", dump(info)
    feats = {f.get("var") for f in info.iter(q("feature", NS_DISCO_INFO))}
    assert NS_MUC in feats, dump(info)

    items = await bob.iq(DOMAIN, "get", "<query xmlns='%s'/>" % NS_DISCO_ITEMS)
    listed = {i.get("jid"): i.get("name") for i in items.iter(q("item", NS_DISCO_ITEMS))}
    assert listed.get(public) == "Lobby", dump(items)
    assert hidden not in listed, dump(items)

    info = await bob.iq(public, "get", "<query xmlns='%s'/>" % NS_DISCO_INFO)
    ident = info.find(q("query", NS_DISCO_INFO)).find(q("identity", NS_DISCO_INFO))
    assert ident.get("category") == "conference" and ident.get("name") == "Lobby", dump(info)
    feats = {f.get("var") for f in info.iter(q("feature", NS_DISCO_INFO))}
    for f in (NS_MUC, "muc_public", "muc_temporary", "muc_open", "muc_unmoderated", "muc_semianonymous",
              "muc_unsecured", "urn:xmpp:sid:0", "urn:xmpp:occupant-id:0"):
        assert f in feats, f + ": " + dump(info)
    assert form_field(info, "FORM_TYPE") == "http://jabber.org/protocol/muc#roominfo"
    assert form_field(info, "muc#roominfo_occupants") == "2", dump(info)
    assert form_field(info, "muc#roominfo_description") == "Say hi", dump(info)

    for to in (DOMAIN, public):
        r = await bob.iq(to, "get", "<query xmlns='jabber:iq:last'/>")
        assert error_condition(r) == ("service-unavailable", "cancel"), dump(r)
        assert r.get("from") == to, dump(r)
    await alice.stop(); await bob.stop()


run(test)
