// Multicast discovery: which service the component uses, from the server's disco answers,
// as Prosody (the host itself) and ejabberd (multicast.<host> among the host's items) give them.
#include <gloox/tag.h>

#include "tests/xmpp/util.hpp"
#include "xmpp/multicast_discovery.hpp"

using namespace mucstream::xmpp;
using namespace mucstream::xmpp::testing;

namespace {

const std::string kAddr = "http://jabber.org/protocol/address";

std::string id_of(const std::string& query) {
  auto t = xml(query);
  return t->findAttribute("id");
}

std::string info(const std::string& from, const std::string& id, const std::string& features, const std::string& extra = "") {
  return "<iq type='result' from='" + from + "' to='rooms.example.org' id='" + id +
         "'><query xmlns='http://jabber.org/protocol/disco#info'><identity category='server' type='im'/>" + features +
         extra + "</query></iq>";
}

std::string feature(const std::string& f) { return "<feature var='" + f + "'/>"; }

bool answer(MulticastDiscovery& d, const std::string& iq, std::vector<std::string>& out, std::int64_t now = 10) {
  auto t = xml(iq);
  return d.answer(*t, now, out);
}

}  // namespace

TEST_CASE("multicast discovery: the host domain is the component domain without its first label") {
  CHECK(host_domain("rooms.example.org") == "example.org");
  CHECK(host_domain("rooms.localhost") == "localhost");
  CHECK(host_domain("localhost").empty());
}

TEST_CASE("multicast discovery: parsing features, advertised limits and items") {
  auto q = xml("<query xmlns='http://jabber.org/protocol/disco#info'><feature var='" + kAddr +
               "'/><x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' type='hidden'><value>" + kAddr +
               "</value></field><field var='message'><value>1000</value></field><field var='presence'><value>500</value>"
               "</field></x></query>");
  CHECK(lists_feature(*q, kAddr));
  CHECK_FALSE(lists_feature(*q, "urn:xmpp:ping"));
  CHECK(advertised_limit(*q) == 500);
  // Another form's fields, or no form: nothing advertised.
  auto other = xml("<query xmlns='http://jabber.org/protocol/disco#info'><x xmlns='jabber:x:data' type='result'><field "
                   "var='FORM_TYPE' type='hidden'><value>urn:x</value></field><field var='message'><value>3</value>"
                   "</field></x></query>");
  CHECK(advertised_limit(*other) == 0);
  auto items = xml("<query xmlns='http://jabber.org/protocol/disco#items'><item jid='conference.example.org'/><item "
                   "jid='rooms.example.org'/><item jid='pubsub.example.org' node='x'/><item jid='bot@example.org'/><item "
                   "jid='multicast.example.org'/></query>");
  CHECK(service_items(*items, "rooms.example.org") ==
        std::vector<std::string>{"conference.example.org", "multicast.example.org"});
}

