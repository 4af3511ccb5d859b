"""Pipeline end to end, part 2, after `mucstreamd all` restarted: the persistent room came
back from the stored events with its lock, password, subject and history."""
import os
from harness import *


async def test():
    alice, bob = await clients("alice", "bob")
    room = open(os.environ["ROOM_FILE"]).read().strip()
    err = await bob.join(room, "Bob", expect_ok=False)
    assert error_condition(err) == ("not-allowed", "cancel"), "the lock survived the restart: " + dump(err)
    err = await alice.join(room, "Alice", password="wrong", expect_ok=False)
    assert error_condition(err) == ("not-authorized", "auth"), "the password survived the restart: " + dump(err)
    alice.send_xml("<presence to='%s/Alice'><x xmlns='%s'><password>pipe-secret</password></x></presence>"
                   % (room, NS_MUC))
    await alice.expect(lambda el: body(el) == "from bob", 5, "history survived the restart")
    subj = await alice.expect(lambda el: el.tag == q("message") and el.find(q("subject")) is not None, 5, "subject")
    assert subj.find(q("subject")).text == "Pipeline subject", dump(subj)
    await alice.stop(); await bob.stop()


run(test)
