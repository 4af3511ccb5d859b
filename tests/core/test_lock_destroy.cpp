// The talky lock, destroying a room (§10.9) and service shutdown (332).
#include "support.hpp"

using namespace mucstream::core;
using namespace mucstream::core::testing;


TEST_CASE("lock: owners lock and unlock, each an event, others may not") {
  World w;
  w.instant_room();
  REQUIRE(w.join("alice@example.com/a", "alice").ok());
  CHECK(condition(w.run(SetLock{Requester::user(jid("alice@example.com/a")), kRoom, true})) == ErrorCondition::forbidden);
  Decision d = w.run(SetLock{kOwner, kRoom, true});
  REQUIRE(d.ok());
  CHECK(types(d) == std::vector{EventType::room_locked});
  CHECK(d.events[0].actor == w.room().occupant_by_nick("owner")->sessions[0].id);
  CHECK(messages(d).size() == 1);  // occupants are told
  CHECK(w.room().locked);
  CHECK(w.run(SetLock{kOwner, kRoom, true}).events.empty());  // already locked: nothing
  // Occupants already inside stay; newcomers are refused.
  CHECK(w.say("alice@example.com/a", "still here").ok());
  CHECK(condition(w.join("bob@example.com/b", "bob")) == ErrorCondition::not_allowed);
  Decision u = w.run(SetLock{Requester::admin("ops"), kRoom, false});
  REQUIRE(u.ok());
  CHECK(types(u) == std::vector{EventType::room_unlocked});
  CHECK(std::get<data::RoomUnlocked>(u.events[0].data).by == "admin:ops");
  CHECK(w.join("bob@example.com/b", "bob").ok());
  // The owner form's lock field does the same.
  ConfigChange c;
  c.locked = true;
  Decision via_form = w.configure("owner@example.com/desk", c);
  CHECK(types(via_form) == std::vector{EventType::room_locked});
}

TEST_CASE("destroy: every occupant gets unavailable presence with the destroy reason and venue") {
  World w;
  ConfigChange p;
  p.persistent = true;
  w.instant_room("owner@example.com/desk", "owner", p);
  REQUIRE(w.join("alice@example.com/a", "alice").ok());
  CHECK(condition(w.run(DestroyRoom{Requester::user(jid("alice@example.com/a")), kRoom, "", ""})) ==
        ErrorCondition::forbidden);
  Decision d = w.run(DestroyRoom{kOwner, kRoom, "Moved", "new@rooms.test"});
  REQUIRE(d.ok());
  CHECK(types(d) == std::vector{EventType::occupant_left, EventType::occupant_left, EventType::room_destroyed});
  CHECK(std::get<data::RoomDestroyed>(d.events.back().data).reason == "Moved");
  CHECK(std::get<data::RoomDestroyed>(d.events.back().data).alternate == "new@rooms.test");
  auto ps = presences(d);
  REQUIRE(ps.size() == 2);
  for (const PresenceOut* x : ps) {
    CHECK(x->destroyed);
    CHECK(x->destroy_alternate == "new@rooms.test");
    CHECK(x->reason == "Moved");
    CHECK(x->affiliation == Affiliation::none);
  }
  CHECK(w.svc.find(kRoom) == nullptr);
  CHECK(condition(w.run(DestroyRoom{kOwner, kRoom, "", ""})) == ErrorCondition::item_not_found);
  // The persistent room stays destroyed on replay.
  CHECK(w.replay().find(kRoom) == nullptr);
}

TEST_CASE("shutdown: everyone leaves with 332, persistent rooms survive, others end") {
  World w;
  ConfigChange p;
  p.persistent = true;
  w.instant_room("owner@example.com/desk", "owner", p);
  REQUIRE(w.join("alice@example.com/a", "alice").ok());
  REQUIRE(w.join("bob@example.com/b", "bob", std::nullopt, "other@rooms.test").ok());
  Decision d = w.run(Shutdown{});
  REQUIRE(d.ok());
  CHECK(presences(d).size() == 3);
  for (const PresenceOut* x : presences(d)) CHECK(has_status(*x, status::kShutdown));
  CHECK(w.svc.find(kRoom) != nullptr);
  CHECK(w.room().occupants.empty());
  CHECK(w.svc.find("other@rooms.test") == nullptr);
  CHECK(w.replay() == w.svc);
}
