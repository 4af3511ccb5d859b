#!/usr/bin/env python3
"""The HTTP API under attack by one client with raw sockets, against a real `mucstreamd api`
on a real PostgreSQL (run under tests/scripts/pg.sh, which sets MUCSTREAM_TEST_PG).

Each probe holds its attack open while it checks what everyone else would notice: /healthz
answers within 1 s, an authorised read answers (within 2 s), and the process's RSS stays
under a bound. Then: /metrics needs a token, and a second server on the same port fails.

  http_probes.py MUCSTREAMD            assert (the test)
  http_probes.py MUCSTREAMD --measure  print the figures and never fail (before/after runs)
"""
import base64
import hashlib
import hmac
import json
import os
import select
import socket
import subprocess
import sys
import threading
import time

MUCSTREAMD = sys.argv[1]
MEASURE = "--measure" in sys.argv
PG = os.environ["MUCSTREAM_TEST_PG"]
SECRET = "hostile-http-secret-0123456789abcdef"
SCRAPE = "hostile-scrape-token"
# RSS the process may reach during any probe, above what it used before the first one.
RSS_GROWTH_BOUND_MB = 64
failures = []
figures = []
START_THREADS = 0


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok and not MEASURE:
        failures.append(what)


def figure(text):
    figures.append(text)
    print("     " + text, flush=True)


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(role="analyst", ttl=3600):
    now = int(time.time())
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps({"role": role, "iat": now, "nbf": now, "exp": now + ttl}).encode())
    sig = hmac.new(SECRET.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(sig)}"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def request(port, path, headers=None, timeout=1.0):
    """(status, seconds) of one GET on a new connection; status 0 when no answer in time."""
    t0 = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.settimeout(timeout)
            extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{extra}\r\n".encode())
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.") else 0
            return status, time.monotonic() - t0
    except (OSError, ValueError, IndexError):
        return 0, time.monotonic() - t0


