"""Owner configuration: a new room is locked until configured (others get item-not-found);
the owner reads the muc#roomconfig form, submits it (occupants get status 104), and the
mucstream lock field (muc#roomconfig_locked) keeps non-members out until unlocked."""
from harness import *


def field(form, var):
    for f in form.iter(q("field", NS_DATA)):
        if f.get("var") == var:
            v = f.find(q("value", NS_DATA))
            return None if v is None else (v.text or "")
    return "<absent>"


async def test():
    alice, bob, carol = await clients("alice", "bob", "carol")
    room = unique_room("config")
    pres = await alice.join(room, "Alice")
    assert 201 in statuses(pres), dump(pres)
    err = await bob.join(room, "Bob", expect_ok=False)  # §10.1.1: locked until configured
    assert error_condition(err) == ("item-not-found", "cancel"), dump(err)

    form = await alice.iq(room, "get", "<query xmlns='%s'/>" % NS_MUC_OWNER)
    x = form.find(q("query", NS_MUC_OWNER)).find(q("x", NS_DATA))
    assert x is not None and x.get("type") == "form", dump(form)
    assert field(x, "FORM_TYPE") == "http://jabber.org/protocol/muc#roomconfig"
    for var in ("muc#roomconfig_roomname", "muc#roomconfig_roomdesc", "muc#roomconfig_persistentroom",
                "muc#roomconfig_publicroom", "muc#roomconfig_passwordprotectedroom", "muc#roomconfig_roomsecret",
                "muc#roomconfig_membersonly", "muc#roomconfig_moderatedroom", "muc#roomconfig_maxusers",
                "muc#roomconfig_whois", "muc#roomconfig_changesubject", "muc#roomconfig_historylength",
                "muc#roomconfig_locked"):
        assert field(x, var) != "<absent>", var
    r = await alice.iq(room, "set", "<query xmlns='%s'><x xmlns='jabber:x:data' type='submit'>"
                       "<field var='FORM_TYPE'><value>http://jabber.org/protocol/muc#roomconfig</value></field>"
                       "<field var='muc#roomconfig_roomname'><value>Team room</value></field>"
                       "<field var='muc#roomconfig_roomdesc'><value>Daily sync</value></field>"
                       "<field var='muc#roomconfig_whois'><value>anyone</value></field></x></query>" % NS_MUC_OWNER)
    assert r.get("type") == "result", dump(r)
    pres = await bob.join(room, "Bob")
    assert 100 in statuses(pres), "non-anonymous room announces 100: " + dump(pres)

    # Lock: Bob is inside and gets 104; Carol (no affiliation) is kept out with not-allowed.
    r = await alice.iq(room, "set", "<query xmlns='%s'><x xmlns='jabber:x:data' type='submit'>"
                       "<field var='muc#roomconfig_locked'><value>1</value></field></x></query>" % NS_MUC_OWNER)
    assert r.get("type") == "result", dump(r)
    form = await alice.iq(room, "get", "<query xmlns='%s'/>" % NS_MUC_OWNER)
    assert field(form, "muc#roomconfig_locked") == "1", dump(form)
    assert field(form, "muc#roomconfig_roomname") == "Team room"
    err = await carol.join(room, "Carol", expect_ok=False)
    assert error_condition(err) == ("not-allowed", "cancel"), dump(err)
    r = await alice.iq(room, "set", "<query xmlns='%s'><x xmlns='jabber:x:data' type='submit'>"
                       "<field var='muc#roomconfig_locked'><value>0</value></field>"
                       "<field var='muc#roomconfig_roomname'><value>Team room 2</value></field></x></query>" % NS_MUC_OWNER)
    assert r.get("type") == "result", dump(r)
    st = await bob.expect(lambda el: el.tag == q("message") and 104 in statuses(el), 5, "status 104")
    assert st.get("from") == room, dump(st)
    await carol.join(room, "Carol")
    # A non-owner may not read the form.
    r = await bob.iq(room, "get", "<query xmlns='%s'/>" % NS_MUC_OWNER)
    assert error_condition(r) == ("forbidden", "auth"), dump(r)
    await alice.stop(); await bob.stop(); await carol.stop()


run(test)
