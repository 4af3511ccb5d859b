// Ghosts: a session whose client is gone leaves with reason "ghost"; the others see 333.
#include "support.hpp"

using namespace mucstream::core;
using namespace mucstream::core::testing;

TEST_CASE("ghost: the session leaves with reason ghost, the others get unavailable presence with 333, not the ghost") {
  World w = World::with_alice_and_bob();
  Decision d = w.run(RemoveGhost{kRoom, "alice@example.com/a"});
  REQUIRE(d.ok());
  REQUIRE(types(d) == std::vector{EventType::occupant_left});
  CHECK(std::get<data::OccupantLeft>(d.events[0].data).reason == "ghost");
  CHECK(std::get<data::OccupantLeft>(d.events[0].data).nick == "alice");
  auto ps = presences(d);
  REQUIRE(ps.size() == 2);  // owner and bob; nothing to the ghost
  for (const PresenceOut* p : ps) {
    CHECK(p->to != "alice@example.com/a");
    CHECK_FALSE(p->available);
    CHECK(p->nick == "alice");
    CHECK(has_status(*p, status::kRemovedByError));
    CHECK_FALSE(has_status(*p, status::kSelf));
  }
  CHECK(w.room().occupant_by_nick("alice") == nullptr);
  CHECK(w.replay() == w.svc);
  // Unknown sessions and rooms: nothing, no error.
  CHECK(w.run(RemoveGhost{kRoom, "alice@example.com/a"}).events.empty());
  CHECK(w.run(RemoveGhost{kRoom, "alice@example.com/a"}).ok());
  CHECK(w.run(RemoveGhost{"nope@rooms.test", "bob@example.com/b"}).events.empty());
}

TEST_CASE("ghost: one of two sessions sharing a nick goes quietly, the last ghost out of a temporary room closes it") {
  World w;
  w.instant_room();
  REQUIRE(w.join("alice@example.com/a", "alice").ok());
  REQUIRE(w.join("alice@example.com/b", "alice").ok());
  Decision one = w.run(RemoveGhost{kRoom, "alice@example.com/a"});
  CHECK(types(one) == std::vector{EventType::occupant_left});
  CHECK(one.deliveries.empty());
  REQUIRE(w.room().occupant_by_nick("alice") != nullptr);
  CHECK(w.room().occupant_by_nick("alice")->sessions.size() == 1);
  REQUIRE(w.leave("alice@example.com/b").ok());
  Decision last = w.run(RemoveGhost{kRoom, "owner@example.com/desk"});
  CHECK(types(last) == std::vector{EventType::occupant_left, EventType::room_destroyed});
  CHECK(last.deliveries.empty());
  CHECK(w.svc.find(kRoom) == nullptr);
}
