"""How long until a room is usable again: a fresh client (alice, the rooms' owner, so the
lock lets her in) connects, joins the first room of OUT/rooms.json and sends a message,
over and over, until the room reflects it. Prints `usable after MS ms` counted from T0 (epoch
seconds, the moment the fault ended); exits 1 if that did not happen within LIMIT seconds.

  probe.py STATE OUT T0 LIMIT"""
import sys

sys.argv, _args = sys.argv[:2], sys.argv[2:]
from faultclient import *  # noqa: E402,F401,F403

OUT, T0, LIMIT = _args[0], float(_args[1]), float(_args[2])


async def attempt(room):
    c = harness.Client("alice")
    try:
        c.connect(address=("127.0.0.1", int(ENV["C2S_PORT"])), force_starttls=False, disable_starttls=True)
        await asyncio.wait_for(c.ready.wait(), 2)
        nick = "Probe-" + uuid.uuid4().hex[:6]
        # While the component is away the server answers the join with an error at once:
        # take that as this attempt's answer instead of waiting for a self-presence.
        c.send_xml("<presence to='%s/%s'><x xmlns='%s'><history maxstanzas='0'/></x></presence>" % (room, nick, NS_MUC))
        pres = await c.expect(lambda el: is_self_presence(el, room) or
                              (el.tag == q("presence") and el.get("type") == "error"), 1.5, "join answer")
        if pres.get("type") == "error":
            return False
        text = "probe-" + uuid.uuid4().hex[:6]
        c.send_xml("<message to='%s' type='groupchat'><body>%s</body></message>" % (room, text))
        await c.expect(lambda el: body(el) == text, 1.5, "the probe reflected")
        return True
    except (AssertionError, asyncio.TimeoutError, OSError):
        return False
    finally:
        c.disconnect()


async def main():
    room = json.load(open(os.path.join(OUT, "rooms.json")))[0]["jid"]
    while time.time() - T0 < LIMIT:
        if await attempt(room):
            print("usable after %d ms" % ((time.time() - T0) * 1000))
            return 0
        await asyncio.sleep(0.05)
    print("FAIL: %s not usable within %.0f s" % (room, LIMIT))
    return 1


logging.basicConfig(level=logging.CRITICAL)
sys.exit(asyncio.run(main()))
