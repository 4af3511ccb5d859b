"""What the fault scenarios' clients share: an XMPP client (tests/e2e/harness.py's) that
answers pings (a restored occupant that does not answer is a ghost), comes back by itself
when the server drops it, and rejoins its rooms when the room no longer knows it; the rooms
the scenarios create and the state they must find again after every fault."""
import asyncio
import json
import os
import time

from harness import *  # noqa: F401,F403  (Client, q, NS_*, statuses, body, dump, …)
import harness

ROOM_CONFIG = ("<query xmlns='%s'><x xmlns='jabber:x:data' type='submit'>"
               "<field var='FORM_TYPE'><value>http://jabber.org/protocol/muc#roomconfig</value></field>%s"
               "</x></query>")


def config_form(**fields):
    return ROOM_CONFIG % (NS_MUC_OWNER, "".join(
        "<field var='muc#roomconfig_%s'><value>%s</value></field>" % (k, v) for k, v in fields.items()))


class FaultClient(harness.Client):
    """harness.Client plus: XEP-0199 answers, reconnect on disconnect, rejoin on
    'not an occupant', and a hook for the load's reflections (kept out of the inbox)."""

    def __init__(self, user, resource=None):
        super().__init__(user, resource)
        self.register_plugin("xep_0199")  # answers the room's pings
        self.rooms = {}          # room -> nick, rejoined after a reconnect
        self.on_load = None      # called with (stanza xml) for load messages and errors
        self.stopping = False
        self.last_rejoin = {}
        self.add_event_handler("disconnected", self._on_disconnected)
        # slixmpp waits 1, 3, 7… s between failed connects: keep it at 1 s while the server is away
        self.add_event_handler("connection_failed", lambda _: setattr(self, "_connect_loop_wait", 0))

    def _capture(self, stanza):
        el = stanza.xml
        if self.on_load is not None and el.tag == q("message"):
            b = body(el)
            if el.get("type") == "error" or (b is not None and b.startswith("load-")):
                self.on_load(self, copy.deepcopy(el))
                return stanza
        return super()._capture(stanza)

    async def _on_start(self, _):
        await super()._on_start(_)
        for room, nick in self.rooms.items():
            self.rejoin(room, force=True)

    def rejoin(self, room, force=False):
        now = time.monotonic()
        if not force and now - self.last_rejoin.get(room, 0) < 2:
            return
        self.last_rejoin[room] = now
        self.send_xml("<presence to='%s/%s'><x xmlns='%s'><history maxstanzas='0'/></x></presence>"
                      % (room, self.rooms[room], NS_MUC))

    def _on_disconnected(self, _):
        if not self.stopping:
            asyncio.ensure_future(self._reconnect())

    async def _reconnect(self):
        await asyncio.sleep(0.2)
        if not self.stopping:
            self.ready.clear()
            self.connect(address=("127.0.0.1", int(ENV["C2S_PORT"])), force_starttls=False, disable_starttls=True)

    async def stop(self):
        self.stopping = True
        await super().stop()


def stanza_id(el, room):
    for sid in el.findall("{%s}stanza-id" % NS_SID):
        if sid.get("by") == room:
            return sid.get("id")
    return None


async def make_room(owner, others, i):
    """A persistent room with a name, a subject, bob and carol as members and the talky lock
    on: everything the audit expects back after a fault. (Members, so that they may join
    again through the lock when a room comes back without its occupants.)"""
    room = unique_room("fault%d" % i)
    spec = {"jid": room, "name": "Fault room %d" % i, "subject": "Subject of fault room %d" % i,
            "members": ["bob@localhost", "carol@localhost"]}
    await owner.join(room, "Alice")
    r = await owner.iq(room, "set", config_form(roomname=spec["name"], persistentroom=1))
    assert r.get("type") == "result", dump(r)
    owner.rooms[room] = "Alice"
    for c in others:
        await c.join(room, c.user.capitalize())
        c.rooms[room] = c.user.capitalize()
    owner.send_xml("<message to='%s' type='groupchat'><subject>%s</subject></message>" % (room, spec["subject"]))
    await owner.expect(lambda el: el.tag == q("message") and el.find(q("subject")) is not None, 5, "subject")
    r = await owner.iq(room, "set", "<query xmlns='%s'>%s</query>" % (NS_MUC_ADMIN, "".join(
        "<item jid='%s' affiliation='member'/>" % m for m in spec["members"])))
    assert r.get("type") == "result", dump(r)
    r = await owner.iq(room, "set", config_form(locked=1))
    assert r.get("type") == "result", dump(r)
    return spec


def field_value(form_iq, var):
    for f in form_iq.iter("{%s}field" % NS_DATA):
        if f.get("var") == var:
            v = f.find("{%s}value" % NS_DATA)
            return None if v is None else v.text
    return None


async def verify_room(spec, owner, outsider):
    """The room is back as it was made: configuration, affiliations, subject, lock; and usable."""
    room = spec["jid"]
    nick = "Audit-" + uuid.uuid4().hex[:6]
    pres = await owner.join(room, nick, history="<history maxstanzas='0'/>")
    subj = await owner.expect(lambda el: el.tag == q("message") and el.find(q("subject")) is not None, 5, "subject")
    assert subj.find(q("subject")).text == spec["subject"], "%s: subject %s" % (room, dump(subj))
    form = await owner.iq(room, "get", "<query xmlns='%s'/>" % NS_MUC_OWNER)
    assert form.get("type") == "result", dump(form)
    assert field_value(form, "muc#roomconfig_roomname") == spec["name"], "%s: name %s" % (room, dump(form))
    assert field_value(form, "muc#roomconfig_persistentroom") in ("1", "true"), "%s: persistent %s" % (room, dump(form))
    assert field_value(form, "muc#roomconfig_locked") in ("1", "true"), "%s: lock %s" % (room, dump(form))
    r = await owner.iq(room, "get", "<query xmlns='%s'><item affiliation='member'/></query>" % NS_MUC_ADMIN)
    got = sorted(i.get("jid") for i in r.iter(q("item", NS_MUC_ADMIN)))
    assert got == spec["members"], "%s: members %s" % (room, dump(r))
    err = await outsider.join(room, "Outsider", expect_ok=False)
    assert error_condition(err) == ("not-allowed", "cancel"), "%s: lock lets an outsider in: %s" % (room, dump(err))
    text = "audit-probe-" + uuid.uuid4().hex[:6]
    owner.send_xml("<message to='%s' type='groupchat'><body>%s</body></message>" % (room, text))
    await owner.expect(lambda el: body(el) == text, 5, "the audit's message reflected in " + room)
    owner.send_xml("<presence to='%s/%s' type='unavailable'/>" % (room, nick))
    await owner.expect(lambda el: el.tag == q("presence") and el.get("type") == "unavailable"
                       and el.get("from") == "%s/%s" % (room, nick), 5, "the audit's leave")
    return pres


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f)
    os.replace(tmp, path)
