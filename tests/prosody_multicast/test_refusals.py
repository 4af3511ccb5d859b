"""Multicast only from the configured component, within the cap: another component and a
client get <forbidden/> (type auth); more recipients than the cap (1000: Prosody's
mucstream_multicast_max_recipients, ejabberd's max_recipients) <policy-violation/> (type
modify), in either form of recipients; an address that is not bcc <bad-request/>. In each case
nobody receives anything. Exactly 1000 is delivered."""
from multicast import *


def with_id(id_):
    return lambda el: el.get("id") == id_


async def test():
    allowed, other = await component(ALLOWED), await component(OTHER)
    alice, bob = await clients("alice", "bob")
    targets = [alice.full]

    # Another component's domain.
    id_, text = multicast("message", "room@%s/Mallory" % OTHER, targets, "<body>spam</body>", type_="groupchat")
    other.send(text)
    err = await other.expect(with_id(id_), 5, "the refusal")
    assert err.get("type") == "error" and err.get("from") == HOST, dump(err)
    assert stanza_error(err) == ("forbidden", "auth"), dump(err)

    # A client (its from is stamped by the server; it gets the error on its own stream).
    cid, text = multicast("message", bob.full, targets, "<body>spam</body>", type_="chat")
    bob.send_xml(text.replace(" from='%s'" % bob.full, "", 1))
    err = await bob.expect(with_id(cid), 5, "the refusal")
    assert err.get("type") == "error" and err.get("from") == HOST, dump(err)
    assert error_condition(err) == ("forbidden", "auth"), dump(err)
    pid, text = multicast("presence", bob.full, targets, "<status>hello</status>")
    bob.send_xml(text.replace(" from='%s'" % bob.full, "", 1))
    err = await bob.expect(with_id(pid), 5, "the refusal of a presence")
    assert error_condition(err) == ("forbidden", "auth"), dump(err)

    # Over the cap, from the allowed component.
    many = targets + ["ghost%d@localhost/r" % i for i in range(1000)]
    big_id, text = multicast("message", "big@%s/Dave" % ALLOWED, many, "<body>all</body>", type_="groupchat")
    allowed.send(text)
    err = await allowed.expect(with_id(big_id), 5, "the refusal over the cap")
    assert err.get("type") == "error" and stanza_error(err) == ("policy-violation", "modify"), dump(err)

    # The same as a recipient list: another component is refused, over the cap too.
    lid, text = multicast("message", "room@%s/Mallory" % OTHER, targets, "<body>spam</body>", type_="groupchat", form="list")
    other.send(text)
    err = await other.expect(with_id(lid), 5, "the refusal of a list")
    assert stanza_error(err) == ("forbidden", "auth"), dump(err)
    big_list, text = multicast("message", "big@%s/Dave" % ALLOWED, many, "<body>all</body>", type_="groupchat", form="list")
    allowed.send(text)
    err = await allowed.expect(with_id(big_list), 5, "the refusal of a list over the cap")
    assert stanza_error(err) == ("policy-violation", "modify"), dump(err)

    # Not bcc.
    to_id, text = multicast("message", "big@%s/Dave" % ALLOWED, targets, "<body>cc</body>", type_="groupchat")
    allowed.send(text.replace("type='bcc'", "type='cc'"))
    err = await allowed.expect(with_id(to_id), 5, "the refusal of a cc address")
    assert stanza_error(err) == ("bad-request", "modify"), dump(err)

    # Exactly the cap is delivered (a presence: no bounces from the 999 absent sessions).
    cap_id, text = multicast("presence", "big@%s/Dave" % ALLOWED, many[:1000], "<status>cap</status>")
    allowed.send(text)
    el = await alice.expect(lambda e: e.tag == q("presence") and e.get("id") == cap_id, 5, "the presence at the cap")
    assert not has_addresses(el), dump(el)

    for refused in (id_, cid, pid, big_id, to_id, lid, big_list):
        await alice.expect_none(with_id(refused), 0, "a refused stanza")
    assert not allowed.inbox and not other.inbox, "unexpected: " + dump((allowed.inbox + other.inbox)[0])
    await alice.stop(); await bob.stop()
    await allowed.close(); await other.close()


run(test, 20)
