"""The component finds the service in the host's disco#info (XEP-0030): the feature
http://jabber.org/protocol/address is listed, and the module's recipient-list form, to the
configured senders only: ejabberd's mod_multicast asks a destination server's disco#info
whether to hand it its MUC's broadcasts, and sent here they would be refused and reach
nobody, so a client and another component are not shown them (on Prosody and on ejabberd)."""
from multicast import *


async def test():
    comp = await component()
    comp.send("<iq type='get' from='%s' to='%s' id='d1'><query xmlns='%s'/></iq>" % (ALLOWED, HOST, NS_DISCO_INFO))
    info = await comp.expect(lambda e: e.get("id") == "d1", 5, "disco#info")
    feats = {f.get("var") for f in info.iter("{%s}feature" % NS_DISCO_INFO)}
    assert info.get("type") == "result" and NS_ADDRESS in feats, dump(info)
    assert NS_LIST in feats, "the recipient-list form is not advertised: " + dump(info)

    alice, = await clients("alice")
    info = await alice.iq(HOST, "get", "<query xmlns='%s'/>" % NS_DISCO_INFO)
    client_feats = {f.get("var") for f in info.iter(q("feature", NS_DISCO_INFO))}
    assert info.get("type") == "result" and NS_DISCO_INFO in client_feats, dump(info)
    assert NS_ADDRESS not in client_feats and NS_LIST not in client_feats, "a client is shown: " + dump(info)
    # The sender sees everything else the host lists too (the answer is built beside mod_disco's).
    assert NS_DISCO_INFO in feats, dump(info)
    other = await component(OTHER)
    other.send("<iq type='get' from='%s' to='%s' id='d2'><query xmlns='%s'/></iq>" % (OTHER, HOST, NS_DISCO_INFO))
    info = await other.expect(lambda e: e.get("id") == "d2", 5, "disco#info for another component")
    other_feats = {f.get("var") for f in info.iter("{%s}feature" % NS_DISCO_INFO)}
    assert info.get("type") == "result" and NS_ADDRESS not in other_feats and NS_LIST not in other_feats, dump(info)
    await other.close()
    await alice.stop()
    await comp.close()


run(test, 15)
