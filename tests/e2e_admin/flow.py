"""Live administration as occupants see it. The operator's actions are the real `mucctl`
binary (MUCCTL, with MUCCTL_URL and MUCCTL_TOKEN in the environment) against the API of
the `mucstreamd all` that serves the room; everything else is real XMPP through Prosody.
Writes the room JID to ROOM_FILE for run.sh's PostgreSQL checks."""
import json
import os
import subprocess

from harness import *


def mucctl(*args, token=None):
    env = dict(os.environ)
    if token is not None:
        env["MUCCTL_TOKEN"] = token
    p = subprocess.run([os.environ["MUCCTL"], *args], capture_output=True, text=True, timeout=20, env=env)
    return p.returncode, p.stdout, p.stderr


def ok(*args):
    rc, out, err = mucctl(*args)
    assert rc == 0, "mucctl %s exited %d: %s" % (" ".join(args), rc, err)
    return out


def unavailable_from(room, nick):
    return lambda el: presence_from(el, room + "/" + nick, "unavailable")


def reason(el):
    it = item(el)
    r = None if it is None else it.find(q("reason", NS_MUC_USER))
    return None if r is None else r.text


async def test():
    alice, bob, carol, dave = await clients("alice", "bob", "carol", "dave")
    room = unique_room("admin")
    local = room.split("@")[0]
    with open(os.environ["ROOM_FILE"], "w") as f:
        f.write(room)
    await instant_room(alice, room, "Alice")
    await bob.join(room, "Bob")
    await carol.join(room, "Carol")

    # Occupants: read from the live room, one line per session.
    out = ok("rooms", "occupants", local)
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["NICK", "ROLE", "AFFILIATION", "JID"], out
    rows = {l.split()[0]: l.split() for l in lines[1:-1]}
    assert set(rows) == {"Alice", "Bob", "Carol"}, out
    assert rows["Alice"][1:4] == ["moderator", "owner", "alice@localhost"], out
    assert rows["Bob"][1:4] == ["participant", "none", "bob@localhost"], out
    assert lines[-1] == "3 occupants in %s" % room, out
    doc = json.loads(ok("rooms", "occupants", room, "--json"))
    assert doc["count"] == 3 and doc["locked"] is False, doc
    full = {o["nick"]: o["sessions"][0]["full_jid"] for o in doc["occupants"]}
    assert full == {"Alice": alice.full, "Bob": bob.full, "Carol": carol.full}, full
    # The same room by its id (one naming rule for every command).
    assert json.loads(ok("rooms", "occupants", doc["room_id"], "--json"))["count"] == 3
    assert all(len(o["sessions"][0]["sessionid"]) == 36 for o in doc["occupants"]), doc

    # Lock: occupants get the room's groupchat notice (core's SetLock decision: a body, no
    # status code); a newcomer without affiliation is refused with not-allowed.
    out = ok("rooms", "lock", local)
    assert "room_locked" in out, out
    for c in (alice, bob, carol):
        m = await c.expect(lambda el: el.tag == q("message") and el.get("from") == room
                           and el.get("type") == "groupchat" and body(el) is not None, 5, "lock notice")
        assert body(m) == "This room is now locked: only members may join", dump(m)
    err = await dave.join(room, "Dave", expect_ok=False)
    assert error_condition(err) == ("not-allowed", "cancel"), dump(err)
    assert ok("rooms", "occupants", local, "--json").count('"nick"') == 3
    # Locking it again changes nothing: said so, exit 1, no table (run.sh: one room_locked).
    rc, out, err = mucctl("rooms", "lock", local)
    assert rc == 1 and out == "" and "%s is already locked (HTTP 409 conflict)" % room in err, (rc, out, err)

    # Kick: Bob gets unavailable with 307 + 110 and the reason; the others see 307.
    assert "occupant_left" in ok("rooms", "kick", local, "Bob", "--reason", "Be nice")
    for c in (bob, alice, carol):
        p = await c.expect(unavailable_from(room, "Bob"), 5, "kick presence")
        assert 307 in statuses(p), dump(p)
        assert reason(p) == "Be nice", dump(p)
        assert item(p).get("role") == "none", dump(p)
        assert (110 in statuses(p)) == (c is bob), dump(p)

    # Ban: Carol gets unavailable with 301 + 110 and the reason; Alice sees 301; Carol may
    # not come back.
    out = ok("rooms", "ban", local, "carol@localhost", "--reason", "Spam")
    assert "affiliation_changed" in out and "occupant_left" in out, out
    for c in (carol, alice):
        p = await c.expect(unavailable_from(room, "Carol"), 5, "ban presence")
        assert 301 in statuses(p), dump(p)
        assert reason(p) == "Spam", dump(p)
        assert item(p).get("affiliation") == "outcast", dump(p)
        assert (110 in statuses(p)) == (c is carol), dump(p)
    err = await carol.join(room, "Carol", expect_ok=False)
    assert error_condition(err) == ("forbidden", "auth"), dump(err)

    # Unlock: Dave may join now; the list shows Alice and Dave.
    assert "room_unlocked" in ok("rooms", "unlock", local)
    await alice.expect(lambda el: el.tag == q("message") and body(el) == "This room is now unlocked", 5, "unlock notice")
    await dave.join(room, "Dave")
    out = ok("rooms", "occupants", local)
    assert [l.split()[0] for l in out.splitlines()[1:-1]] == ["Alice", "Dave"], out

    # A message from the service (mucctl messages post, POST /v1/rooms/{room}/messages): from
    # the room's own JID, with the room's stanza-id, to every occupant.
    out = ok("messages", "post", doc["room_id"], "Deploy at 18:00")
    assert room in out, out
    for c in (alice, dave):
        m = await c.expect(lambda el: el.tag == q("message") and el.get("from") == room
                           and el.get("type") == "groupchat" and body(el) == "Deploy at 18:00", 5, "service message")
        sid = m.find(q("stanza-id", "urn:xmpp:sid:0"))
        assert sid is not None and sid.get("by") == room and sid.get("id") in out, dump(m)

    # Destroy with a reason: each occupant gets unavailable with <destroy><reason>.
    assert "room_destroyed" in ok("rooms", "destroy", local, "--reason", "Meeting over")
    for c, nick in ((alice, "Alice"), (dave, "Dave")):
        p = await c.expect(unavailable_from(room, nick), 5, "destroy presence")
        d = muc_x(p).find(q("destroy", NS_MUC_USER))
        assert d is not None, dump(p)
        assert d.find(q("reason", NS_MUC_USER)).text == "Meeting over", dump(p)

    # Errors: a clear message and a non-zero exit.
    rc, out, err = mucctl("rooms", "occupants", local)
    assert rc == 1 and "No such room" in err and "HTTP 404" in err, (rc, err)
    rc, out, err = mucctl("rooms", "lock", "nosuch-" + local)
    assert rc == 1 and "HTTP 404 not_found" in err, (rc, err)
    rc, out, err = mucctl("rooms", "kick", local, "Nobody")
    assert rc == 1 and "HTTP 404" in err, (rc, err)
    rc, out, err = mucctl("rooms", "lock", local, token="not-a-token")
    assert rc == 4 and "HTTP 401" in err, (rc, err)
    rc, out, err = mucctl("rooms", "occupants", "a b")
    assert rc == 1 and "'room'" in err, (rc, err)
    for c in (alice, bob, carol, dave):
        await c.stop()


run(test, timeout=60)
