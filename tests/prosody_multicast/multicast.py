"""What the multicast tests share: the e2e harness (slixmpp clients against the fixture's
server: Prosody with mod_mucstream_multicast.lua or ejabberd with mod_mucstream_multicast.erl),
the raw component, and the XEP-0033 stanza the component sends."""
import os
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))

from harness import *  # noqa: E402,F401,F403
from component import RawComponent, qa  # noqa: E402,F401

NS_ADDRESS = "http://jabber.org/protocol/address"
NS_LIST = "urn:xmpp:mucstream:multicast:0"  # the module's recipient list: one JID per line
HOST = "localhost"           # the host the module is loaded on
ALLOWED = "rooms.localhost"  # in mucstream_multicast_senders
OTHER = "term.localhost"     # a component the server knows, not in the senders


def addresses(jids, type_="bcc"):
    return "<addresses xmlns='%s'>%s</addresses>" % (
        NS_ADDRESS, "".join("<address type='%s' jid='%s'/>" % (type_, j) for j in jids))


def recipient_list(jids):
    return "<recipients xmlns='%s'>%s</recipients>" % (NS_LIST, "\n".join(jids))


FORMS = {"addresses": addresses, "list": recipient_list}


def multicast(kind, frm, jids, payload, type_=None, id_=None, to=HOST, form="addresses"):
    """One stanza for all of jids, as the component sends it (the recipients first, as XEP-0033
    bcc addresses or as the module's recipient list, then the payload exactly as each
    recipient should get it)."""
    id_ = id_ or "mc-" + uuid.uuid4().hex[:8]
    return id_, "<%s from='%s' to='%s'%s id='%s'>%s%s</%s>" % (
        kind, frm, to, " type='%s'" % type_ if type_ else "", id_, FORMS[form](jids), payload, kind)


def stanza_error(el):
    """(condition, type) of an error stanza on either stream (client or component namespace)."""
    for err in el:
        if err.tag.endswith("}error"):
            for c in err:
                if c.tag.startswith("{%s}" % NS_STANZAS) and not c.tag.endswith("}text"):
                    return c.tag.split("}")[1], err.get("type")
    return None, None


def has_addresses(el):
    """Either form of recipients reached a client (bcc: it must never)."""
    return el.find(".//{%s}addresses" % NS_ADDRESS) is not None or el.find(".//{%s}recipients" % NS_LIST) is not None


async def component(domain=ALLOWED):
    c = RawComponent(domain)
    await c.connect()
    return c
