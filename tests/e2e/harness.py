"""End-to-end test harness: real slixmpp clients through a real Prosody into mucstreamd.

Each test script is one flow: `python3 test_x.py STATE_DIR`. The fixture (fixture.sh)
wrote STATE_DIR/env with the ports. Clients capture every incoming stanza; tests send raw
XML (exactly what a client author would write) and wait for the stanzas a user would see.
"""
import asyncio
import copy
import logging
import os
import sys
import time
import uuid
import xml.etree.ElementTree as ET

import slixmpp

NS_CLIENT = "jabber:client"
NS_MUC = "http://jabber.org/protocol/muc"
NS_MUC_USER = "http://jabber.org/protocol/muc#user"
NS_MUC_ADMIN = "http://jabber.org/protocol/muc#admin"
NS_MUC_OWNER = "http://jabber.org/protocol/muc#owner"
NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas"
NS_DATA = "jabber:x:data"
NS_DISCO_INFO = "http://jabber.org/protocol/disco#info"
NS_DISCO_ITEMS = "http://jabber.org/protocol/disco#items"
NS_SID = "urn:xmpp:sid:0"
NS_OCC = "urn:xmpp:occupant-id:0"
NS_DELAY = "urn:xmpp:delay"

STATE = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("E2E_STATE", "/tmp/mucstream-e2e")


def load_env():
    env = {}
    with open(os.path.join(STATE, "env")) as f:
        for line in f:
            if "=" in line:
                k, v = line.strip().split("=", 1)
                env[k] = v
    return env


ENV = load_env()
DOMAIN = ENV.get("MUC_DOMAIN", "rooms.localhost")


def q(tag, ns=NS_CLIENT):
    return "{%s}%s" % (ns, tag)


def unique_room(prefix):
    return "%s-%s@%s" % (prefix, uuid.uuid4().hex[:8], DOMAIN)


class Client(slixmpp.ClientXMPP):
    def __init__(self, user, resource=None):
        # A resource of its own: flows run in parallel and a shared full JID would make
        # Prosody replace one test's session with another's.
        resource = resource or "e2e-" + uuid.uuid4().hex[:8]
        super().__init__("%s@localhost/%s" % (user, resource), "pw")
        self.user = user
        self.inbox = []
        self.cond = asyncio.Condition()
        self.ready = asyncio.Event()
        self.add_event_handler("session_start", self._on_start)
        self.add_filter("in", self._capture)

    async def _on_start(self, _):
        self.send_presence()
        self.ready.set()

    def _capture(self, stanza):
        if stanza.xml.tag in (q("message"), q("presence"), q("iq")):
            self.inbox.append(copy.deepcopy(stanza.xml))
            asyncio.ensure_future(self._notify())
        return stanza

    async def _notify(self):
        async with self.cond:
            self.cond.notify_all()

    @property
    def full(self):
        return str(self.boundjid)

    async def start(self):
        self.connect(address=("127.0.0.1", int(ENV["C2S_PORT"])), force_starttls=False, disable_starttls=True)
        await asyncio.wait_for(self.ready.wait(), 10)
        self.inbox.clear()

    def send_xml(self, text):
        self.send_raw(text)

    async def expect(self, pred, timeout=5.0, what="stanza"):
        """Waits for (and consumes) the first unconsumed stanza matching pred."""
        deadline = time.monotonic() + timeout
        while True:
            for i, el in enumerate(self.inbox):
                if pred(el):
                    del self.inbox[i]
                    return el
            left = deadline - time.monotonic()
            if left <= 0:
                dump = "\n".join(ET.tostring(e, encoding="unicode") for e in self.inbox[-10:])
                raise AssertionError("%s: timed out waiting for %s; last stanzas:\n%s" % (self.user, what, dump))
            async with self.cond:
                try:
                    await asyncio.wait_for(self.cond.wait(), left)
                except asyncio.TimeoutError:
                    pass

    async def expect_none(self, pred, wait=1.0, what="stanza"):
        await asyncio.sleep(wait)
        for el in self.inbox:
            if pred(el):
                raise AssertionError("%s: unexpected %s: %s" % (self.user, what, ET.tostring(el, encoding="unicode")))

    async def iq(self, to, type_, payload, timeout=5.0):
        iq_id = uuid.uuid4().hex
        self.send_xml("<iq type='%s' to='%s' id='%s'>%s</iq>" % (type_, to, iq_id, payload))
        return await self.expect(lambda el: el.tag == q("iq") and el.get("id") == iq_id, timeout, "iq reply " + iq_id)

    async def join(self, room, nick, password=None, history=None, expect_ok=True):
        extra = ""
        if password is not None:
            extra += "<password>%s</password>" % password
        if history is not None:
            extra += history
        self.send_xml("<presence to='%s/%s'><x xmlns='%s'>%s</x></presence>" % (room, nick, NS_MUC, extra))
        if not expect_ok:
            return await self.expect(lambda el: el.tag == q("presence") and el.get("type") == "error", 5, "join error")
        return await self.expect(lambda el: is_self_presence(el, room), 5, "self-presence in " + room)

    def answer_jingle(self):
        """Acknowledges every Jingle IQ set with an empty result, as a Jingle client does
        (XEP-0166 §6.1) before it acts on the request."""
        from slixmpp.xmlstream.handler import Callback
        from slixmpp.xmlstream.matcher import MatchXPath

        def on_jingle(iq):
            if iq["type"] == "set":
                iq.reply(clear=True).send()

        self.register_handler(Callback("jingle ack", MatchXPath("{%s}iq/{urn:xmpp:jingle:1}jingle" % NS_CLIENT), on_jingle))

    async def stop(self):
        self.disconnect()
        try:
            await asyncio.wait_for(self.disconnected, 3)
        except Exception:
            pass


