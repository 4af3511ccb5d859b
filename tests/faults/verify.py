"""After the faults: every room of OUT/rooms.json is back as chatload.py made it
(configuration, affiliations, subject, lock) and usable (faultclient.verify_room).

  verify.py STATE OUT"""
import sys

sys.argv, _args = sys.argv[:2], sys.argv[2:]
from faultclient import *  # noqa: E402,F401,F403

OUT = _args[0]


async def test():
    specs = json.load(open(os.path.join(OUT, "rooms.json")))
    owner, outsider = FaultClient("alice"), FaultClient("dave")
    await asyncio.gather(owner.start(), outsider.start())
    for spec in specs:
        await verify_room(spec, owner, outsider)
    print("verify: %d rooms back with name, persistence, lock, subject and members, and usable" % len(specs))
    await owner.stop(); await outsider.stop()


run(test, timeout=60)
