// IQs between occupants: routed with our id and the sender's room JID, answers routed back.
#include "tests/xmpp/util.hpp"
#include "xmpp/occupant_iq.hpp"

using namespace mucstream;
using namespace mucstream::xmpp;
using namespace mucstream::xmpp::testing;
using core::testing::World;

namespace {

World room_with_a_and_b() {
  World w;
  w.cfg.domain = kDomain;
  w.instant_room("a@e.com/r", "A");
  REQUIRE(w.join("b@e.com/r", "B", {}, "room@rooms.test").ok());
  return w;
}

}  // namespace

TEST_CASE("occupant IQ: routed to the target's real JID from the sender's room JID, answer routed back once") {
  World w = room_with_a_and_b();
  OccupantIqRouter router("p-");
  const std::string req = "<iq from='a@e.com/r' to='room@rooms.test/B' type='get' id='v1'><query xmlns='jabber:iq:version'/></iq>";
  auto tag = xml(req);
  Decoded d = decode_str(req, w.svc);
  auto routed = router.route(w.svc, d, *tag, 1000);
  REQUIRE(routed);
  CHECK(*routed == "<iq type='get' from='room@rooms.test/A' to='b@e.com/r' id='p-1'><query xmlns='jabber:iq:version'/></iq>");
  CHECK(router.pending() == 1);

  // A spoofed answer (not from B) is dropped and keeps the request open.
  auto spoof = xml("<iq from='c@e.com/r' to='room@rooms.test/A' type='result' id='p-1'/>");
  CHECK_FALSE(router.answer(decode_str("<iq from='c@e.com/r' to='room@rooms.test/A' type='result' id='p-1'/>", w.svc), *spoof));
  CHECK(router.pending() == 1);

  const std::string ans = "<iq from='b@e.com/r' to='room@rooms.test/A' type='result' id='p-1'><query xmlns='jabber:iq:version'><name>x</name></query></iq>";
  auto atag = xml(ans);
  auto back = router.answer(decode_str(ans, w.svc), *atag);
  REQUIRE(back);
  CHECK(*back == "<iq type='result' from='room@rooms.test/B' to='a@e.com/r' id='v1'><query xmlns='jabber:iq:version'><name>x</name></query></iq>");
  CHECK(router.pending() == 0);
  CHECK_FALSE(router.answer(decode_str(ans, w.svc), *atag));  // answered once
}

TEST_CASE("occupant IQ: not routed when the sender is not joined, the nick is unknown or is the sender") {
  World w = room_with_a_and_b();
  OccupantIqRouter router("p-");
  for (const char* s : {"<iq from='x@e.com/r' to='room@rooms.test/B' type='get' id='1'><query xmlns='jabber:iq:version'/></iq>",
                        "<iq from='a@e.com/r' to='room@rooms.test/Nobody' type='get' id='2'><query xmlns='jabber:iq:version'/></iq>",
                        "<iq from='a@e.com/r' to='room@rooms.test/A' type='get' id='3'><ping xmlns='urn:xmpp:ping'/></iq>",
                        "<iq from='a@e.com/r' to='other@rooms.test/B' type='get' id='4'><query xmlns='jabber:iq:version'/></iq>"}) {
    auto t = xml(s);
    CHECK_FALSE(router.route(w.svc, decode_str(s, w.svc), *t, 0));
  }
  CHECK(router.pending() == 0);
}

TEST_CASE("occupant IQ: old open requests are forgotten once many are open") {
  World w = room_with_a_and_b();
  OccupantIqRouter router("p-");
  const std::string req = "<iq from='a@e.com/r' to='room@rooms.test/B' type='get' id='v'><query xmlns='jabber:iq:version'/></iq>";
  auto t = xml(req);
  Decoded d = decode_str(req, w.svc);
  for (std::size_t i = 0; i <= OccupantIqRouter::kSweepAbove; ++i) REQUIRE(router.route(w.svc, d, *t, 0));
  CHECK(router.pending() == OccupantIqRouter::kSweepAbove + 1);
  REQUIRE(router.route(w.svc, d, *t, OccupantIqRouter::kForgetAfterMs + 1));
  CHECK(router.pending() == 1);
}
