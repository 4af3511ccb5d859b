// Multicast fallback: what the component does when the service refuses a multicast stanza.
// The refused stanza reaches its recipients one by one, and the cap shrinks (too many
// recipients) or multicast stops until the next connection (anything else).
#include "tests/xmpp/util.hpp"
#include "xmpp/multicast_fallback.hpp"
#include "xmpp/room_handler.hpp"

using namespace mucstream;
using namespace mucstream::xmpp;
using namespace mucstream::xmpp::testing;

TEST_CASE("multicast fallback: too many recipients halves the cap while it still groups two, the rest stops") {
  CHECK_FALSE(decide_fallback("not-acceptable", 100, 100).stop);  // ejabberd's mod_multicast
  CHECK(decide_fallback("not-acceptable", 100, 100).cap == 50);
  CHECK(decide_fallback("policy-violation", 40, 100).cap == 20);  // mod_mucstream_multicast
  CHECK(decide_fallback("policy-violation", 100, 20).cap == 20);  // a stanza sent before the last cut
  CHECK(decide_fallback("not-acceptable", 3, 3).stop);            // half of 3 groups nobody
  CHECK(decide_fallback("forbidden", 100, 100).stop);
  CHECK(decide_fallback("service-unavailable", 100, 100).stop);
  CHECK(decide_fallback("", 100, 100).stop);
}

TEST_CASE("multicast fallback: the ledger finds the oldest stanza with that kind, from and id, and forgets old ones") {
  MulticastLedger l(1'000, 1 << 20);
  auto r = std::make_shared<Rendering>(Rendering{"<message to='", "' from='r@x/a' id='1'/>", {"a", "b", "c"}, true});
  l.record({"message", "r@x/a", "1", r, 0, 2, 0}, 100);
  l.record({"message", "r@x/a", "1", r, 2, 1, 0}, 200);
  l.record({"presence", "r@x/a", "", r, 0, 3, 0}, 300);
  CHECK_FALSE(l.take("message", "r@x/b", "1"));
  auto first = l.take("message", "r@x/a", "1");
  REQUIRE(first);
  CHECK(first->first == 0);
  CHECK(first->count == 2);
  CHECK(l.take("message", "r@x/a", "1")->first == 2);
  CHECK(l.take("presence", "r@x/a", ""));
  l.record({"message", "r@x/a", "2", r, 0, 3, 0}, 400);
  l.prune(1'401);
  CHECK(l.size() == 0);
  MulticastLedger small(1'000'000, 300);  // bytes: the oldest go first
  for (int i = 0; i < 10; ++i) small.record({"message", "r@x/a", std::to_string(i), r, 0, 3, 0}, i);
  CHECK(small.size() < 10);
  CHECK(small.take("message", "r@x/a", "9"));
  CHECK_FALSE(small.take("message", "r@x/a", "0"));
}

namespace {

struct Sink final : core::EventSink {
  core::LogPosition publish(const core::Event&) override { return 0; }
};

struct Bench {
  core::testing::CountingIds ids;
  crypto::OpenSslCrypto crypto{1000};
  Sink sink;
  std::string out;
  RoomHandler h{kDomain, Limits{}, core::ServiceConfig{}, core::Service{}, ids, crypto, sink, out};
  Verdict feed(const std::string& s) {
    auto t = xml(s);
    return h.handle(*t, Now{1'700'000'000'000, 5'000}).verdict;
  }
  // An owner and `n` participants in room@rooms.test, multicasting through mc.e.com.
  explicit Bench(std::size_t n, std::size_t cap = 100) {
    h.set_multicast("mc.e.com", cap);
    feed("<presence from='owner@e.com/r' to='room@rooms.test/Owner'><x xmlns='http://jabber.org/protocol/muc'/></presence>");
    feed("<iq from='owner@e.com/r' to='room@rooms.test' type='set' id='c'><query "
         "xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/></query></iq>");
    for (std::size_t i = 0; i < n; ++i)
      feed("<presence from='u" + std::to_string(i) + "@e.com/r' to='room@rooms.test/U" + std::to_string(i) +
           "'><x xmlns='http://jabber.org/protocol/muc'/></presence>");
    out.clear();
  }
  void say(const std::string& id) {
    feed("<message from='u0@e.com/r' to='room@rooms.test' type='groupchat' id='" + id + "'><body>x</body></message>");
  }
  Verdict refuse(const std::string& id, const std::string& condition, const std::string& type = "cancel") {
    out.clear();
    return feed("<message from='mc.e.com' to='room@rooms.test/U0' type='error' id='" + id + "'><error type='" + type +
                "'><" + condition + " xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>");
  }
};

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0, p = 0;
  while ((p = hay.find(needle, p)) != std::string::npos) ++n, ++p;
  return n;
}

}  // namespace

TEST_CASE("multicast fallback: a refused stanza goes to each recipient once, and multicast stops until reconnect") {
  Bench b(5);
  b.say("m1");
  REQUIRE(count(b.out, "to='mc.e.com'") == 1);
  CHECK(b.refuse("m1", "forbidden", "auth") == Verdict::handled);
  CHECK(count(b.out, "<message to='") == 6);  // the owner and 5 participants
  for (const char* who : {"owner@e.com/r", "u0@e.com/r", "u4@e.com/r"})
    CHECK(count(b.out, std::string("<message to='") + who + "' from='room@rooms.test/U0' type='groupchat' id='m1'>") == 1);
  CHECK(b.out.find("<addresses") == std::string::npos);
  CHECK_FALSE(b.h.multicasting());
  CHECK(b.h.multicast_fallbacks() == 1);
  b.out.clear();
  b.say("m2");
  CHECK(count(b.out, "<message to='") == 6);
  CHECK(b.out.find("mc.e.com") == std::string::npos);
  // A refusal arriving late for a stanza sent before the stop is still sent again.
  b.h.disconnected();
  CHECK(b.refuse("m2", "forbidden") != Verdict::handled);  // a new connection: not the service's any more
}

TEST_CASE("multicast fallback: too many recipients: sent again one by one, and later stanzas are split smaller") {
  Bench b(9, 100);
  b.say("big");
  REQUIRE(count(b.out, "to='mc.e.com'") == 1);
  b.refuse("big", "not-acceptable", "modify");
  CHECK(count(b.out, "<message to='") == 10);
  CHECK(b.h.multicasting());
  CHECK(b.h.multicast_max_recipients() == 5);
  b.out.clear();
  b.say("next");
  CHECK(count(b.out, "to='mc.e.com'") == 2);  // 10 recipients, 5 a stanza
}

TEST_CASE("multicast fallback: a recipient's bounce through the service still removes that ghost") {
  Bench b(3);
  b.say("m1");
  b.out.clear();
  // The copy for u2 could not be delivered: the bounce comes from the recipient, as a direct one would.
  CHECK(b.feed("<message from='u2@e.com/r' to='room@rooms.test/U0' type='error' id='m1'><error type='cancel'>"
               "<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>") == Verdict::handled);
  CHECK(b.h.ghosts_removed() == 1);
  CHECK(b.h.multicasting());
  CHECK(contains(b.out, "from='room@rooms.test/U2' type='unavailable'"));
}
