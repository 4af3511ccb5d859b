"""Helpers of the room-lifecycle flows: the component's events for one room (its JSON
lines), waited for since events are written after the stanzas go out, and the owner's form."""
import json

from harness import *

NS_CHATSTATES = "http://jabber.org/protocol/chatstates"
NS_MARKERS = "urn:xmpp:chat-markers:0"
NS_HINTS = "urn:xmpp:hints"
NS_MUC_REQUEST = "http://jabber.org/protocol/muc#request"


def room_events(room, path=None):
    events = []
    with open(path or os.path.join(STATE, "events.jsonl")) as f:
        for line in f:
            if line.startswith("{"):
                e = json.loads(line)
                if e.get("room") == room:
                    events.append(e)
    return sorted(events, key=lambda e: e["seq"])


async def wait_event(room, type_, pred=lambda e: True, timeout=5.0, path=None):
    deadline = time.monotonic() + timeout
    while True:
        found = [e for e in room_events(room, path) if e["type"] == type_ and pred(e)]
        if found:
            return found[-1]
        if time.monotonic() > deadline:
            raise AssertionError("no %s event for %s; got %s" % (type_, room, [e["type"] for e in room_events(room, path)]))
        await asyncio.sleep(0.1)


async def configure(owner, room, fields):
    """Submits the owner form with `fields` {var: value}; returns the IQ answer."""
    form = "".join("<field var='%s'><value>%s</value></field>" % kv for kv in fields.items())
    return await owner.iq(room, "set", "<query xmlns='%s'><x xmlns='%s' type='submit'>%s</x></query>"
                          % (NS_MUC_OWNER, NS_DATA, form))
