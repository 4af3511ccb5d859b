"""Pipeline end to end, room lifecycle: an OMEMO-shaped message and a no-store message in
one room; in another a message and then the owner's destroy with purge. Writes both room
JIDs to ROOM_FILE (one a line) for run_room_lifecycle.sh's SQL checks."""
import os
from harness import *

NS_OMEMO = "eu.siacs.conversations.axolotl"
CIPHER = "4qbJhhYDq4JKGlZ6xzvyLCcL+zLfQ8XK/omemo-ciphertext=="
KEY = "MwohBfRqBm2atj3fT0/KUDg59Cnvfpgoe/PLNIu1xgSXujEZEAAYACIw"


async def test():
    alice, bob = await clients("alice", "bob")
    room = unique_room("e2ee")
    await instant_room(alice, room, "Alice")
    await bob.join(room, "Bob")
    alice.send_xml("<message to='%s' type='groupchat'><encrypted xmlns='%s'><header sid='27183'><key rid='31415'>%s</key>"
                   "<iv>SY1DpS0jANNi7sbV</iv></header><payload>%s</payload></encrypted>"
                   "<encryption xmlns='urn:xmpp:eme:0' namespace='%s'/><body>OMEMO fallback</body></message>"
                   % (room, NS_OMEMO, KEY, CIPHER, NS_OMEMO))
    await bob.expect(lambda el: body(el) == "OMEMO fallback", 5, "encrypted message")
    alice.send_xml("<message to='%s' type='groupchat'><body>not for the archive</body>"
                   "<no-store xmlns='urn:xmpp:hints'/></message>" % room)
    await bob.expect(lambda el: body(el) == "not for the archive", 5, "no-store message")

    purged = unique_room("purged")
    await instant_room(alice, purged, "Alice")
    alice.send_xml("<message to='%s' type='groupchat'><body>purge me please</body></message>" % purged)
    await alice.expect(lambda el: body(el) == "purge me please", 5, "own echo")
    r = await alice.iq(purged, "set", "<query xmlns='%s'><destroy><purge xmlns='urn:xmpp:mucstream:0'/></destroy></query>"
                       % NS_MUC_OWNER)
    assert r.get("type") == "result", dump(r)
    with open(os.environ["ROOM_FILE"], "w") as f:
        f.write(room + "\n" + purged + "\n")
    await alice.stop(); await bob.stop()


run(test, 40)