def muc_x(el):
    return el.find(q("x", NS_MUC_USER))


def statuses(el):
    x = muc_x(el)
    return set() if x is None else {int(s.get("code")) for s in x.findall(q("status", NS_MUC_USER))}


def item(el):
    x = muc_x(el)
    return None if x is None else x.find(q("item", NS_MUC_USER))


def is_self_presence(el, room):
    return el.tag == q("presence") and (el.get("from") or "").startswith(room + "/") and 110 in statuses(el) \
        and el.get("type") != "unavailable"


def presence_from(el, frm, type_=None):
    return el.tag == q("presence") and el.get("from") == frm and el.get("type") == type_


def error_condition(el):
    err = el.find(q("error"))
    if err is None:
        return None, None
    for c in err:
        if c.tag.startswith("{%s}" % NS_STANZAS) and not c.tag.endswith("}text"):
            return c.tag.split("}")[1], err.get("type")
    return None, err.get("type")


def body(el):
    b = el.find(q("body"))
    return None if b is None else b.text


def dump(el):
    return ET.tostring(el, encoding="unicode")


async def instant_room(owner, room, nick):
    """Creates room (owner joins, gets 201) and accepts it as an instant room (§10.1.2)."""
    pres = await owner.join(room, nick)
    assert 201 in statuses(pres), dump(pres)
    await owner.expect(lambda el: el.tag == q("message") and el.find(q("subject")) is not None, 5, "subject")
    r = await owner.iq(room, "set", "<query xmlns='%s'><x xmlns='jabber:x:data' type='submit'/></query>" % NS_MUC_OWNER)
    assert r.get("type") == "result", dump(r)
    return pres


async def clients(*users):
    cs = [Client(u) for u in users]
    await asyncio.gather(*(c.start() for c in cs))
    return cs


def run(test, timeout=30):
    logging.basicConfig(level=logging.ERROR)

    async def main():
        await asyncio.wait_for(test(), timeout)

    try:
        asyncio.run(main())
    except AssertionError as e:
        print("FAIL:", e)
        sys.exit(1)
    print("PASS")
