"""Reconnect: a fake XEP-0114 server (raw sockets, no Prosody) accepts the component,
takes a join, then drops the connection. mucstreamd logs the loss, retries with backoff
(a log line per attempt; the first retry is refused because nothing listens), reconnects,
and the room it had is still in memory (disco#info shows the occupant)."""
import hashlib
import os
import re
import socket
import subprocess

from harness import *

SECRET = "reconnect-secret"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


async def accept_component(server):
    loop = asyncio.get_running_loop()
    conn, _ = await asyncio.wait_for(loop.sock_accept(server), 20)
    conn.setblocking(False)
    buf = b""
    while b"<stream:stream" not in buf or b">" not in buf[buf.find(b"<stream:stream"):]:
        buf += await asyncio.wait_for(loop.sock_recv(conn, 4096), 5)
    sid = "s%s" % uuid.uuid4().hex[:6]
    await loop.sock_sendall(conn, ("<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' "
                                   "xmlns:stream='http://etherx.jabber.org/streams' id='%s' from='rooms.test'>" % sid).encode())
    buf = b""
    while b"</handshake>" not in buf:
        buf += await asyncio.wait_for(loop.sock_recv(conn, 4096), 5)
    digest = re.search(rb"<handshake>([0-9a-f]+)</handshake>", buf).group(1).decode()
    assert digest == hashlib.sha1((sid + SECRET).encode()).hexdigest(), "XEP-0114 handshake digest"
    await loop.sock_sendall(conn, b"<handshake/>")
    return conn


async def read_until(conn, needle, timeout=5):
    loop = asyncio.get_running_loop()
    buf = b""
    end = time.monotonic() + timeout
    while needle not in buf:
        left = end - time.monotonic()
        if left <= 0:
            raise AssertionError("did not receive %r; got %r" % (needle, buf))
        buf += await asyncio.wait_for(loop.sock_recv(conn, 65536), left)
    return buf


async def test():
    port = free_port()
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen()
    server.setblocking(False)
    log_path = os.path.join(STATE, "reconnect-component.log")
    log = open(log_path, "w")
    proc = subprocess.Popen([os.environ["MUCSTREAMD"], "component", "--xmpp-port", str(port), "--domain", "rooms.test",
                             "--secret", SECRET, "--xmpp-events", "none"], stdout=subprocess.DEVNULL, stderr=log)
    try:
        conn = await accept_component(server)
        loop = asyncio.get_running_loop()
        await loop.sock_sendall(conn, b"<presence from='a@example.com/r' to='kept@rooms.test/A'>"
                                      b"<x xmlns='http://jabber.org/protocol/muc'/></presence>")
        await read_until(conn, b"status code='201'")
        # Drop the connection and stop listening for a moment: the first retry is refused.
        conn.close()
        server.close()
        await asyncio.sleep(0.8)
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", port))
        server.listen()
        server.setblocking(False)
        conn = await accept_component(server)
        await loop.sock_sendall(conn, b"<iq from='a@example.com/r' to='kept@rooms.test' type='get' id='d1'>"
                                      b"<query xmlns='http://jabber.org/protocol/disco#info'/></iq>")
        # After a connect the room also pings its sessions (ghost detection) and the server
        # (flow markers): read up to the answer to this query, whatever comes before it.
        buf = await read_until(conn, b"id='d1'")
        while not re.search(rb"<iq[^>]*id='d1'.*?</iq>", buf, re.S):
            buf += await read_until(conn, b"</iq>")
        reply = re.search(rb"<iq[^>]*id='d1'.*?</iq>", buf, re.S).group(0)
        assert b"type='result'" in reply, reply
        assert re.search(rb"muc#roominfo_occupants'[^>]*><value>1</value>", reply), reply
        text = open(log_path).read()
        attempts = re.findall(r"connecting to 127\.0\.0\.1:%d as rooms.test \(attempt (\d+)\)" % port, text)
        assert len(attempts) >= 2, text
        assert "disconnected:" in text and "retrying in" in text, text
        conn.close()
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        server.close()


run(test, timeout=40)
