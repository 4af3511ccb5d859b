"""SIGTERM: a second mucstreamd (own domain term.localhost, started by this test) shuts
down cleanly: every occupant gets unavailable presence with 110 and 332 before the
connection closes, and the process exits 0."""
import os
import signal
import subprocess

from harness import *


async def test():
    log = open(os.path.join(STATE, "term-component.log"), "w")
    proc = subprocess.Popen([os.environ["MUCSTREAMD"], "component", "--xmpp-host", "127.0.0.1", "--xmpp-port",
                             ENV.get("TERM_COMPONENT_PORT", ENV["COMPONENT_PORT"]), "--domain", "term.localhost", "--secret", ENV["COMPONENT_SECRET"],
                             "--xmpp-events", "none", "--log-level", "debug"], stdout=subprocess.DEVNULL, stderr=log,
                            env=dict(os.environ, MUCSTREAM_TRACE_STANZAS="1"))
    try:
        for _ in range(100):
            await asyncio.sleep(0.1)
            if "connected: serving" in open(log.name).read():
                break
        else:
            raise AssertionError("component did not connect: " + open(log.name).read())
        alice, bob = await clients("alice", "bob")
        room = "shutdown-%s@term.localhost" % uuid.uuid4().hex[:8]
        await instant_room(alice, room, "Alice")
        await bob.join(room, "Bob")
        proc.send_signal(signal.SIGTERM)
        for c, nick in ((alice, "Alice"), (bob, "Bob")):
            p = await c.expect(lambda el: presence_from(el, room + "/" + nick, "unavailable"), 10, "332 presence")
            assert {110, 332} <= statuses(p), dump(p)
        rc = await asyncio.get_running_loop().run_in_executor(None, lambda: proc.wait(15))
        assert rc == 0, "exit code %s; log:\n%s" % (rc, open(log.name).read())
        assert "stopped: sent 2 shutdown presences" in open(log.name).read()
        await alice.stop(); await bob.stop()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


run(test, timeout=45)
