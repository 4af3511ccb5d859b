// Owner configuration (§10.2), instant rooms and cancelling (§10.1), admin-created rooms.
#include "support.hpp"

using namespace mucstream::core;
using namespace mucstream::core::testing;


TEST_CASE("configure: only owners, every field lands in the room_configured event") {
  World w;
  w.instant_room();
  REQUIRE(w.join("alice@example.com/a", "alice").ok());
  Decision denied = w.configure("alice@example.com/a", ConfigChange{});
  CHECK(condition(denied) == ErrorCondition::forbidden);
  CHECK(denied.error->type == ErrorType::auth);

  ConfigChange c;
  c.name = "Standup";
  c.description = "Daily";
  c.persistent = true;
  c.is_public = false;
  c.moderated = true;
  c.max_occupants = 50;
  c.history_length = 5;
  c.whois = Whois::anyone;
  c.occupants_may_change_subject = true;
  c.occupants_may_invite = true;
  Decision d = w.configure("owner@example.com/desk", c);
  REQUIRE(d.ok());
  REQUIRE(types(d) == std::vector{EventType::room_configured});
  RoomConfig cfg = std::get<data::RoomConfigured>(d.events[0].data).config;
  CHECK(cfg == w.room().config);
  CHECK(cfg.name == "Standup");
  CHECK(cfg.description == "Daily");
  CHECK(cfg.persistent);
  CHECK_FALSE(cfg.is_public);
  CHECK(cfg.moderated);
  CHECK(cfg.max_occupants == 50);
  CHECK(cfg.history_length == 5);
  CHECK(cfg.whois == Whois::anyone);
  // Occupants hear 104 and, as the room became non-anonymous, 172.
  auto ms = messages(d);
  REQUIRE(ms.size() == 1);
  CHECK(ms[0]->kind == MessageKind::status);
  CHECK(ms[0]->status == std::vector<int>{status::kConfigChanged, 172});
  CHECK(ms[0]->to.size() == 2);
  // Submitting the same form again changes nothing and emits nothing.
  CHECK(w.configure("owner@example.com/desk", c).events.empty());
}

TEST_CASE("configure: limits and passwords are validated") {
  World w;
  w.instant_room();
  ConfigChange big;
  big.max_occupants = w.cfg.max_occupants_limit + 1;
  CHECK(condition(w.configure("owner@example.com/desk", big)) == ErrorCondition::not_acceptable);
  ConfigChange hist;
  hist.history_length = w.cfg.max_history_length + 1;
  CHECK(condition(w.configure("owner@example.com/desk", hist)) == ErrorCondition::not_acceptable);
  ConfigChange name;
  name.name = std::string(1000, 'n');
  CHECK(condition(w.configure("owner@example.com/desk", name)) == ErrorCondition::not_acceptable);
  ConfigChange protect_without_secret;
  protect_without_secret.password_protected = true;
  CHECK(condition(w.configure("owner@example.com/desk", protect_without_secret)) == ErrorCondition::not_acceptable);

  ConfigChange pw;
  pw.password_protected = true;
  pw.password = "s3cret";
  Decision d = w.configure("owner@example.com/desk", pw);
  REQUIRE(d.ok());
  const std::string stored = w.room().config.password_hash;
  CHECK(stored.rfind("pbkdf2-sha256$", 0) == 0);
  // The clear text appears nowhere in the event.
  CHECK(std::get<data::RoomConfigured>(d.events[0].data).config.password_hash == stored);
  CHECK(stored.find("s3cret") == std::string::npos);
  // Keeping protection without resending the secret keeps the hash.
  ConfigChange keep;
  keep.password_protected = true;
  keep.name = "renamed";
  REQUIRE(w.configure("owner@example.com/desk", keep).ok());
  CHECK(w.room().config.password_hash == stored);
  ConfigChange off;
  off.password_protected = false;
  REQUIRE(w.configure("owner@example.com/desk", off).ok());
  CHECK_FALSE(w.room().config.password_protected());
}

