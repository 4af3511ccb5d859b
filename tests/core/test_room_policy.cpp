// Who may create a room by joining (rooms.only_admins_create with rooms.admins) and whether
// a new room starts locked until its owner configures it (rooms.lock_new_rooms, XEP-0045
// §10.1; Prosody's muc_room_locking).
#include "support.hpp"

using namespace mucstream::core;
using namespace mucstream::core::testing;

namespace {
const PresenceOut* self_presence(const Decision& d, const std::string& to) {
  for (const PresenceOut* p : presences(d))
    if (p->to == to && has_status(*p, status::kSelf)) return p;
  return nullptr;
}
}  // namespace

TEST_CASE("room policy: by default a new room is locked until its owner configures it") {
  World w;
  Decision created = w.join("owner@example.com/desk", "owner");
  REQUIRE(created.ok());
  CHECK(std::get<data::RoomCreated>(created.events.front().data).awaiting_configuration);
  CHECK(w.room().awaiting_configuration);
  Decision refused = w.join("alice@example.com/a", "alice");
  CHECK(condition(refused) == ErrorCondition::item_not_found);
  REQUIRE(w.configure("owner@example.com/desk", {}).ok());  // the instant room
  CHECK(w.join("alice@example.com/a", "alice").ok());
}

TEST_CASE("room policy: with lock_new_rooms off a new room is open at once, still announced as created") {
  World w;
  w.cfg.lock_new_rooms = false;
  Decision created = w.join("owner@example.com/desk", "owner");
  REQUIRE(created.ok());
  CHECK_FALSE(std::get<data::RoomCreated>(created.events.front().data).awaiting_configuration);
  CHECK_FALSE(w.room().awaiting_configuration);
  const PresenceOut* self = self_presence(created, "owner@example.com/desk");
  REQUIRE(self != nullptr);
  CHECK(has_status(*self, status::kRoomCreated));  // 201, as Prosody sends either way
  // Others enter without waiting for the owner's form.
  CHECK(w.join("alice@example.com/a", "alice").ok());
  // A client that still submits the instant-room form changes nothing and is not refused.
  Decision instant = w.configure("owner@example.com/desk", {});
  CHECK(instant.ok());
  CHECK(instant.events.empty());
  // Replaying the log gives the same open room.
  CHECK(w.replay() == w.svc);
}

TEST_CASE("room policy: only listed admins create rooms by joining when creation is restricted") {
  World w;
  w.cfg.only_admins_create_rooms = true;
  w.cfg.admins = {"alice@example.com"};
  CHECK(condition(w.join("bob@example.com/b", "bob")) == ErrorCondition::not_allowed);
  CHECK(w.svc.rooms.empty());
  // Any resource of a listed bare JID may create.
  Decision created = w.join("alice@example.com/phone", "alice");
  REQUIRE(created.ok());
  CHECK(std::get<data::RoomCreated>(created.events.front().data).creator == "alice@example.com");
  CHECK(w.room().affiliation_of("alice@example.com") == Affiliation::owner);
  // The listed admin gains nothing else: bob joins the configured room as anyone would, and
  // creating another room stays refused to him.
  REQUIRE(w.configure("alice@example.com/phone", {}).ok());
  CHECK(w.join("bob@example.com/b", "bob").ok());
  CHECK(condition(w.join("bob@example.com/b", "bob", std::nullopt, "other@rooms.test")) == ErrorCondition::not_allowed);
  CHECK(w.room().affiliation_of("bob@example.com") == Affiliation::none);
}

TEST_CASE("room policy: the admin list means nothing while creation is open, and the room cap still holds") {
  World open;
  open.cfg.admins = {"alice@example.com"};
  CHECK(open.join("bob@example.com/b", "bob").ok());

  World full;
  full.cfg.only_admins_create_rooms = true;
  full.cfg.admins = {"alice@example.com"};
  full.cfg.max_rooms = 1;
  REQUIRE(full.join("alice@example.com/a", "alice").ok());
  CHECK(condition(full.join("alice@example.com/a", "alice", std::nullopt, "other@rooms.test")) ==
        ErrorCondition::resource_constraint);
}
