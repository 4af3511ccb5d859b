"""The component finds the service in the host's disco#info (XEP-0030): the feature
http://jabber.org/protocol/address is listed (and the module's recipient-list form), asked by the component and by a client."""
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
    assert NS_ADDRESS in {f.get("var") for f in info.iter(q("feature", NS_DISCO_INFO))}, dump(info)
    await alice.stop()
    await comp.close()


run(test, 15)
