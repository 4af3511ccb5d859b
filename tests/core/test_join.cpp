// Entering rooms (XEP-0045 §7.2) and creating them (§10.1).
#include "support.hpp"

using namespace mucstream::core;
using namespace mucstream::core::testing;

TEST_CASE("join: the first occupant creates a room locked until configured (§10.1)") {
  World w;
  Decision d = w.join("Owner@Example.com/desk", "owner");
  REQUIRE(d.ok());
  CHECK(types(d) == std::vector{EventType::room_created, EventType::occupant_joined});
  CHECK(d.events[0].seq == 1);
  CHECK(d.events[1].seq == 2);
  CHECK(d.events[0].room == kRoom);
  CHECK(std::get<data::RoomCreated>(d.events[0].data).creator == "owner@example.com");
  auto ps = presences(d);
  REQUIRE(ps.size() == 1);
  CHECK(ps[0]->to == "owner@example.com/desk");
  CHECK(has_status(*ps[0], status::kSelf));
  CHECK(has_status(*ps[0], status::kLogged));  // messages are stored as events
  CHECK(has_status(*ps[0], status::kRoomCreated));
  CHECK(ps[0]->role == Role::moderator);
  CHECK(ps[0]->affiliation == Affiliation::owner);
  // The subject comes after the self-presence even when empty.
  auto ms = messages(d);
  REQUIRE(ms.size() == 1);
  CHECK(ms[0]->kind == MessageKind::subject);

  const Room& r = w.room();
  CHECK(r.awaiting_configuration);
  CHECK(r.affiliation_of("owner@example.com") == Affiliation::owner);
  // Nobody else enters until the owner configures: item-not-found (§10.1.1).
  Decision other = w.join("bob@example.com/x", "bob");
  CHECK(condition(other) == ErrorCondition::item_not_found);
  CHECK(other.error->type == ErrorType::cancel);
  CHECK(other.events.empty());
  // Accepting the default configuration (instant room) opens it.
  REQUIRE(w.configure("owner@example.com/desk", {}).ok());
  CHECK_FALSE(w.room().awaiting_configuration);
  CHECK(w.join("bob@example.com/x", "bob").ok());
}

TEST_CASE("join: existing occupants first, then the newcomer to all, self-presence last") {
  World w;
  w.instant_room();
  REQUIRE(w.join("alice@example.com/a", "alice").ok());
  Decision d = w.join("bob@example.com/b", "bob");
  REQUIRE(d.ok());
  REQUIRE(d.events.size() == 1);
  CHECK(d.events[0].type == EventType::occupant_joined);
  CHECK(std::get<data::OccupantJoined>(d.events[0].data).nick == "bob");
  CHECK(std::get<data::OccupantJoined>(d.events[0].data).role == Role::participant);
  auto ps = presences(d);
  // owner and alice to bob, bob to owner, alice and bob (the last one is bob's own).
  REQUIRE(ps.size() == 5);
  CHECK(ps[0]->to == "bob@example.com/b");
  CHECK(ps[1]->to == "bob@example.com/b");
  CHECK(ps.back()->to == "bob@example.com/b");
  CHECK(ps.back()->nick == "bob");
  CHECK(has_status(*ps.back(), status::kSelf));
  // Semi-anonymous by default: participants do not see real JIDs, the moderator does.
  for (const PresenceOut* p : ps) {
    if (p->nick == "bob" && p->to == "owner@example.com/desk") CHECK(p->real_jid == "bob@example.com/b");
    if (p->nick == "bob" && p->to == "alice@example.com/a") CHECK_FALSE(p->real_jid.has_value());
    if (p->nick == "owner" && p->to == "bob@example.com/b") CHECK_FALSE(p->real_jid.has_value());
  }
  CHECK(w.room().occupants.size() == 3);
}

