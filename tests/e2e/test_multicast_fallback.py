"""Multicast fallback through ejabberd: a component whose domain mod_multicast does not allow
(refused.localhost, started by this test) finds the service at multicast.localhost
(mucstream's module on localhost shows itself only to its senders, which refused.localhost is
not), has its first multicast stanza refused (forbidden), sends that stanza (a join's presence)
again one per recipient and from then on sends everything per recipient: every occupant gets
every message exactly once, and the log and the metrics say what happened."""
import os
import subprocess

from multicast_support import *


async def test():
    if ENV.get("SERVER") != "ejabberd" or ENV.get("MULTICAST", "1") == "0" or "REFUSED_COMPONENT_PORT" not in ENV:
        print("SKIP: needs the ejabberd fixture with mod_multicast (refused.localhost)")
        sys.exit(77)
    ops = subprocess.run(["python3", "-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); "
                          "print(s.getsockname()[1])"], capture_output=True, text=True).stdout.strip()
    log_path = os.path.join(STATE, "refused-component.log")
    log = open(log_path, "w")
    proc = subprocess.Popen([os.environ["MUCSTREAMD"], "component", "--xmpp-host", "127.0.0.1", "--xmpp-port",
                             ENV["REFUSED_COMPONENT_PORT"], "--domain", "refused.localhost", "--secret",
                             ENV["COMPONENT_SECRET"], "--xmpp-events", "none", "--ops-listen", "127.0.0.1:" + ops],
                            stdout=subprocess.DEVNULL, stderr=log)
    try:
        for _ in range(100):
            await asyncio.sleep(0.1)
            if "multicast through multicast.localhost" in open(log_path).read():
                break
        else:
            raise AssertionError("the component did not find the service: " + open(log_path).read())
        cs = await clients("alice", "bob", "carol", "dave")
        room = "fallback-%s@refused.localhost" % uuid.uuid4().hex[:8]
        await instant_room(cs[0], room, "A")
        nicks = ("A", "B", "C", "D")
        for c, nick in zip(cs[1:], nicks[1:]):
            await c.join(room, nick)
        await asyncio.sleep(0.5)
        for c, mine in zip(cs, nicks):  # the refused presences came all the same, once
            for nick in nicks:
                got = [el for el in c.inbox if presence_from(el, room + "/" + nick)]
                assert len(got) == (0 if nick == mine else 1), "%s: %d presences of %s" % (mine, len(got), nick)
            c.inbox.clear()
        for k in range(2):  # the refused one, and one sent per recipient from the start
            cs[1].send_xml("<message to='%s' type='groupchat' id='fb-%d'><body>fallback %d</body></message>" % (room, k, k))
            for c in cs:
                m = await c.expect(lambda el: el.tag == q("message") and body(el) == "fallback %d" % k, 10,
                                   "message %d" % k)
                assert m.get("from") == room + "/B" and m.get("id") == "fb-%d" % k, dump(m)
        await asyncio.sleep(0.7)
        for c in cs:
            again = [dump(el) for el in c.inbox if el.tag == q("message") and (body(el) or "").startswith("fallback")]
            assert not again, "%s got a message twice: %s" % (c.user, again)
        m = metrics(ops)
        assert m["mucstream_multicast_fallbacks_total"] >= 1, m
        assert m["mucstream_multicast_active"] == 0.0, m
        text = open(log_path).read()
        assert "refused a presence stanza (forbidden)" in text and "until the next connection" in text, text
        for c in cs:
            await c.stop()
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


run(test, timeout=35)
