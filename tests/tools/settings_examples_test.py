#!/usr/bin/python3
"""The bad settings an operator reported, each refused at start-up before anything connects.

Each case starts `mucstreamd component` as an operator would (no --help), pointed at a
listening socket that stands in for the XMPP server: it must exit with code 2 within a few
seconds, say which setting, which value and what is allowed, and never connect.

    settings_examples_test.py MUCSTREAMD
"""
import os
import socket
import subprocess
import sys
import tempfile

mucstreamd = sys.argv[1]
results = []

server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(8)
server.setblocking(False)
port = server.getsockname()[1]
base = ["--xmpp-host", "127.0.0.1", "--xmpp-port", str(port), "--secret", "s"]


def connected():
    try:
        c, _ = server.accept()
        c.close()
        return True
    except BlockingIOError:
        return False


def case(name, args, wanted, env=None):
    run_env = {k: v for k, v in os.environ.items() if not k.startswith("MUCSTREAM_")}
    run_env.update(env or {})
    try:
        p = subprocess.run([mucstreamd, "component", *args], env=run_env, capture_output=True, text=True, timeout=10)
        code, err = p.returncode, p.stderr
    except subprocess.TimeoutExpired:
        code, err = "timeout (it started)", ""
    problems = []
    if code != 2:
        problems.append(f"exit {code}")
    problems += [f"no {w!r}" for w in wanted if w not in err]
    if connected():
        problems.append("it connected to the XMPP server")
    results.append((name, problems, err.strip()))


case("--xmpp-port 99999", ["--xmpp-host", "127.0.0.1", "--secret", "s", "--xmpp-port", "99999"],
     ["--xmpp-port (xmpp.port)", "got '99999'", "a port number from 1 to 65535"])
case("--log-level loud", base + ["--log-level", "loud"],
     ["--log-level (log.level)", "got 'loud'", "one of debug, info, warn, error"])
case("--rooms-max-history -5", base + ["--rooms-max-history", "-5"],
     ["--rooms-max-history (rooms.max_history)", "got '-5'", "a whole number, 0 or more"])
case("--domain 'bad domain'", base + ["--domain", "bad domain"],
     ["(xmpp.domain)", "got 'bad domain'", "an XMPP domain"])
case("MUCSTREAM_XMPP_PORT=abc", base[:2] + base[4:], ["--xmpp-port (xmpp.port)", "got 'abc'", "(from MUCSTREAM_XMPP_PORT)"],
     env={"MUCSTREAM_XMPP_PORT": "abc"})
case("MUCSTREAM_ROOMS_PERSISTENT_BY_DEFAULT=sometimes", base,
     ["(rooms.persistent_by_default)", "got 'sometimes'", "true or false"],
     env={"MUCSTREAM_ROOMS_PERSISTENT_BY_DEFAULT": "sometimes"})
with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
    f.write('[xmpp]\nport = "5347"\n[rooms]\nmax_history = 50\n')
case("TOML xmpp.port = \"5347\" (a string)", ["--config", f.name, "--secret", "s"],
     ["--xmpp-port (xmpp.port)", "written as a TOML integer, got a TOML string '5347'", f"(from config file {f.name})"])
with open(f.name, "w") as g:
    g.write(f"[xmpp]\nport = {port}\nhost = \"127.0.0.1\"\n[rooms]\npersistent_by_default = \"yes\"\n")
case("TOML rooms.persistent_by_default = \"yes\" (a string)", ["--config", f.name, "--secret", "s"],
     ["(rooms.persistent_by_default)", "written as a TOML boolean, got a TOML string 'yes'"])
os.unlink(f.name)
# A secret's value is never echoed, even when it is refused.
case("a secret with a control character", base[:4] + ["--secret", "hunter2\x01"],
     ["--xmpp-secret (xmpp.secret)", "not shown"])
if "hunter2" in results[-1][2]:
    results[-1][1].append("the secret was printed")

# kafka-mock parses its own few options; its log level is checked the same way.
p = subprocess.run([mucstreamd, "kafka-mock", "--log-level", "loud"], capture_output=True, text=True, timeout=10)
results.append(("kafka-mock --log-level loud",
                [] if p.returncode == 2 and "one of debug, info, warn, error, got 'loud'" in p.stderr
                else [f"exit {p.returncode}"], p.stderr.strip()))

failed = 0
for name, problems, err in results:
    if problems:
        failed += 1
        print(f"FAIL {name}: {', '.join(problems)}\n     stderr: {err}")
    else:
        print(f"ok   {name}: {err}")
print(f"{len(results) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
