"""Idle rooms: a second mucstreamd (own domain idle.localhost, started by this test) with
rooms.idle_timeout_minutes 0.05 (3 s). A message keeps the room alive; once nobody writes or
joins for the timeout, every occupant gets the §10.9 destroy presence and the event says
reason idle."""
import subprocess

from room_lifecycle_support import *


async def test():
    log = open(os.path.join(STATE, "idle-component.log"), "w")
    events = os.path.join(STATE, "idle-events.jsonl")
    proc = subprocess.Popen([os.environ["MUCSTREAMD"], "component", "--xmpp-host", "127.0.0.1", "--xmpp-port",
                             ENV["COMPONENT_PORT"], "--domain", "idle.localhost", "--secret", ENV["COMPONENT_SECRET"],
                             "--xmpp-events", "stdout", "--rooms-idle-timeout-minutes", "0.05"],
                            stdout=open(events, "w"), stderr=log)
    try:
        for _ in range(100):
            await asyncio.sleep(0.1)
            if "connected: serving" in open(log.name).read():
                break
        else:
            raise AssertionError("component did not connect: " + open(log.name).read())
        alice, bob = await clients("alice", "bob")
        room = "idle-%s@idle.localhost" % uuid.uuid4().hex[:8]
        await instant_room(alice, room, "Alice")
        await bob.join(room, "Bob")
        destroyed = lambda nick: lambda el: presence_from(el, room + "/" + nick, "unavailable") \
            and muc_x(el).find(q("destroy", NS_MUC_USER)) is not None
        await asyncio.sleep(2)
        alice.send_xml("<message to='%s' type='groupchat'><body>still here</body></message>" % room)
        await bob.expect(lambda el: body(el) == "still here", 5, "message")
        await alice.expect_none(destroyed("Alice"), 2, "destroy of an active room")
        for c, nick in ((alice, "Alice"), (bob, "Bob")):
            await c.expect(destroyed(nick), 6, "idle destroy presence")
        e = await wait_event(room, "room_destroyed", path=events)
        assert e["data"]["reason"] == "idle" and "by" not in e["data"], e
        await alice.stop(); await bob.stop()
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


run(test, 45)
