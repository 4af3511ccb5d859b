"""Shared by the multicast flows: occupants that keep the raw bytes their server sent them,
anonymous logins (every occupant its own real JID), the component's /metrics, and whether
the fixture's server offers XEP-0033 multicast to the component."""
import os
import re
import sys
import urllib.request

import slixmpp

from harness import *

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PROSODY_MODULE = os.path.join(REPO, "deploy", "prosody", "mod_mucstream_multicast.lua")


class RawClient(Client):
    """A client that also keeps every byte its server sent it, to search the raw XML."""

    def __init__(self, user, anonymous_domain=None):
        super().__init__(user)
        self.raw = bytearray()
        if anonymous_domain:  # SASL ANONYMOUS: the server makes up the JID
            self.requested_jid = slixmpp.JID(anonymous_domain)
            self.boundjid = slixmpp.JID(anonymous_domain)
            self._expected_server_name = anonymous_domain
            self.stream_header = self.stream_header.replace("to='localhost'", "to='%s'" % anonymous_domain)
            self.password = ""
            self.credentials.pop("password", None)
            self["feature_mechanisms"].use_mech = "ANONYMOUS"  # chosen at construction, from the JID

    def data_received(self, data):
        self.raw += data
        super().data_received(data)

    def raw_text(self):
        return self.raw.decode("utf-8", "replace")


def multicast_expected():
    """Whether the fixture's server offers multicast to rooms.localhost; exits 77 (skipped)
    when this server has no multicast module in the tree at all."""
    if ENV.get("SERVER") != "ejabberd" and not os.path.exists(PROSODY_MODULE):
        print("SKIP: deploy/prosody/mod_mucstream_multicast.lua is not in the tree: Prosody has no multicast "
              "service to test against")
        sys.exit(77)
    return ENV.get("MULTICAST", "1") != "0"


def metrics(port):
    with urllib.request.urlopen("http://127.0.0.1:%s/metrics" % port, timeout=5) as r:
        text = r.read().decode()
    out = {}
    for line in text.splitlines():
        m = re.match(r"^(mucstream_multicast_\w+|mucstream_stanzas_out_total) (\S+)$", line)
        if m:
            out[m.group(1)] = float(m.group(2))
    return out


def component_metrics():
    with open(os.path.join(STATE, "ops_port")) as f:
        return metrics(f.read().strip())


def has_addresses(el):
    return el.find("{http://jabber.org/protocol/address}addresses") is not None