TEST_CASE("configure: turning members-only on removes non-members with 322") {
  World w;
  w.instant_room();
  REQUIRE(w.join("alice@example.com/a", "alice").ok());
  REQUIRE(w.join("bob@example.com/b", "bob").ok());
  REQUIRE(w.run(SetAffiliation{kOwner, kRoom, jid("alice@example.com"), Affiliation::member, ""}).ok());
  ConfigChange c;
  c.members_only = true;
  Decision d = w.configure("owner@example.com/desk", c);
  REQUIRE(d.ok());
  CHECK(types(d) == std::vector{EventType::room_configured, EventType::occupant_left});
  CHECK(std::get<data::OccupantLeft>(d.events[1].data).nick == "bob");
  for (const PresenceOut* p : presences(d)) CHECK(has_status(*p, status::kMembersOnly));
  CHECK(w.room().occupant_by_nick("bob") == nullptr);
  CHECK(w.room().occupant_by_nick("alice") != nullptr);
}

TEST_CASE("configure: history length trims the kept history") {
  World w;
  w.instant_room();
  for (int i = 0; i < 10; ++i) REQUIRE(w.say("owner@example.com/desk", std::to_string(i)).ok());
  CHECK(w.room().history.size() == 10);
  ConfigChange c;
  c.history_length = 3;
  REQUIRE(w.configure("owner@example.com/desk", c).ok());
  CHECK(w.room().history.size() == 3);
  CHECK(w.room().history.front().payload == "<body>7</body>");
  ConfigChange none;
  none.history_length = 0;
  REQUIRE(w.configure("owner@example.com/desk", none).ok());
  REQUIRE(w.say("owner@example.com/desk", "gone").ok());
  CHECK(w.room().history.empty());
}

TEST_CASE("configure: cancelling the initial form destroys the new room (§10.1.3)") {
  World w;
  REQUIRE(w.join("owner@example.com/desk", "owner").ok());
  CHECK(condition(w.run(CancelConfiguration{Requester::user(jid("bob@example.com/b")), kRoom})) ==
        ErrorCondition::forbidden);
  Decision d = w.run(CancelConfiguration{kOwner, kRoom});
  REQUIRE(d.ok());
  CHECK(types(d) == std::vector{EventType::occupant_left, EventType::room_destroyed});
  CHECK(w.svc.find(kRoom) == nullptr);
  REQUIRE(presences(d).size() == 1);
  CHECK(presences(d)[0]->destroyed);
}

TEST_CASE("admin create: a pre-made persistent room owned by a named user") {
  World w;
  ConfigChange c;
  c.name = "Board";
  c.locked = true;
  Decision denied = w.run(CreateRoom{kOwner, kRoom, jid("boss@example.com"), c});
  CHECK(condition(denied) == ErrorCondition::forbidden);
  CHECK(condition(w.run(CreateRoom{Requester::admin("ops"), kRoom, Jid{}, c})) == ErrorCondition::jid_malformed);
  Decision d = w.run(CreateRoom{Requester::admin("ops"), kRoom, jid("boss@example.com"), c});
  REQUIRE(d.ok());
  CHECK(types(d) == std::vector{EventType::room_created, EventType::room_locked});
  CHECK(d.events[0].actor.empty());
  CHECK(std::get<data::RoomCreated>(d.events[0].data).by == "admin:ops");
  const Room& r = w.room();
  CHECK(r.config.persistent);
  CHECK(r.config.name == "Board");
  CHECK(r.locked);
  CHECK_FALSE(r.awaiting_configuration);
  CHECK(r.affiliation_of("boss@example.com") == Affiliation::owner);
  CHECK(condition(w.join("guest@example.com/g", "guest")) == ErrorCondition::not_allowed);
  CHECK(w.join("boss@example.com/b", "boss").ok());
  CHECK(condition(w.run(CreateRoom{Requester::admin("ops"), kRoom, jid("boss@example.com"), {}})) ==
        ErrorCondition::conflict);
}