TEST_CASE("multicast discovery: the host listing the feature is the service (Prosody's module)") {
  MulticastDiscovery d("auto", "rooms.example.org", "mc-", 5'000);
  auto q = d.start(0);
  REQUIRE(q.size() == 1);
  CHECK(contains(q[0], "to='example.org'"));
  CHECK(contains(q[0], "from='rooms.example.org'"));
  CHECK(contains(q[0], "http://jabber.org/protocol/disco#info"));
  CHECK_FALSE(d.finished());
  std::vector<std::string> more;
  CHECK(answer(d, info("example.org", id_of(q[0]), feature(kAddr)), more));
  CHECK(more.empty());
  CHECK(d.result() == MulticastDiscovery::Result::found);
  CHECK(d.service() == "example.org");
  CHECK_FALSE(d.recipient_list());  // plain XEP-0033: bcc addresses

  // mucstream's module lists its recipient-list form too; a new connection asks again.
  q = d.start(1'000);
  REQUIRE(q.size() == 1);
  CHECK(answer(d, info("example.org", id_of(q[0]), feature(kAddr) + feature("urn:xmpp:mucstream:multicast:0")), more));
  CHECK(d.service() == "example.org");
  CHECK(d.recipient_list());
  CHECK(contains(d.describe(), "recipient lists"));
}

TEST_CASE("multicast discovery: else the first of the host's items that lists it (ejabberd's multicast.<host>)") {
  MulticastDiscovery d("auto", "rooms.example.org", "mc-", 5'000);
  auto q = d.start(0);
  std::vector<std::string> items_q, infos;
  CHECK(answer(d, info("example.org", id_of(q[0]), feature("urn:xmpp:ping")), items_q));
  REQUIRE(items_q.size() == 1);
  CHECK(contains(items_q[0], "disco#items"));
  CHECK(answer(d,
               "<iq type='result' from='example.org' id='" + id_of(items_q[0]) +
                   "'><query xmlns='http://jabber.org/protocol/disco#items'><item jid='conference.example.org'/><item "
                   "jid='multicast.example.org'/><item jid='other.example.org'/></query></iq>",
               infos));
  REQUIRE(infos.size() == 3);
  std::vector<std::string> none;
  // The third item answers first that it has the feature: the second must still be heard.
  CHECK(answer(d, info("other.example.org", id_of(infos[2]), feature(kAddr)), none));
  CHECK_FALSE(d.finished());
  CHECK(answer(d, info("conference.example.org", id_of(infos[0]), feature("http://jabber.org/protocol/muc")), none));
  CHECK_FALSE(d.finished());
  CHECK(answer(d,
               info("multicast.example.org", id_of(infos[1]), feature(kAddr),
                    "<x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' type='hidden'><value>" + kAddr +
                        "</value></field><field var='message'><value>1000</value></field><field var='presence'>"
                        "<value>1000</value></field></x>"),
               none));
  CHECK(d.result() == MulticastDiscovery::Result::found);
  CHECK(d.service() == "multicast.example.org");
  CHECK(d.advertised_limit() == 1000);
  CHECK(contains(d.describe(), "multicast.example.org"));
}

TEST_CASE("multicast discovery: errors, silence and foreign answers end in none, off and a JID ask nothing") {
  MulticastDiscovery d("auto", "rooms.example.org", "mc-", 5'000);
  auto q = d.start(0);
  std::vector<std::string> next;
  // Not ours, or from someone else: not consumed / not taken as the answer.
  auto foreign = xml("<iq type='result' from='example.org' id='other-1'/>");
  CHECK_FALSE(d.answer(*foreign, 1, next));
  CHECK(answer(d, "<iq type='result' from='evil.example.org' id='" + id_of(q[0]) + "'/>", next));
  CHECK(next.empty());
  CHECK(answer(d, "<iq type='error' from='example.org' id='" + id_of(q[0]) + "'/>", next));
  REQUIRE(next.size() == 1);  // disco#items next
  std::vector<std::string> infos;
  CHECK(answer(d,
               "<iq type='result' from='example.org' id='" + id_of(next[0]) +
                   "'><query xmlns='http://jabber.org/protocol/disco#items'><item jid='a.example.org'/></query></iq>",
               infos));
  REQUIRE(infos.size() == 1);
  d.tick(4'000);
  CHECK_FALSE(d.finished());
  d.tick(6'000);  // a.example.org never answered
  CHECK(d.result() == MulticastDiscovery::Result::none);
  CHECK(d.service().empty());
  CHECK(contains(d.describe(), "one stanza per recipient"));

  // A new connection starts over; an answer to the previous round's query is consumed, ignored.
  auto again = d.start(10'000);
  CHECK_FALSE(d.finished());
  std::vector<std::string> ignored;
  CHECK(answer(d, info("example.org", id_of(q[0]), feature(kAddr)), ignored));
  CHECK_FALSE(d.finished());
  d.tick(16'000);  // the host never answers disco#info
  CHECK(d.result() == MulticastDiscovery::Result::none);

  MulticastDiscovery off("off", "rooms.example.org", "mc-", 5'000);
  CHECK(off.start(0).empty());
  CHECK(off.result() == MulticastDiscovery::Result::off);
  MulticastDiscovery fixed("multicast.example.org", "rooms.example.org", "mc-", 5'000);
  CHECK(fixed.start(0).empty());
  CHECK(fixed.result() == MulticastDiscovery::Result::configured);
  CHECK(fixed.service() == "multicast.example.org");
}