TEST_CASE("join: rejections carry the XEP-0045 error conditions and change nothing") {
  World w;
  ConfigChange c;
  c.max_occupants = 3;
  w.instant_room("owner@example.com/desk", "owner", c);
  REQUIRE(w.join("alice@example.com/a", "alice").ok());

  SUBCASE("nick conflict (§7.2.9)") {
    Decision d = w.join("mallory@example.com/m", "alice");
    CHECK(condition(d) == ErrorCondition::conflict);
    CHECK(d.error->type == ErrorType::cancel);
  }
  SUBCASE("a nick differing only in case is a look-alike (conflict)") {
    CHECK(condition(w.join("mallory@example.com/m", "Alice")) == ErrorCondition::conflict);
  }
  SUBCASE("invalid nick (§7.2.9, jid-malformed)") {
    Decision d = w.join("mallory@example.com/m", "bad\x01nick");
    CHECK(condition(d) == ErrorCondition::jid_malformed);
    CHECK(d.error->type == ErrorType::modify);
  }
  SUBCASE("banned (§7.2.7, forbidden)") {
    REQUIRE(w.run(SetAffiliation{Requester::user(jid("owner@example.com/desk")), kRoom, jid("mallory@example.com"),
                                 Affiliation::outcast, "spam"})
                .ok());
    Decision d = w.join("mallory@example.com/other", "mal");
    CHECK(condition(d) == ErrorCondition::forbidden);
    CHECK(d.error->type == ErrorType::auth);
  }
  SUBCASE("members-only (§7.2.6, registration-required)") {
    ConfigChange mo;
    mo.members_only = true;
    REQUIRE(w.configure("owner@example.com/desk", mo).ok());
    Decision d = w.join("carol@example.com/c", "carol");
    CHECK(condition(d) == ErrorCondition::registration_required);
    CHECK(d.error->type == ErrorType::auth);
    REQUIRE(w.run(SetAffiliation{Requester::user(jid("owner@example.com/desk")), kRoom, jid("carol@example.com"),
                                 Affiliation::member, ""})
                .ok());
    CHECK(w.join("carol@example.com/c", "carol").ok());
  }
  SUBCASE("password (§7.2.5, not-authorized)") {
    ConfigChange pw;
    pw.password_protected = true;
    pw.password = "hunter2";
    REQUIRE(w.configure("owner@example.com/desk", pw).ok());
    CHECK(w.room().config.password_hash.find("hunter2") == std::string::npos);
    Decision none = w.join("carol@example.com/c", "carol");
    CHECK(condition(none) == ErrorCondition::not_authorized);
    CHECK(none.error->type == ErrorType::auth);
    CHECK(condition(w.join("carol@example.com/c", "carol", "wrong")) == ErrorCondition::not_authorized);
    CHECK(w.join("carol@example.com/c", "carol", "hunter2").ok());
  }
  SUBCASE("max occupants (§7.2.10, service-unavailable wait) — owners and admins still enter") {
    REQUIRE(w.join("bob@example.com/b", "bob").ok());
    Decision d = w.join("carol@example.com/c", "carol");
    CHECK(condition(d) == ErrorCondition::service_unavailable);
    CHECK(d.error->type == ErrorType::wait);
    REQUIRE(w.run(SetAffiliation{Requester::user(jid("owner@example.com/desk")), kRoom, jid("dave@example.com"),
                                 Affiliation::admin, ""})
                .ok());
    CHECK(w.join("dave@example.com/d", "dave").ok());
    // Another session of a user already in the room takes no extra place.
    CHECK(w.join("bob@example.com/phone", "bob").ok());
  }
  SUBCASE("talky lock: only owners, admins and members get in (not-allowed)") {
    REQUIRE(w.run(SetLock{Requester::user(jid("owner@example.com/desk")), kRoom, true}).ok());
    Decision d = w.join("carol@example.com/c", "carol");
    CHECK(condition(d) == ErrorCondition::not_allowed);
    REQUIRE(w.run(SetAffiliation{Requester::user(jid("owner@example.com/desk")), kRoom, jid("carol@example.com"),
                                 Affiliation::member, ""})
                .ok());
    CHECK(w.join("carol@example.com/c", "carol").ok());
    REQUIRE(w.run(SetLock{Requester::user(jid("owner@example.com/desk")), kRoom, false}).ok());
    REQUIRE(w.leave("carol@example.com/c").ok());  // make room under the limit of 3
    CHECK(w.join("erin@example.com/e", "erin").ok());
  }
  // Whatever was rejected, the log still rebuilds exactly the live state.
  CHECK(w.replay() == w.svc);
}

TEST_CASE("join: several sessions of one user share a nick, one leaving keeps the nick") {
  World w;
  w.instant_room();
  REQUIRE(w.join("alice@example.com/laptop", "alice").ok());
  REQUIRE(w.join("alice@example.com/phone", "alice").ok());
  const Occupant* a = w.room().occupant_by_nick("alice");
  REQUIRE(a != nullptr);
  CHECK(a->sessions.size() == 2);
  CHECK(a->sessions[0].id != a->sessions[1].id);
  Decision d = w.leave("alice@example.com/laptop");
  REQUIRE(d.ok());
  CHECK(types(d) == std::vector{EventType::occupant_left});
  auto ps = presences(d);
  REQUIRE(ps.size() == 1);  // only the leaving session hears it
  CHECK(ps[0]->to == "alice@example.com/laptop");
  CHECK_FALSE(ps[0]->available);
  CHECK(w.room().occupant_by_nick("alice")->sessions.size() == 1);
}

TEST_CASE("join: a repeated join from the same session resends the room state, no event") {
  World w;
  w.instant_room();
  REQUIRE(w.join("alice@example.com/a", "alice").ok());
  Decision d = w.join("alice@example.com/a", "alice");
  REQUIRE(d.ok());
  CHECK(d.events.empty());
  auto ps = presences(d);
  REQUIRE(ps.size() == 2);
  CHECK(has_status(*ps.back(), status::kSelf));
}

