"""deploy/compose.yaml cannot be run here (no Kafka, no images): check what can be checked
by reading it. It is valid YAML; every mucstream service runs a role mucstreamd has; the
topics it creates are the ones mucstreamd uses by default, with replication factor 3 and
min.insync.replicas=2, the snapshot topic compacted; the Prosody config it mounts accepts
the component secret the roles are given.

  check_compose.py DEPLOY_DIR MUCSTREAMD"""
import os
import re
import subprocess
import sys

import yaml

deploy, mucstreamd = sys.argv[1], sys.argv[2]
doc = yaml.safe_load(open(os.path.join(deploy, "compose.yaml")))
services = doc["services"]
problems = []

help_text = subprocess.run([mucstreamd, "all", "--help"], capture_output=True, text=True).stdout


def default_of(key):
    m = re.search(r"toml %s, default '([^']*)'" % re.escape(key), help_text)
    return m.group(1) if m else None


roles = set()
for name, svc in services.items():
    if svc.get("image") == "mucstream:local":
        role = svc["command"][0]
        roles.add(role)
        r = subprocess.run([mucstreamd, role, "--help"], capture_output=True, text=True)
        if r.returncode != 0:
            problems.append("%s: mucstreamd has no role %s" % (name, role))
        env = svc.get("environment", {})
        for var in env:
            if var.startswith("MUCSTREAM_") and not var.startswith("MUCSTREAM_KAFKA__") and var not in help_text:
                problems.append("%s: %s is not a mucstreamd setting" % (name, var))
for role in ("component", "materialize", "api", "migrate"):
    if role not in roles:
        problems.append("no service runs mucstreamd %s" % role)

script = "\n".join(services["kafka-topics"]["command"])
for key in ("kafka.topic", "kafka.snapshot_topic", "kafka.dead_letter_topic"):
    topic = default_of(key)
    m = re.search(r"--topic %s (.*?)(?:\n\s*\$\$k|\Z)" % re.escape(topic or "?"), script, re.S)
    if not m:
        problems.append("topic %s (%s) not created" % (topic, key))
        continue
    spec = m.group(1)
    for want in ("--replication-factor 3", "min.insync.replicas=2"):
        if want not in spec:
            problems.append("topic %s: no %s" % (topic, want))
    if key == "kafka.snapshot_topic" and "cleanup.policy=compact" not in spec:
        problems.append("topic %s is not compacted" % topic)

secret = services["component"]["environment"]["MUCSTREAM_XMPP_SECRET"]
prosody = open(os.path.join(deploy, "compose", "prosody.cfg.lua")).read()
if 'component_secret = "%s"' % secret not in prosody:
    problems.append("compose/prosody.cfg.lua does not accept the roles' component secret")

if problems:
    print("compose.yaml:\n  " + "\n  ".join(problems))
    sys.exit(1)
print("PASS: compose.yaml runs %s; topics as documented" % ", ".join(sorted(roles)))
