"""A bare XEP-0114 component for the multicast tests: a socket that says exactly the bytes a
test gives it, so what reaches the server (Prosody or ejabberd) is the wire format the module must handle and
nothing a library added. Incoming stanzas are parsed and kept for expect()."""
import asyncio
import hashlib
import time
import xml.etree.ElementTree as ET

from harness import ENV, dump

NS_ACCEPT = "jabber:component:accept"


def qa(tag):
    """A tag in the component stream's namespace (what the server sends the component)."""
    return "{%s}%s" % (NS_ACCEPT, tag)


def component_port(domain):
    """Prosody's fixture takes every component on one port; ejabberd's has a listener per
    domain (it routes every host of a listener to each connection on it)."""
    own = {"term.localhost": "TERM_COMPONENT_PORT", "refused.localhost": "REFUSED_COMPONENT_PORT"}.get(domain)
    return ENV.get(own, ENV["COMPONENT_PORT"]) if own else ENV["COMPONENT_PORT"]


class RawComponent:
    def __init__(self, domain):
        self.domain = domain
        self.inbox = []
        self.closed = False
        self._arrived = asyncio.Event()

    async def connect(self):
        self.reader, self.writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", int(component_port(self.domain))), 5)
        self.writer.write(("<stream:stream xmlns='%s' xmlns:stream='http://etherx.jabber.org/streams' to='%s'>"
                           % (NS_ACCEPT, self.domain)).encode())
        self.parser = ET.XMLPullParser(events=("start", "end"))
        self.depth, self.stream_id = 0, None
        while self.stream_id is None:
            await self._read_stanzas_once()
        digest = hashlib.sha1((self.stream_id + ENV["COMPONENT_SECRET"]).encode()).hexdigest()
        self.writer.write(("<handshake>%s</handshake>" % digest).encode())
        while not self.inbox:
            await self._read_stanzas_once()
        answer = self.inbox.pop(0)
        assert answer.tag == qa("handshake"), "%s: handshake refused: %s" % (self.domain, dump(answer))
        self._task = asyncio.ensure_future(self._read_stanzas())

    async def _read_stanzas_once(self):
        data = await asyncio.wait_for(self.reader.read(65536), 5)
        assert data, "%s: the server closed the component stream" % self.domain
        self._parse(data)

    def _parse(self, data):
        """Feeds bytes; the stream header sets stream_id, each complete stanza goes to inbox."""
        self.parser.feed(data)
        for event, el in self.parser.read_events():
            if event == "start":
                self.depth += 1
                if self.depth == 1:
                    self.root, self.stream_id = el, el.get("id")
                continue
            self.depth -= 1
            if self.depth == 1:
                self.inbox.append(el)
                self.root.remove(el)
                self._arrived.set()

    async def _read_stanzas(self):
        while True:
            data = await self.reader.read(65536)
            if not data:
                self.closed = True
                self._arrived.set()
                return
            self._parse(data)

    def send(self, text):
        self.writer.write(text.encode())

    async def expect(self, pred, timeout=5.0, what="stanza"):
        deadline = time.monotonic() + timeout
        while True:
            for i, el in enumerate(self.inbox):
                if pred(el):
                    del self.inbox[i]
                    return el
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("%s: timed out waiting for %s; got:\n%s"
                                     % (self.domain, what, "\n".join(dump(e) for e in self.inbox[-5:])))
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), left)
            except asyncio.TimeoutError:
                pass

    async def close(self):
        self._task.cancel()
        self.writer.write(b"</stream:stream>")
        self.writer.close()
