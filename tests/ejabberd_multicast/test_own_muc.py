"""ejabberd's own MUC keeps delivering with mucstream's module loaded beside
mod_multicast. ejabberd's MUC hands its broadcasts to mod_multicast, which asks each
destination server's disco#info (here anon.localhost, where the module is loaded too) whether
to pass that server's share on as one XEP-0033 stanza; a module that said yes would refuse
those (the MUC is not a sender) and the room would go silent for anonymous users from the
second message on. An owner on localhost and a guest on anon.localhost each get every
message of a room on conference.localhost, also after mod_multicast has had its answer.

Then a module beside it on filter_packet (router_probe.erl, hooked at run time over Erlang
distribution): the module's copies must go through ejabberd_router, which runs that hook, and
be delivered or dropped as the hook says; straight to ejabberd_sm they would pass it by (a
spam filter or a block list on that hook would not see them)."""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "prosody_multicast"))

from multicast import *  # noqa: E402,F403 (the Prosody module's test helpers)
from multicast_support import RawClient  # noqa: E402


async def test():
    if ENV.get("SERVER") != "ejabberd":
        print("SKIP: ejabberd's own MUC and mod_multicast only")
        sys.exit(77)
    owner, guest = Client("alice"), RawClient("guest", anonymous_domain="anon.localhost")
    await asyncio.gather(owner.start(), guest.start())
    room = "own-%s@conference.localhost" % uuid.uuid4().hex[:8]
    pres = await owner.join(room, "Owner")
    if 201 in statuses(pres):  # ejabberd locks a new room until it is configured
        r = await owner.iq(room, "set", "<query xmlns='%s'><x xmlns='jabber:x:data' type='submit'/></query>"
                           % NS_MUC_OWNER)
        assert r.get("type") == "result", dump(r)
    await guest.join(room, "Guest")
    for k in range(3):
        owner.send_xml("<message to='%s' type='groupchat' id='own-%d'><body>own %d</body></message>" % (room, k, k))
        for c in (owner, guest):
            m = await c.expect(lambda el: el.tag == q("message") and body(el) == "own %d" % k, 10,
                               "message %d from ejabberd's own MUC" % k)
            assert m.get("from") == room + "/Owner", dump(m)
        # mod_multicast's question to anon.localhost is answered in between: the next message
        # goes the way that answer chose
        await asyncio.sleep(1.0)
    await owner.stop()
    await guest.stop()
    await through_filter_packet()


def erl_call(call):
    """Calls Module Function [Args] on the fixture's ejabberd node (name, cookie and port
    mapper as tests/e2e/fixture_ejabberd.sh sets them)."""
    node = "mucstream-%s@localhost" % os.path.basename(STATE.rstrip("/"))
    with open(os.path.join(STATE, ".erlang.cookie")) as f:
        cookie = f.read().strip()
    with open(os.path.join(STATE, "epmd.port")) as f:
        env = dict(os.environ, ERL_EPMD_PORT=f.read().strip())
    r = subprocess.run(["erl_call", "-sname", node, "-c", cookie, "-a", call], env=env,
                       capture_output=True, text=True, timeout=15)
    assert r.returncode == 0, "erl_call %s: %s%s" % (call, r.stdout, r.stderr)
    return r.stdout.strip()


HOOK = "ejabberd_hooks %s [filter_packet, global, router_probe, filter, 50]"


async def through_filter_packet():
    here = os.path.dirname(os.path.abspath(__file__))
    ebin = tempfile.mkdtemp(prefix="router-probe-")
    try:
        os.chmod(ebin, 0o755)  # ejabberd's node (user ejabberd) reads the beam
        subprocess.run(["erlc", "+warnings_as_errors", "-o", ebin, os.path.join(here, "router_probe.erl")],
                       env=dict(os.environ, ERL_LIBS="/usr/lib/x86_64-linux-gnu"), check=True, timeout=30)
        erl_call("code purge [router_probe]")  # a run before left it loaded: its old code goes
        loaded = erl_call('code load_abs ["%s"]' % os.path.join(ebin, "router_probe"))
        assert loaded.replace(" ", "") == "{module,router_probe}", loaded
        assert erl_call(HOOK % "add") == "ok"
        try:
            await filtered_copies()
        finally:
            erl_call(HOOK % "delete")
    finally:
        shutil.rmtree(ebin, ignore_errors=True)


async def filtered_copies():
    comp = await component()
    people = await clients("alice", "bob", "carol")
    alice, bob, carol = people
    for form in FORMS:
        msg_id, text = multicast("message", "lobby@%s/Dave" % ALLOWED, [p.full for p in people],
                                 "<body>filtered</body>", type_="groupchat", id_="router-" + uuid.uuid4().hex[:8],
                                 form=form)
        comp.send(text)
        for p in (alice, bob):
            el = await p.expect(lambda el: el.tag == q("message") and el.get("id") == msg_id, 5,
                                "the copy through filter_packet (%s)" % form)
            assert el.find(q("filtered", "urn:mucstream:test:filter")) is not None, \
                "the copy passed filter_packet by: " + dump(el)
            assert body(el) == "filtered" and el.get("to") == p.full, dump(el)
        await carol.expect_none(lambda el: el.get("id") == msg_id, 0.5, "the copy filter_packet dropped (%s)" % form)
    assert not comp.inbox, "the component got: " + dump(comp.inbox[0])
    await asyncio.gather(*(p.stop() for p in people))
    await comp.close()


run(test, 30)
