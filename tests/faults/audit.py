"""The exactly-once audit after a fault scenario, in SQL over the service's PostgreSQL:

  audit.py PG OUT [--wait S]

- every message any client saw reflected (OUT/seen.jsonl, by the room's stanza-id, which is
  the event id) has exactly one `events` row, a message_sent of that room with that body;
- no event id is stored twice, and every room lifetime's seq is 1..N: no gap, no repeat;
- every room of OUT/rooms.json has a live, persistent, locked `rooms` row.
With Kafka between the component and PostgreSQL the rows arrive later: the first check is
retried for up to --wait seconds before it fails."""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time

ap = argparse.ArgumentParser()
ap.add_argument("pg")
ap.add_argument("out")
ap.add_argument("--wait", type=float, default=30)
args = ap.parse_args()


def psql(script):
    r = subprocess.run(["psql", args.pg, "-XAtq", "-v", "ON_ERROR_STOP=1", "-F", "\t"], input=script,
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        sys.exit("audit: psql failed: %s" % r.stderr)
    return [line.split("\t") for line in r.stdout.splitlines() if line]


failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


seen = {}
with open(os.path.join(args.out, "seen.jsonl")) as f:
    for line in f:
        r = json.loads(line)
        check(r["id"], "a reflection without the room's stanza-id: %s" % line.strip())
        if r["id"]:
            prev = seen.setdefault(r["id"], (r["room"], r["body"]))
            check(prev == (r["room"], r["body"]), "stanza-id %s reflected with two bodies: %s, %s" % (r["id"], prev, r))
rooms = json.load(open(os.path.join(args.out, "rooms.json")))
check(len(seen) > 0, "no reflection recorded at all: the load did not run")

with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as tmp:
    w = csv.writer(tmp)
    for sid, (room, body) in seen.items():
        w.writerow([sid, room, body])
os.chmod(tmp.name, 0o644)
load_seen = ("CREATE TEMP TABLE seen (id uuid, room text, body text);\n"
             "\\copy seen FROM '%s' WITH (FORMAT csv)\n" % tmp.name)

try:
    # 1. every reflection is a stored event (waiting for the materialisers), exactly once
    deadline = time.monotonic() + args.wait
    while True:
        missing = psql(load_seen + "SELECT s.id, s.room, s.body FROM seen s "
                       "WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.id = s.id) ORDER BY 1;")
        if not missing or time.monotonic() >= deadline:
            break
        time.sleep(0.5)
    check(not missing, "%d of %d reflected messages have no events row (lost), e.g. %s"
          % (len(missing), len(seen), missing[:5]))
    wrong = psql(load_seen + "SELECT s.id, count(e.id), string_agg(e.type || ' ' || e.room, ', ') FROM seen s "
                 "JOIN events e ON e.id = s.id GROUP BY s.id, s.room, s.body "
                 "HAVING count(*) <> 1 OR bool_or(e.type <> 'message_sent' OR e.room <> s.room "
                 "OR strpos(e.data->>'payload', '>' || s.body || '<') = 0) LIMIT 5;")
    check(not wrong, "reflected messages stored more than once or as something else: %s" % wrong)
finally:
    os.unlink(tmp.name)

# 2. the log itself: no id twice, seq 1..N per room lifetime
dup = psql("SELECT id, count(*) FROM events GROUP BY id HAVING count(*) > 1 LIMIT 5;")
check(not dup, "event ids stored twice: %s" % dup)
gaps = psql("SELECT room, room_id, count(*), count(DISTINCT seq), min(seq), max(seq) FROM events "
            "GROUP BY room, room_id HAVING count(*) <> count(DISTINCT seq) OR min(seq) <> 1 "
            "OR max(seq) <> count(*) LIMIT 5;")
check(not gaps, "seq gaps or repeats (room, room_id, rows, distinct seq, min, max): %s" % gaps)

# 3. the rooms as made: live, persistent, locked
for spec in rooms:
    row = psql("SELECT ended IS NULL, persistent, locked FROM rooms WHERE jid = '%s' ORDER BY created DESC LIMIT 1;"
               % spec["jid"].replace("'", "''"))
    check(row == [["t", "t", "t"]], "%s: rooms row (live, persistent, locked) = %s" % (spec["jid"], row))

n_events = psql("SELECT count(*) FROM events;")[0][0]
if failures:
    print("AUDIT FAILED:\n  " + "\n  ".join(failures))
    sys.exit(1)
print("audit: %d reflected messages, each exactly one events row; %s events, no seq gap or repeat; "
      "%d rooms live, persistent, locked" % (len(seen), n_events, len(rooms)))
