// The event vocabulary and its invariants (ids, sequence numbers, replay).
#include "support.hpp"

#include <set>


using namespace mucstream::core;
using namespace mucstream::core::testing;

TEST_CASE("events: every talky type and the replay types have stable names") {
  const char* talky[] = {"room_created",        "room_destroyed",      "room_locked",         "room_unlocked",
                         "occupant_joined",     "occupant_left",       "message_sent",        "screencapture_started",
                         "screencapture_ended", "rtt_enabled",         "rtt_disabled",        "p2p_session_started",
                         "p2p_session_ended",   "p2p_session_stats",   "video_paused",        "video_resumed",
                         "audio_paused",        "audio_resumed"};
  for (const char* name : talky) {
    CAPTURE(name);
    auto t = event_type_from_string(name);
    REQUIRE(t.has_value());
    CHECK(to_string(*t) == name);
  }
  std::set<std::string_view> names;
  for (int i = 0; i < kEventTypeCount; ++i) names.insert(to_string(static_cast<EventType>(i)));
  CHECK(names.size() == static_cast<std::size_t>(kEventTypeCount));
  CHECK_FALSE(event_type_from_string("room_exploded").has_value());
}

TEST_CASE("events: ids are unique and time-ordered, seq counts 1,2,3… per room lifetime") {
  World w;
  w.instant_room();
  REQUIRE(w.join("alice@example.com/a", "alice").ok());
  for (int i = 0; i < 20; ++i) REQUIRE(w.say("alice@example.com/a", "x").ok());
  REQUIRE(w.join("bob@example.com/b", "bob", std::nullopt, "second@rooms.test").ok());
  std::set<std::string> ids;
  std::map<std::string, std::uint64_t> last_seq;
  std::string previous;
  for (const Event& e : w.log) {
    CHECK(ids.insert(e.id).second);
    CHECK(e.id > previous);
    previous = e.id;
    CHECK(e.seq == last_seq[e.room_id] + 1);
    last_seq[e.room_id] = e.seq;
    CHECK(e.time_ms > 0);
  }
  CHECK(last_seq.size() == 2);
}

TEST_CASE("events: every event names its actor session where an occupant acted") {
  World w;
  w.instant_room();
  REQUIRE(w.join("alice@example.com/a", "alice").ok());
  const std::string alice = w.room().occupant_by_nick("alice")->sessions[0].id;
  Decision said = w.say("alice@example.com/a", "hi");
  CHECK(said.events[0].actor == alice);
  CHECK_FALSE(said.events[0].peer.has_value());
  Decision left = w.leave("alice@example.com/a");
  CHECK(left.events[0].actor == alice);
  CHECK(std::get<data::OccupantLeft>(left.events[0].data).reason == "left");
}

TEST_CASE("replay: restart state is the persistent rooms with configuration, bans, subject and lock") {
  World w;
  ConfigChange c;
  c.persistent = true;
  c.name = "Kept";
  c.password_protected = true;
  c.password = "pw";
  w.instant_room("owner@example.com/desk", "owner", c);
  const Requester owner = Requester::user(jid("owner@example.com/desk"));
  REQUIRE(w.run(SetAffiliation{owner, kRoom, jid("spam@example.com"), Affiliation::outcast, "spam"}).ok());
  REQUIRE(w.run(SetAffiliation{owner, kRoom, jid("friend@example.com"), Affiliation::member, ""}).ok());
  REQUIRE(w.run(ChangeSubject{jid("owner@example.com/desk"), kRoom, "Kept subject"}).ok());
  REQUIRE(w.run(SetLock{owner, kRoom, true}).ok());
  REQUIRE(w.join("friend@example.com/f", "friend", "pw").ok());
  REQUIRE(w.join("owner@example.com/desk", "owner", std::nullopt, "temp@rooms.test").ok());

  Service replayed = w.replay();
  CHECK(replayed == w.svc);
  Service restarted = persistent_view(replayed);
  REQUIRE(restarted.rooms.size() == 1);
  const Room& r = restarted.rooms.at(kRoom);
  CHECK(r.config.name == "Kept");
  CHECK(w.crypto.verify_password("pw", r.config.password_hash));
  CHECK(r.affiliation_of("spam@example.com") == Affiliation::outcast);
  CHECK(r.affiliation_of("friend@example.com") == Affiliation::member);
  CHECK(r.subject == "Kept subject");
  CHECK(r.locked);
  CHECK(r.occupants.empty());
  CHECK(r.nick_by_session_jid.empty());
  CHECK(restarted == persistent_view(w.svc));
}

TEST_CASE("value: objects keep order, lookups fall back") {
  Value v = Value::object();
  v.set("b", 1);
  v.set("a", "x");
  v.set("b", 2);
  REQUIRE(v.as_object().size() == 2);
  CHECK(v.as_object()[0].first == "b");
  CHECK(v.get_int("b") == 2);
  CHECK(v.get_string("a") == "x");
  CHECK(v.get_string("missing", "d") == "d");
  CHECK(v.get_int("a", 7) == 7);  // wrong type: fallback
  CHECK(Value(std::int64_t{3}).as_double() == 3.0);
  CHECK(Value().find("x") == nullptr);
}
