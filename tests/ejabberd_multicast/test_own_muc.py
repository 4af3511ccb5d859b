"""ejabberd's own MUC keeps delivering with mucstream's module loaded beside
mod_multicast. ejabberd's MUC hands its broadcasts to mod_multicast, which asks each
destination server's disco#info (here anon.localhost, where the module is loaded too) whether
to pass that server's share on as one XEP-0033 stanza; a module that said yes would refuse
those (the MUC is not a sender) and the room would go silent for anonymous users from the
second message on. An owner on localhost and a guest on anon.localhost each get every
message of a room on conference.localhost, also after mod_multicast has had its answer."""
import os
import sys

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


run(test, 30)
