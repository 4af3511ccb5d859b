"""XEP-0045 §7.13 voice requests: a visitor of a moderated room submits the muc#request
form; each moderator gets the approval form (with the visitor's nick and JID); the
moderator submits it with muc#request_allow and the visitor becomes a participant. A
participant's own attempt at approving is refused."""
from room_lifecycle_support import *


def request_form(extra=""):
    return ("<x xmlns='%s' type='submit'><field var='FORM_TYPE'><value>%s</value></field>"
            "<field var='muc#role' type='list-single'><value>participant</value></field>%s</x>" % (NS_DATA, NS_MUC_REQUEST, extra))


async def test():
    alice, bob, carol = await clients("alice", "bob", "carol")
    room = unique_room("voicereq")
    await instant_room(alice, room, "Alice")
    assert (await configure(alice, room, {"FORM_TYPE": "http://jabber.org/protocol/muc#roomconfig",
                                          "muc#roomconfig_moderatedroom": "1"})).get("type") == "result"
    pres = await bob.join(room, "Bob")
    assert item(pres).get("role") == "visitor", dump(pres)
    await carol.join(room, "Carol")

    bob.send_xml("<message to='%s'>%s</message>" % (room, request_form()))
    form = await alice.expect(lambda el: el.tag == q("message") and el.find(q("x", NS_DATA)) is not None, 5, "approval form")
    assert form.get("from") == room, dump(form)
    fields = {f.get("var"): f.findtext(q("value", NS_DATA)) for f in form.find(q("x", NS_DATA)).findall(q("field", NS_DATA))}
    assert fields["FORM_TYPE"] == NS_MUC_REQUEST and fields["muc#roomnick"] == "Bob", fields
    assert fields["muc#jid"] == bob.full and fields["muc#request_allow"] == "false", fields
    await carol.expect_none(lambda el: el.tag == q("message") and el.find(q("x", NS_DATA)) is not None, 0.3,
                            "the form at a non-moderator")
    e = await wait_event(room, "voice_requested")
    assert e["data"]["nick"] == "Bob", e

    approve = request_form("<field var='muc#roomnick'><value>Bob</value></field>"
                           "<field var='muc#request_allow'><value>true</value></field>")
    carol.send_xml("<message to='%s' id='nope'>%s</message>" % (room, approve))
    err = await carol.expect(lambda el: el.tag == q("message") and el.get("type") == "error", 5, "refusal")
    assert error_condition(err)[0] == "forbidden", dump(err)
    alice.send_xml("<message to='%s'>%s</message>" % (room, approve))
    p = await bob.expect(lambda el: is_self_presence(el, room) and item(el).get("role") == "participant", 5, "voice")
    await wait_event(room, "role_changed", lambda e: e["data"]["nick"] == "Bob")
    for c in (alice, bob, carol):
        await c.stop()


run(test, 35)
