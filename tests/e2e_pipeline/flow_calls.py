"""Pipeline end to end for calls: the call of tests/e2e/calls_flow.py through
Prosody -> `mucstreamd all`. Writes what the flow expects (room, session ids, events) as
JSON to FLOW_FILE; check_calls.py compares PostgreSQL with it once `all` has drained."""
import json
import os

from calls_flow import call_flow
from harness import *


async def test():
    flow = await call_flow("pipecall")
    with open(os.environ["FLOW_FILE"], "w") as f:
        json.dump(flow, f)


run(test, 60)