def threads(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return 0


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class RssWatch:
    """Peak RSS of a process while the `with` block runs (sampled every 50 ms)."""

    def __init__(self, pid):
        self.pid, self.peak, self._stop = pid, 0.0, threading.Event()

    def __enter__(self):
        self.peak = rss_mb(self.pid)
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()
        return self

    def _run(self):
        while not self._stop.wait(0.05):
            try:
                self.peak = max(self.peak, rss_mb(self.pid))
            except OSError:
                return

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()


def others_served(port, name, rss, base_rss, rounds=1):
    """What everyone else sees while an attack holds: health, an authorised read, memory."""
    worst_health, worst_read, health_ok, read_ok = 0.0, 0.0, True, True
    wait = 10.0 if MEASURE else 1.0
    for i in range(rounds):
        if i:
            time.sleep(1)
        st, sec = request(port, "/healthz", timeout=wait)
        health_ok = health_ok and st == 200 and sec < 1.0
        worst_health = max(worst_health, sec)
        st, sec = request(port, "/v1/rooms?per_page=1", {"Authorization": "Bearer " + token()}, timeout=2 * wait)
        read_ok = read_ok and st == 200 and sec < 2.0
        worst_read = max(worst_read, sec)
    # Slow and idle connections cost memory, never a thread.
    now_threads = threads(rss.pid)
    check(now_threads <= START_THREADS, f"{name}: no thread per connection ({now_threads} threads, "
                                        f"{START_THREADS} at start)")
    check(health_ok, f"{name}: /healthz answers 200 within 1 s (slowest {worst_health:.3f} s)")
    check(read_ok, f"{name}: an authorised read answers 200 within 2 s (slowest {worst_read:.3f} s)")
    figure(f"{name}: /healthz slowest {worst_health:.3f} s{'' if health_ok else ' (FAILED or no answer)'}, "
           f"read slowest {worst_read:.3f} s{'' if read_ok else ' (FAILED or no answer)'}, "
           f"RSS peak {rss.peak:.0f} MB (from {base_rss:.0f} MB), {now_threads} threads")


def connect_many(port, n):
    out = []
    for _ in range(n):
        try:
            out.append(socket.create_connection(("127.0.0.1", port), timeout=2))
        except OSError:
            break
    return out


def close_all(socks):
    for s in socks:
        try:
            s.close()
        except OSError:
            pass


def probe_idle(port, pid, base):
    socks = connect_many(port, 200)
    with RssWatch(pid) as rss:
        for s in socks:  # one request each, then silence with the connection kept alive
            try:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            except OSError:
                pass
        time.sleep(0.3)
        others_served(port, "200 idle keep-alive connections", rss, base)
    check(rss.peak - base < RSS_GROWTH_BOUND_MB, f"200 idle: RSS grew under {RSS_GROWTH_BOUND_MB} MB")
    close_all(socks)


def probe_half_sent(port, pid, base):
    socks = connect_many(port, 200)
    with RssWatch(pid) as rss:
        for s in socks:
            try:
                s.sendall(b"GET /v1/rooms HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ")
            except OSError:
                pass
        time.sleep(0.3)
        others_served(port, "200 half-sent requests", rss, base)
    check(rss.peak - base < RSS_GROWTH_BOUND_MB, f"200 half-sent: RSS grew under {RSS_GROWTH_BOUND_MB} MB")
    close_all(socks)


def probe_slow(port, pid, base):
    socks = connect_many(port, 16)
    stop = threading.Event()

    def drip():
        msg = b"GET /v1/rooms HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100
        i = 0
        while not stop.is_set() and i < len(msg):
            for s in socks:
                try:
                    s.send(msg[i:i + 1])
                except OSError:
                    pass
            i += 1
            stop.wait(1.0)

    t = threading.Thread(target=drip, daemon=True)
    t.start()
    with RssWatch(pid) as rss:
        time.sleep(1.5)
        others_served(port, "16 connections at 1 byte/s", rss, base, rounds=4)
    stop.set()
    t.join()
    close_all(socks)


def probe_bodies(port, pid, base):
    size = 50 * 1000 * 1000
    answers = []
    lock = threading.Lock()

    def push(chunked):
        sent = 0
        status = 0
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                s.settimeout(10)
                if chunked:
                    s.sendall(b"POST /v1/telemetry HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
                else:
                    s.sendall(b"POST /v1/telemetry HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                              b"Content-Length: %d\r\n\r\n" % size)
                block = b"x" * (1 << 20)
                if chunked:
                    block = b"%x\r\n" % len(block) + block + b"\r\n"
                data = b""
                while sent < size:  # as curl does: stop sending once an answer has come
                    s.sendall(block)
                    sent += len(block)
                    if select.select([s], [], [], 0)[0]:
                        break
                data = s.recv(4096)
                status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.") else 0
        except (OSError, ValueError, IndexError):
            pass
        with lock:
            answers.append((status, sent))

    threads = [threading.Thread(target=push, args=(i == 7,), daemon=True) for i in range(8)]
    with RssWatch(pid) as rss:
        for t in threads:
            t.start()
        time.sleep(0.5)
        others_served(port, "8 x 50 MB bodies without a token", rss, base)
        for t in threads:
            t.join(30)
    accepted = max((sent for _, sent in answers), default=0)
    statuses = sorted(st for st, _ in answers)
    figure(f"8 x 50 MB: answers {statuses} (0: none), a client pushed at most "
           f"{accepted / 1e6:.1f} MB; RSS peak {rss.peak:.0f} MB, after {rss_mb(pid):.0f} MB")
    # Refused by Content-Length (413) or, chunked without a token, by the head (401).
    check(statuses == [401] + [413] * 7 and accepted < size,
          "8 x 50 MB: every body refused before it was read (413 / 401)")
    check(rss.peak - base < RSS_GROWTH_BOUND_MB, f"8 x 50 MB: RSS grew under {RSS_GROWTH_BOUND_MB} MB "
                                                  f"({rss.peak - base:.0f} MB)")


def main():
    subprocess.run([MUCSTREAMD, "migrate", "--pg", PG], check=True, capture_output=True)
    port = free_port()
    workdir = os.environ.get("MUCSTREAM_HOSTILE_DIR", "/tmp/mucstream-hostile-http")
    os.makedirs(workdir, exist_ok=True)
    log = open(os.path.join(workdir, "api.log"), "w")
    env = dict(os.environ, MUCSTREAM_JWT_SECRET=SECRET, MUCSTREAM_METRICS_TOKEN=SCRAPE)
    proc = subprocess.Popen([MUCSTREAMD, "api", "--pg", PG, "--http-listen", f"127.0.0.1:{port}"],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 15
        while request(port, "/healthz")[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        check(request(port, "/healthz")[0] == 200, "mucstreamd api serves /healthz")
        base = rss_mb(proc.pid)
        global START_THREADS
        START_THREADS = threads(proc.pid)
        figure(f"RSS at start: {base:.0f} MB, {START_THREADS} threads")
        for probe in (probe_idle, probe_half_sent, probe_slow, probe_bodies):
            probe(port, proc.pid, base)
            time.sleep(0.5)

        # /metrics: a token unless configured open.
        check(request(port, "/metrics")[0] == 401, "/metrics without a token: 401")
        check(request(port, "/metrics", {"Authorization": "Bearer " + SCRAPE})[0] == 200,
              "/metrics with the metrics token: 200")
        check(request(port, "/metrics", {"Authorization": "Bearer " + token()})[0] == 200,
              "/metrics with an analyst token: 200")

        # A second server on the same port must not start (no SO_REUSEPORT).
        try:
            second = subprocess.run([MUCSTREAMD, "api", "--pg", PG, "--http-listen", f"127.0.0.1:{port}"],
                                    capture_output=True, text=True, env=env, timeout=5)
            check(second.returncode != 0 and f"127.0.0.1:{port}" in second.stderr,
                  f"a second server on the same port fails naming the address (exit {second.returncode})")
        except subprocess.TimeoutExpired:
            check(False, "a second server on the same port fails at start-up (it kept running: port shared)")
        check(proc.poll() is None, "the server survived every probe")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    print("\nfigures:\n  " + "\n  ".join(figures))
    if failures:
        print(f"FAILED ({len(failures)}): server log in {workdir}/api.log")
        sys.exit(1)
    print("PASS")


main()
