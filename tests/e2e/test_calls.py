"""A call through the room: Jingle session, stats (someone else's and a flood
refused), mute/unmute, presence media state, screen share, real-time text, a malformed
Jingle IQ, one party leaving mid-call. The component's events (its JSON lines) must be
exactly the expected ones, in order, with the right actor and peer sessions and data."""
import json

from calls_flow import call_flow, check_events
from harness import *


def room_events(room):
    events = []
    with open(os.path.join(STATE, "events.jsonl")) as f:
        for line in f:
            if line.startswith("{"):
                e = json.loads(line)
                if e.get("room") == room:
                    events.append(e)
    return sorted(events, key=lambda e: e["seq"])


async def test():
    flow = await call_flow("call")
    await asyncio.sleep(0.3)  # the last leave's events are written after its presences
    events = room_events(flow["room"])
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1)), "seq 1..N"
    assert all(e["room_id"] == flow["room_id"] for e in events), "the room id clients were told"
    check_events(flow, events)


run(test, 60)
