// History bounded by bytes as well as count: per room and for the service, enforced in
// apply() so that replaying the log with the same bounds rebuilds the same history.
#include "core/history_bounds.hpp"
#include "support.hpp"

using namespace mucstream::core;
using namespace mucstream::core::testing;

namespace {
std::string body(std::size_t n, char c = 'x') { return std::string(n, c); }

std::size_t total(const Service& s) {
  std::size_t n = 0;
  for (const auto& [jid, r] : s.rooms) n += r.history.bytes();
  return n;
}
}  // namespace

TEST_CASE("history bytes: counted per entry, kept as entries come and go") {
  History h;
  HistoryEntry e{"nick", "oid", "a@b/c", "<body>x</body>", "id1", 1};
  h.push_back(e);
  CHECK(h.bytes() == counted_bytes(e));
  CHECK(counted_bytes(e) == 4 + 3 + 5 + 14 + 3);
  h.push_back(e);
  h.pop_front();
  CHECK(h.bytes() == counted_bytes(e));
  h.clear();
  CHECK(h.bytes() == 0);
  CHECK(h.empty());
}

TEST_CASE("history bytes: a room keeps the newest messages within its byte bound") {
  World w = World::with_alice_and_bob();
  w.cfg.history.room_bytes = 3000;
  for (int i = 0; i < 10; ++i) REQUIRE(w.say("alice@example.com/a", body(1000, static_cast<char>('a' + i))).ok());
  const Room& r = w.room();
  CHECK(r.history.bytes() <= 3000);
  CHECK(r.history.size() == 2);  // each entry counts 1000 + tags, nick, ids: two fit
  CHECK(r.history.back().payload == "<body>" + body(1000, 'j') + "</body>");
  // One message above the bound is relayed but not kept; the older ones go with it.
  REQUIRE(w.say("alice@example.com/a", body(5000)).ok());
  CHECK(w.room().history.empty());
  CHECK(w.replay() == w.svc);
}

TEST_CASE("history bytes: the count bound still holds, and lowering it trims at once") {
  World w = World::with_alice_and_bob();
  for (int i = 0; i < 30; ++i) REQUIRE(w.say("alice@example.com/a", "m").ok());
  CHECK(w.room().history.size() == 20);
  ConfigChange c;
  c.history_length = 4;
  REQUIRE(w.configure("owner@example.com/desk", c).ok());
  CHECK(w.room().history.size() == 4);
  std::size_t counted = 0;
  for (const auto& h : w.room().history) counted += counted_bytes(h);
  CHECK(w.room().history.bytes() == counted);
  CHECK(w.replay() == w.svc);
}

TEST_CASE("history bytes: the service bound drops the oldest entries of any room, down to 7/8") {
  World w;
  w.cfg.history = HistoryLimits{.room_bytes = 0, .total_bytes = 10000};
  const std::string rooms[] = {"r1@rooms.test", "r2@rooms.test", "r3@rooms.test"};
  for (const auto& room : rooms) {
    REQUIRE(w.join("owner@example.com/desk", "owner", {}, room).ok());
    REQUIRE(w.configure("owner@example.com/desk", {}, room).ok());
  }
  // r1 speaks first: its entries are the oldest and go first.
  for (int i = 0; i < 4; ++i) REQUIRE(w.say("owner@example.com/desk", body(1000), rooms[0]).ok());
  for (int i = 0; i < 4; ++i) REQUIRE(w.say("owner@example.com/desk", body(1000), rooms[1]).ok());
  CHECK(total(w.svc) <= 10000);
  std::size_t before = total(w.svc);
  for (int i = 0; i < 4; ++i) REQUIRE(w.say("owner@example.com/desk", body(1000), rooms[2]).ok());
  CHECK(total(w.svc) <= 10000);
  CHECK(total(w.svc) >= before / 2);
  CHECK(w.room(rooms[2]).history.size() == 4);   // the newest room keeps all of its own
  CHECK(w.room(rooms[0]).history.size() < 4);    // the oldest room paid
  CHECK(w.replay() == w.svc);
  // The kept total is the real one, also after a room goes.
  REQUIRE(w.run(DestroyRoom{kOwner, rooms[1], "bye", ""}).ok());
  CHECK(detail::history_total(w.svc) == total(w.svc));
  CHECK(w.replay() == w.svc);
}

TEST_CASE("history bytes: a service put together without apply() is counted when first needed") {
  World w = World::with_alice_and_bob();
  for (int i = 0; i < 5; ++i) REQUIRE(w.say("alice@example.com/a", body(100)).ok());
  Service restored;  // as a restore assembles it: rooms moved in, no total known
  restored.rooms = w.svc.rooms;
  restored.jid_by_room_id = w.svc.jid_by_room_id;
  CHECK_FALSE(restored.history_total.bytes.has_value());
  CHECK(detail::history_total(restored) == total(w.svc));
}

TEST_CASE("history bytes: live state equals replay under tight bounds across rooms") {
  World w;
  w.cfg.history = HistoryLimits{.room_bytes = 700, .total_bytes = 1500};
  const std::string rooms[] = {"a@rooms.test", "b@rooms.test"};
  for (const auto& room : rooms) {
    REQUIRE(w.join("owner@example.com/desk", "owner", {}, room).ok());
    REQUIRE(w.configure("owner@example.com/desk", {}, room).ok());
  }
  for (int i = 0; i < 40; ++i) {
    REQUIRE(w.say("owner@example.com/desk", body(static_cast<std::size_t>(50 + (i * 37) % 300)), rooms[i % 2]).ok());
    CHECK(total(w.svc) <= 1500);
    for (const auto& room : rooms) CHECK(w.room(room).history.bytes() <= 700);
  }
  CHECK(w.replay() == w.svc);
  // Replayed with other bounds, the history differs: the bounds are part of replaying.
  Service other;
  for (const Event& e : w.log) apply(other, e);  // the defaults
  CHECK_FALSE(other == w.svc);
}