TEST_CASE("join: history respects the client's limits and comes before the subject (§7.2.15)") {
  World w;
  w.instant_room();
  for (int i = 0; i < 5; ++i) REQUIRE(w.say("owner@example.com/desk", "m" + std::to_string(i)).ok());
  REQUIRE(w.run(ChangeSubject{jid("owner@example.com/desk"), kRoom, "Today"}).ok());

  auto history_of = [](const Decision& d) {
    std::vector<std::string> out;
    for (const MessageOut* m : messages(d))
      if (m->kind == MessageKind::history) out.push_back(m->payload);
    return out;
  };
  Join j{jid("bob@example.com/b"), kRoom, "bob", {}, {}, {}};
  j.history.max_stanzas = 2;
  Decision d = w.run(j);
  CHECK(history_of(d) == std::vector<std::string>{"<body>m3</body>", "<body>m4</body>"});
  auto ms = messages(d);
  REQUIRE_FALSE(ms.empty());
  CHECK(ms.back()->kind == MessageKind::subject);
  CHECK(ms.back()->subject == "Today");
  for (const MessageOut* m : ms)
    if (m->kind == MessageKind::history) CHECK(m->time_ms > 0);

  Join none{jid("carol@example.com/c"), kRoom, "carol", {}, {}, {}};
  none.history.max_stanzas = 0;
  CHECK(history_of(w.run(none)).empty());

  Join chars{jid("dave@example.com/d"), kRoom, "dave", {}, {}, {}};
  chars.history.max_chars = 32;  // two 15-byte payloads fit, three do not
  CHECK(history_of(w.run(chars)).size() == 2);

  Join since{jid("erin@example.com/e"), kRoom, "erin", {}, {}, {}};
  since.history.since_ms = w.room().history[2].time_ms;
  CHECK(history_of(w.run(since)).size() == 2);
}

TEST_CASE("leave: the last occupant of a non-persistent room destroys it, a persistent room stays") {
  World w;
  w.instant_room();
  REQUIRE(w.join("bob@example.com/b", "bob").ok());
  REQUIRE(w.leave("bob@example.com/b").ok());
  Decision d = w.leave("owner@example.com/desk");
  CHECK(types(d) == std::vector{EventType::occupant_left, EventType::room_destroyed});
  CHECK(std::get<data::RoomDestroyed>(d.events[1].data).reason == "empty");
  CHECK(w.svc.find(kRoom) == nullptr);
  // A later join makes a new room with a new room id.
  const std::string old_id = d.events[0].room_id;
  REQUIRE(w.join("owner@example.com/desk", "owner").ok());
  CHECK(w.room().room_id != old_id);
  CHECK(w.room().seq == 2);

  ConfigChange p;
  p.persistent = true;
  REQUIRE(w.configure("owner@example.com/desk", p).ok());
  REQUIRE(w.leave("owner@example.com/desk").ok());
  CHECK(w.svc.find(kRoom) != nullptr);
  CHECK(w.room().occupants.empty());
  // Leaving twice, or a room one is not in, is ignored.
  CHECK(w.leave("owner@example.com/desk").events.empty());
  CHECK(w.leave("nobody@example.com/x", "nowhere@rooms.test").events.empty());
}

TEST_CASE("join: room creation can be restricted and bounded by the service") {
  World w;
  w.cfg.only_admins_create_rooms = true;
  Decision d = w.join("alice@example.com/a", "alice");
  CHECK(condition(d) == ErrorCondition::not_allowed);
  CHECK(w.svc.rooms.empty());
  // An administrator's pre-created room can still be entered by its owner.
  REQUIRE(w.run(CreateRoom{Requester::admin("ops"), kRoom, jid("alice@example.com"), {}}).ok());
  CHECK(w.join("alice@example.com/a", "alice").ok());

  World full;
  full.cfg.max_rooms = 1;
  REQUIRE(full.join("alice@example.com/a", "alice").ok());
  Decision second = full.join("alice@example.com/a", "alice", std::nullopt, "other@rooms.test");
  CHECK(condition(second) == ErrorCondition::resource_constraint);
  CHECK(full.svc.rooms.size() == 1);
}

TEST_CASE("join: the owner's other sessions may enter a room awaiting configuration") {
  World w;
  REQUIRE(w.join("owner@example.com/desk", "owner").ok());
  CHECK(w.join("owner@example.com/phone", "owner").ok());
  CHECK(w.room().occupant_by_nick("owner")->sessions.size() == 2);
  CHECK(w.room().awaiting_configuration);
}

TEST_CASE("join: moderated rooms seat non-members as visitors and members as participants") {
  World w;
  ConfigChange c;
  c.moderated = true;
  w.instant_room("owner@example.com/desk", "owner", c);
  REQUIRE(w.run(SetAffiliation{Requester::user(jid("owner@example.com/desk")), kRoom, jid("mem@example.com"),
                               Affiliation::member, ""})
              .ok());
  REQUIRE(w.join("mem@example.com/m", "mem").ok());
  REQUIRE(w.join("guest@example.com/g", "guest").ok());
  CHECK(w.room().occupant_by_nick("mem")->role == Role::participant);
  CHECK(w.room().occupant_by_nick("guest")->role == Role::visitor);
  CHECK(w.room().occupant_by_nick("owner")->role == Role::moderator);
}
