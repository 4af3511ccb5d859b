"""Room creation policy and upkeep as XMPP clients see it, with `mucstreamd all` started by
run_policy.sh with rooms.only_admins_create, rooms.admins = alice, dave and
rooms.lock_new_rooms off. The operator's actions are the real `mucctl` binary (MUCCTL, with
MUCCTL_URL and MUCCTL_TOKEN in the environment). Writes the two room JIDs to ROOM_FILE for
run_policy.sh's PostgreSQL checks."""
import json
import os
import subprocess

from harness import *


def mucctl(*args, stdin=None):
    p = subprocess.run([os.environ["MUCCTL"], *args], capture_output=True, text=True, timeout=20, input=stdin)
    return p.returncode, p.stdout, p.stderr


def ok(*args):
    rc, out, err = mucctl(*args)
    assert rc == 0, "mucctl %s exited %d: %s" % (" ".join(args), rc, err)
    return out


def subject(el):
    return el.tag == q("message") and el.find(q("subject")) is not None


async def test():
    alice, bob, carol = await clients("alice", "bob", "carol")
    tag = uuid.uuid4().hex[:8]
    open_room, quiet = "open-%s@%s" % (tag, DOMAIN), "quiet-%s@%s" % (tag, DOMAIN)
    with open(os.environ["ROOM_FILE"], "w") as f:
        f.write("%s %s\n" % (open_room, quiet))

    # Creation is restricted: bob's join of a room that does not exist is refused.
    err = await bob.join("bobs-%s@%s" % (tag, DOMAIN), "Bob", expect_ok=False)
    assert error_condition(err) == ("not-allowed", "cancel"), dump(err)

    # Alice is listed in rooms.admins: her join creates the room (201) and, with the new-room
    # lock off, it is open at once: bob enters without alice submitting any form.
    pres = await alice.join(open_room, "Alice")
    assert {110, 201} <= statuses(pres), dump(pres)
    assert item(pres).get("affiliation") == "owner", dump(pres)
    await alice.expect(subject, 5, "subject")
    await bob.join(open_room, "Bob")
    bob.send_xml("<message to='%s' type='groupchat'><body>first</body></message>" % open_room)
    await alice.expect(lambda el: body(el) == "first", 5, "bob's message")

    # rooms set: a live option change the occupants see (members-only: bob, no member, leaves
    # with 322); a value the room already has, an unknown option and a bad value are refused.
    out = ok("rooms", "set", open_room.split("@")[0], "members-only", "true")
    assert "room_configured" in out, out
    p = await bob.expect(lambda el: presence_from(el, open_room + "/Bob", "unavailable"), 5, "bob removed")
    assert 322 in statuses(p), dump(p)
    await alice.expect(lambda el: el.tag == q("message") and 104 in statuses(el), 5, "configuration changed (104)")
    rc, out, err = mucctl("rooms", "set", open_room, "members_only", "yes")
    assert rc == 1 and out == "" and "already has members_only=true (HTTP 409 conflict)" in err, (rc, out, err)
    rc, out, err = mucctl("rooms", "set", open_room, "colour", "blue")
    assert rc == 2 and "unknown room option 'colour'" in err, (rc, err)
    rc, out, err = mucctl("rooms", "set", open_room, "max-occupants", "many")
    assert rc == 2 and "max-occupants takes a whole number" in err, (rc, err)
    err = await carol.join(open_room, "Carol", expect_ok=False)
    assert error_condition(err) == ("registration-required", "auth"), dump(err)
    ok("rooms", "set", open_room, "persistent", "true")

    # Lock, then lock again: the second says the room is already locked, exit 1, no table.
    assert "room_locked" in ok("rooms", "lock", open_room)
    rc, out, err = mucctl("rooms", "lock", open_room)
    assert rc == 1 and out == "" and "%s is already locked (HTTP 409 conflict)" % open_room in err, (rc, out, err)

    # A room made ahead of time by the admin API that nobody ever used; alice leaves hers.
    ok("rooms", "create", quiet.split("@")[0], "--owner", "alice@localhost", "--title", "Quiet")
    alice.send_xml("<presence to='%s/Alice' type='unavailable'/>" % open_room)
    await alice.expect(lambda el: presence_from(el, open_room + "/Alice", "unavailable"), 5, "alice left")

    # destroy-empty: the dry run lists only the room without a message and changes nothing.
    doc = json.loads(ok("rooms", "destroy-empty", "--dry-run", "--json"))
    assert doc["dry_run"] is True and [r["room"] for r in doc["rooms"]] == [quiet], doc
    assert doc["rooms"][0]["name"] == "Quiet" and doc["rooms"][0]["persistent"] is True, doc
    out = ok("rooms", "destroy-empty")
    assert quiet in out and out.endswith("1 room destroyed\n") and open_room not in out, out
    assert ok("rooms", "destroy-empty") == "no empty room to destroy\n"

    # destroy-unused: the open room was used a moment ago, so not a day ago; with --days 0 it
    # goes (nobody is in it). Bob then cannot bring it back: creation is still restricted.
    assert ok("rooms", "destroy-unused", "--days", "1", "--dry-run") == "no unused room would be destroyed\n"
    out = ok("rooms", "destroy-unused", "--days", "0", "--csv")
    lines = out.splitlines()
    assert lines[0] == "room,room_id,name,persistent,created,last_activity" and len(lines) == 2, out
    assert lines[1].startswith(open_room + ","), out
    rc, out, err = mucctl("rooms", "occupants", open_room)
    assert rc == 1 and "HTTP 404" in err, (rc, err)
    err = await bob.join(open_room, "Bob", expect_ok=False)
    assert error_condition(err) == ("not-allowed", "cancel"), dump(err)

    # Dave is the other listed admin: he may create one too.
    pres = await creates_room("dave", "dave-%s@%s" % (tag, DOMAIN))
    assert 201 in statuses(pres), dump(pres)
    for c in (alice, bob, carol):
        await c.stop()


async def creates_room(user, room):
    (c,) = await clients(user)
    try:
        return await c.join(room, user.capitalize())
    finally:
        await c.stop()


run(test, 90)
