// Sweeps of empty and unused rooms (the admin API's destroy-empty / destroy-unused): which
// rooms are selected, and that destroying them is one decision replay reproduces.
#include "support.hpp"

using namespace mucstream::core;
using namespace mucstream::core::testing;

namespace {
constexpr std::int64_t kDay = 86'400'000;

std::vector<std::string> selected(const World& w, RoomSweep s) {
  std::vector<std::string> out;
  for (const Room* r : select_rooms(w.svc, s)) out.push_back(r->jid);
  return out;
}

// quiet: persistent, nobody ever said anything; chatty: persistent, a message, now empty;
// busy: someone is in it.
World three_rooms() {
  World w;
  ConfigChange keep;
  keep.persistent = true;
  w.instant_room("owner@example.com/desk", "owner", keep);
  REQUIRE(w.leave("owner@example.com/desk").ok());  // room@rooms.test: quiet
  REQUIRE(w.join("alice@example.com/a", "alice", std::nullopt, "chatty@rooms.test").ok());
  REQUIRE(w.configure("alice@example.com/a", keep, "chatty@rooms.test").ok());
  REQUIRE(w.say("alice@example.com/a", "hello", "chatty@rooms.test").ok());
  REQUIRE(w.leave("alice@example.com/a", "chatty@rooms.test").ok());
  REQUIRE(w.join("bob@example.com/b", "bob", std::nullopt, "busy@rooms.test").ok());
  return w;
}
}  // namespace

TEST_CASE("sweep: empty rooms are the unoccupied ones that hold no message") {
  World w = three_rooms();
  CHECK(selected(w, {RoomSweep::Kind::empty, 0, ""}) == std::vector<std::string>{"room@rooms.test"});
  // A room whose only message was retracted by its author holds none any more.
  REQUIRE(w.join("alice@example.com/a", "alice", std::nullopt, "chatty@rooms.test").ok());
  const std::string said = w.room("chatty@rooms.test").recent.begin()->stanza_id;
  RetractMessage undo{Requester::user(jid("alice@example.com/a")), "chatty@rooms.test", said, false, "", "<retract/>"};
  REQUIRE(w.run(undo).ok());
  REQUIRE(w.leave("alice@example.com/a", "chatty@rooms.test").ok());
  CHECK(w.room("chatty@rooms.test").history.empty());
  CHECK(selected(w, {RoomSweep::Kind::empty, 0, ""}) ==
        std::vector<std::string>{"chatty@rooms.test", "room@rooms.test"});
}

TEST_CASE("sweep: unused rooms are unoccupied with no message or join since the cutoff") {
  World w = three_rooms();
  const std::int64_t quiet_last = w.room("room@rooms.test").last_activity_ms;
  const std::int64_t chatty_last = w.room("chatty@rooms.test").last_activity_ms;
  REQUIRE(quiet_last < chatty_last);
  CHECK(selected(w, {RoomSweep::Kind::unused, quiet_last - 1, ""}).empty());
  CHECK(selected(w, {RoomSweep::Kind::unused, quiet_last, ""}) == std::vector<std::string>{"room@rooms.test"});
  // The occupied room is never unused, however old its last activity.
  CHECK(selected(w, {RoomSweep::Kind::unused, w.now + 30 * kDay, ""}) ==
        std::vector<std::string>{"chatty@rooms.test", "room@rooms.test"});
  // A join is activity: the quiet room is used again once someone enters, even after they leave.
  w.now += 10 * kDay;
  REQUIRE(w.join("carol@example.com/c", "carol").ok());
  REQUIRE(w.leave("carol@example.com/c").ok());
  CHECK(selected(w, {RoomSweep::Kind::unused, w.now - kDay, ""}) == std::vector<std::string>{"chatty@rooms.test"});
  // A room whose last activity is unknown (an old snapshot) is left alone.
  w.svc.rooms.at("chatty@rooms.test").last_activity_ms = 0;
  CHECK(selected(w, {RoomSweep::Kind::unused, w.now, ""}) == std::vector<std::string>{"room@rooms.test"});
}

TEST_CASE("sweep: destroying the selection is one decision by the administrator, replayed exactly") {
  World w = three_rooms();
  CHECK(condition(w.run(DestroyRooms{kOwner, {RoomSweep::Kind::empty, 0, ""}, ""})) == ErrorCondition::forbidden);
  Decision d = w.run(DestroyRooms{Requester::admin("ops"), {RoomSweep::Kind::unused, w.now, ""}, ""});
  REQUIRE(d.ok());
  REQUIRE(types(d) == std::vector{EventType::room_destroyed, EventType::room_destroyed});
  for (const Event& e : d.events) {
    const auto& how = std::get<data::RoomDestroyed>(e.data);
    CHECK(how.reason == "destroy-unused");
    CHECK(how.by == std::optional<std::string>("admin:ops"));
    CHECK(e.actor.empty());
  }
  CHECK(d.events[0].room == "chatty@rooms.test");
  CHECK(d.events[1].room == "room@rooms.test");
  CHECK(d.deliveries.empty());  // nobody was there to tell
  CHECK(w.svc.find("chatty@rooms.test") == nullptr);
  CHECK(w.svc.find("room@rooms.test") == nullptr);
  CHECK(w.svc.find("busy@rooms.test") != nullptr);
  CHECK(w.replay() == w.svc);
  // Nothing left to sweep: no events, no error.
  Decision again = w.run(DestroyRooms{Requester::admin("ops"), {RoomSweep::Kind::empty, 0, ""}, "spring cleaning"});
  CHECK(again.ok());
  CHECK(again.events.empty());
}

TEST_CASE("sweep: the operator's reason replaces the default") {
  World w = three_rooms();
  Decision d = w.run(DestroyRooms{Requester::admin("ops"), {RoomSweep::Kind::empty, 0, ""}, "spring cleaning"});
  REQUIRE(types(d) == std::vector{EventType::room_destroyed});
  CHECK(std::get<data::RoomDestroyed>(d.events[0].data).reason == "spring cleaning");
}

TEST_CASE("sweep: a sweep for one domain selects that domain's rooms only (a tenant's sweep)") {
  World w = three_rooms();
  ConfigChange keep;
  keep.persistent = true;
  REQUIRE(w.join("dave@example.com/d", "dave", std::nullopt, "quiet@rooms.other.test").ok());
  REQUIRE(w.configure("dave@example.com/d", keep, "quiet@rooms.other.test").ok());
  REQUIRE(w.leave("dave@example.com/d", "quiet@rooms.other.test").ok());
  CHECK(selected(w, {RoomSweep::Kind::empty, 0, ""}) ==
        std::vector<std::string>{"quiet@rooms.other.test", "room@rooms.test"});
  CHECK(selected(w, {RoomSweep::Kind::empty, 0, "rooms.test"}) == std::vector<std::string>{"room@rooms.test"});
  CHECK(selected(w, {RoomSweep::Kind::empty, 0, "rooms.other.test"}) ==
        std::vector<std::string>{"quiet@rooms.other.test"});
  // A domain that is a suffix of another is not that domain.
  CHECK(selected(w, {RoomSweep::Kind::empty, 0, "other.test"}).empty());
  CHECK(selected(w, {RoomSweep::Kind::unused, w.now + 30 * kDay, "rooms.other.test"}) ==
        std::vector<std::string>{"quiet@rooms.other.test"});
}
