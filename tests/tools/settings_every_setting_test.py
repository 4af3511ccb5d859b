#!/usr/bin/python3
"""Every mucstreamd setting refuses a bad value at start-up, whichever way it is given.

Walks the settings `mucstreamd component --help` lists (so settings added later are walked
too) and, from what each one's help says it allows, picks values it must refuse. Each is
given as a flag, as an environment variable and, with the wrong TOML type, in a config file;
each must stop mucstreamd with exit code 2 and a message naming the flag, the key, what is
allowed and (unless secret) the value. A setting whose "allowed:" text this test does not
know fails the test: add a bad value for it here.

    settings_every_setting_test.py MUCSTREAMD
"""
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile

mucstreamd = sys.argv[1]
failures = []
checked = 0


def run(args, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUCSTREAM_")}
    env.update(env_extra or {})
    # --help: a value wrongly accepted prints help instead of starting a component.
    p = subprocess.run([mucstreamd, "component", *args, "--help"], env=env, capture_output=True, text=True,
                       timeout=20)
    return p.returncode, p.stderr


def settings():
    help_text = subprocess.run([mucstreamd, "component", "--help"], capture_output=True, text=True, timeout=20,
                               env={"PATH": os.environ.get("PATH", "")}).stdout
    out = []
    for block in re.split(r"\n(?=  --)", help_text):
        m = re.match(r"  (--[a-z0-9-]+)", block)
        toml = re.search(r"toml ([a-z0-9_.]+)", block)
        allowed = re.search(r"allowed: (.*)", block)
        if not m or not toml:
            continue
        if not allowed:
            failures.append(f"{m.group(1)}: --help says nothing about what it allows")
            continue
        env = re.search(r"env (MUCSTREAM_[A-Z0-9_]+)", block).group(1)
        out.append((m.group(1), toml.group(1), env, allowed.group(1).strip()))
    return out


def bad_values(allowed):
    """Values the allowed text rules out, and the TOML type the value must be written as."""
    m = re.match(r"a (?:whole|port) number from (-?\d+) to (\d+)", allowed)
    if m:
        lo, hi = int(m.group(1)), int(m.group(2))
        return [str(hi + 1), str(lo - 1), "12abc"], "integer"
    m = re.match(r"a whole number, (-?\d+) or more", allowed)
    if m:
        return [str(int(m.group(1)) - 1), "12abc", "2147483648"], "integer"
    m = re.match(r"a number from (-?[\d.]+) to ([\d.]+)", allowed)
    if m:
        return [str(float(m.group(1)) - 1), "1,5", "nan"], "number"
    table = [
        ("true or false", ["maybe", "2"], "boolean"),
        ("one of ", ["no-such-choice", ""], "string"),
        ("a host name or an IP address", ["bad host", "", "[127.0.0.1]"], "string"),
        ("an XMPP domain", ["bad domain", "room@example.org", "example.org/x", ""], "string"),
        ("empty or HOST:PORT[,HOST:PORT", ["a:1,b", "a:0", "bad host:9092"], "string"),
        ("HOST:PORT with a port", ["localhost", "127.0.0.1:99999", "::1:80"], "string"),
        ("empty or HOST:PORT with a port", ["localhost", "127.0.0.1:99999"], "string"),
        ("a Kafka topic name", ["bad topic", "", "a/b"], "string"),
        ("non-empty text", ["", "a\x01b"], "string"),
        ("text without control characters", ["a\x01b", "line\nbreak"], "string"),
        ("empty or the path of a file", ["/nonexistent/secret"], "string"),
        ("empty or a libpq connection string", ["nonsense", "host='unterminated"], "string"),
        ("empty or a room id", ["not-a-uuid", "1; DROP TABLE rooms"], "string"),
        ("auto, off or the multicast service's domain", ["multicast example", "a@b", ""], "string"),
        ("empty, '*', or origins", ["https://app.example.org/path", "app.example.org"], "string"),
    ]
    for prefix, values, toml in table:
        if allowed.startswith(prefix):
            return values, toml
    return None, None


def shown(value):
    return "'" + "".join(c if 0x20 <= ord(c) != 0x7f else "\\x%02x" % ord(c) for c in value) + "'"


def expect_refused(what, flag, key, allowed, value, code, err, origin):
    global checked
    checked += 1
    wanted = [flag, f"({key})", f"must be {allowed}", origin]
    secret = "not shown here" in err
    if not secret:
        wanted.append("got " + shown(value))
    missing = [w for w in wanted if w not in err]
    if code != 2 or missing:
        failures.append(f"{what}: exit {code}, missing {missing} in: {err.strip()}")
    elif secret and value and value in err:
        failures.append(f"{what}: a hidden value was printed: {err.strip()}")


def main():
    global checked
    specs = settings()
    if len(specs) < 50:
        failures.append(f"only {len(specs)} settings found in --help")
    toml_literal = {"integer": 'true', "boolean": '"true"', "number": 'true', "string": '5'}
    def walk(spec, tmp):
        flag, key, env, allowed = spec
        values, toml_type = bad_values(allowed)
        if values is None:
            failures.append(f"{flag}: no bad value known for 'allowed: {allowed}' (add one to this test)")
            return 0
        for v in values:
            code, err = run([f"{flag}={v}"])
            expect_refused(f"{flag}={v!r}", flag, key, allowed, v, code, err, "(from the command line)")
        v = values[0]
        code, err = run([], {env: v})
        expect_refused(f"{env}={v!r}", flag, key, allowed, v, code, err, f"(from {env})")
        path = os.path.join(tmp, key + ".toml")
        with open(path, "w") as f:
            f.write(f"{key} = {toml_literal[toml_type]}\n")
        code, err = run(["--config", path])
        want = f"written as a TOML {toml_type}"
        if code != 2 or want not in err or flag not in err or f"(from config file {path})" not in err:
            failures.append(f"TOML {key} = {toml_literal[toml_type]}: exit {code}, wanted '{want}' in: {err.strip()}")
        return 1

    # Several hundred starts of mucstreamd: two at a time, so a sanitizer build (each start
    # several times slower) stays well inside the time bound.
    with tempfile.TemporaryDirectory() as tmp, concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        checked += sum(pool.map(lambda spec: walk(spec, tmp), specs))
        # The defaults themselves pass.
        code, err = run([])
        if code != 0:
            failures.append(f"the defaults are refused: {err.strip()}")
    for f in failures:
        print("FAIL", f)
    print(f"settings walked: {len(specs)}; refusals checked: {checked}")
    print(f"{checked - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


sys.exit(main())
