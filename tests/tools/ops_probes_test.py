#!/usr/bin/env python3
"""/healthz and /readyz of every mucstreamd role, as real processes, and JSON log lines.

  ops_probes_test.py MUCSTREAMD        (MUCSTREAM_TEST_PG set: tests/scripts/pg.sh run --)

Each role starts on free ports; /healthz must answer 200 while /readyz answers 503 naming
exactly the connections that are missing, and 200 once they are there. The XMPP server is
a minimal XEP-0114 acceptor below (stream header, handshake), enough for the component to
count as connected; PostgreSQL is the throwaway one; Kafka is a `mucstreamd kafka-mock`
process when the binary has that role.
"""
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

MUCSTREAMD = sys.argv[1]
PG = os.environ.get("MUCSTREAM_TEST_PG", "")
DEADLINE = time.monotonic() + 100
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except OSError:
        return 0, ""


def wait_for(pred, timeout=20):
    until = min(time.monotonic() + timeout, DEADLINE)
    while time.monotonic() < until:
        v = pred()
        if v:
            return v
        time.sleep(0.1)
    return pred()


class FakeXmppServer:
    """Accepts component connections: answers the stream header and the handshake."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)
            threading.Thread(target=self.serve, args=(c,), daemon=True).start()

    def serve(self, c):
        def read_until(buf, marker):
            while marker not in buf:
                data = c.recv(4096)
                if not data:
                    raise OSError("closed")
                buf += data
            return buf

        try:
            buf = read_until(b"", b"<stream:stream")
            c.sendall(b"<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' "
                      b"xmlns:stream='http://etherx.jabber.org/streams' id='probe1' from='rooms.localhost'>")
            read_until(buf, b"</handshake>")
            c.sendall(b"<handshake/>")
            while c.recv(4096):
                pass
        except OSError:
            return


def start(role, *args):
    p = subprocess.Popen([MUCSTREAMD, role, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return p


def stop(p):
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    return p.stderr.read() if p.stderr else ""


def ready_body(port):
    status, body = get(port, "/readyz")
    try:
        return status, json.loads(body)
    except ValueError:
        return status, {}


def probes(name, port, missing, then=None, after_missing=()):
    """/healthz 200; /readyz 503 naming `missing`; after then(): 200 (or naming after_missing)."""
    check(wait_for(lambda: get(port, "/healthz")[0] == 200), f"{name}: /healthz answers 200")
    status, body = wait_for(lambda: (lambda r: r if r[0] in (200, 503) else None)(ready_body(port)))
    check(status == 503 and sorted(body.get("not_ready", [])) == sorted(missing),
          f"{name}: /readyz 503 names {missing} (got {status} {body})")
    if then is None:
        return
    then()
    want = 200 if not after_missing else 503

    def settled():
        s, b = ready_body(port)
        return (s, b) if s == want and sorted(b.get("not_ready", [])) == sorted(after_missing) else None

    got = wait_for(settled, 30)
    check(got is not None, f"{name}: /readyz {want} once connected (got {ready_body(port)})")
    status, metrics = get(port, "/metrics")
    check(status == 200 and "mucstream_build_info" in metrics, f"{name}: /metrics serves")


def has_role(role):
    out = subprocess.run([MUCSTREAMD, "--help"], capture_output=True, text=True).stdout
    return re.search(rf"^\s+{role}\s", out, re.M) is not None


# component without Kafka: XMPP is its only connection.
xmpp = FakeXmppServer()
ops = free_port()
comp = start("component", "--xmpp-port", str(free_port()), "--secret", "s", "--ops-listen", f"127.0.0.1:{ops}",
             "--log-format", "json")
probes("component", ops, ["xmpp"])
stop(comp)
comp = start("component", "--xmpp-port", str(xmpp.port), "--secret", "s", "--ops-listen", f"127.0.0.1:{ops}",
             "--log-format", "json")
check(wait_for(lambda: get(ops, "/readyz")[0] == 200), "component: /readyz 200 once the XMPP server accepted it")
check("mucstream_sink_accepting 1" in get(ops, "/metrics")[1], "component: /metrics has the sink's series")
log = stop(comp)
lines = [line for line in log.splitlines() if line.strip()]
objs = []
for line in lines:
    try:
        objs.append(json.loads(line))
    except ValueError:
        objs.append(None)
check(lines and all(o is not None and set(o) == {"time", "level", "component", "message"} for o in objs),
      f"--log-format json: every stderr line is one object with time, level, component, message ({len(lines)} lines)")
check(any(o and o["component"] == "ops" for o in objs), "--log-format json: the ops server's line is there")

# api: PostgreSQL only.
if PG:
    http = free_port()
    api = start("api", "--pg", "host=127.0.0.1 port=1 connect_timeout=1", "--jwt-secret", "x" * 32,
                "--http-listen", f"127.0.0.1:{http}")
    probes("api (no database)", http, ["postgresql"])
    stop(api)
    api = start("api", "--pg", PG, "--jwt-secret", "x" * 32, "--http-listen", f"127.0.0.1:{http}")
    check(wait_for(lambda: get(http, "/readyz")[0] == 200), "api: /readyz 200 with its database")
    stop(api)

    # all: XMPP and its event log besides PostgreSQL.
    http = free_port()
    xmpp_port = free_port()
    everything = start("all", "--pg", PG, "--jwt-secret", "x" * 32, "--http-listen", f"127.0.0.1:{http}",
                       "--xmpp-port", str(xmpp_port), "--secret", "s", "--kafka-mock-partitions", "4")
    probes("all (no XMPP server)", http, ["xmpp"])
    stop(everything)
    everything = start("all", "--pg", PG, "--jwt-secret", "x" * 32, "--http-listen", f"127.0.0.1:{http}",
                       "--xmpp-port", str(xmpp.port), "--secret", "s", "--kafka-mock-partitions", "4")
    check(wait_for(lambda: get(http, "/readyz")[0] == 200, 40), f"all: /readyz 200 (got {ready_body(http)})")
    stop(everything)

# materialize: Kafka and PostgreSQL.
ops = free_port()
mat = start("materialize", "--kafka-brokers", "127.0.0.1:1", "--pg", "host=127.0.0.1 port=1 connect_timeout=1",
            "--ops-listen", f"127.0.0.1:{ops}")
probes("materialize (nothing reachable)", ops, ["kafka", "postgresql"])
stop(mat)
if PG and has_role("kafka-mock"):
    kafka = start("kafka-mock", "--brokers", "1", "--partitions", "4")
    first = kafka.stdout.readline().strip()
    brokers = first.split("=", 1)[1] if first.startswith("bootstrap=") else ""
    check(brokers != "", f"kafka-mock prints bootstrap= first (got {first!r})")
    mat = start("materialize", "--kafka-brokers", brokers, "--pg", PG, "--ops-listen", f"127.0.0.1:{ops}")
    check(wait_for(lambda: get(ops, "/readyz")[0] == 200, 30), f"materialize: /readyz 200 (got {ready_body(ops)})")
    stop(mat)
    comp = start("component", "--xmpp-port", str(xmpp.port), "--secret", "s", "--kafka-brokers", brokers,
                 "--ops-listen", f"127.0.0.1:{ops}")
    check(wait_for(lambda: get(ops, "/readyz")[0] == 200, 30),
          f"component --kafka-brokers: /readyz 200 (got {ready_body(ops)})")
    # all --kafka-brokers: restored from Kafka, the producer as sink, the materialiser thread.
    http = free_port()
    everything = start("all", "--pg", PG, "--jwt-secret", "x" * 32, "--http-listen", f"127.0.0.1:{http}",
                       "--xmpp-port", str(xmpp.port), "--secret", "s", "--kafka-brokers", brokers,
                       "--domain", "other.localhost")
    got = wait_for(lambda: (lambda r: r if r[0] == 200 else None)(ready_body(http)), 40)
    check(got is not None and set(got[1].get("checks", {})) == {"postgresql", "xmpp", "kafka"},
          f"all --kafka-brokers: /readyz 200 with postgresql, xmpp, kafka (got {ready_body(http)})")
    log = stop(everything)
    check("restored 0 rooms from Kafka" in log, "all --kafka-brokers: rooms restored from Kafka at start")
    kafka.send_signal(19)  # SIGSTOP: Kafka away
    check(wait_for(lambda: ready_body(ops)[1].get("not_ready") == ["kafka"], 30),
          f"component --kafka-brokers: /readyz names kafka while it is stopped (got {ready_body(ops)})")
    kafka.send_signal(18)  # SIGCONT
    stop(comp)
    stop(kafka)

print("FAILED: " + "; ".join(failures) if failures else "all passed")
sys.exit(1 if failures else 0)
