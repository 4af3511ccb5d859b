// Kick (§8.2), voice (§8.3-8.5), ban (§9.1), membership (§9.3-9.4), admin/owner (§10).
#include "support.hpp"

using namespace mucstream::core;
using namespace mucstream::core::testing;


TEST_CASE("kick: the occupant leaves with 307, the reason and the actor's nick") {
  World w = World::with_alice_and_bob();
  Decision d = w.run(SetRole{kOwner, kRoom, "bob", Role::none, "Behave"});
  REQUIRE(d.ok());
  REQUIRE(types(d) == std::vector{EventType::occupant_left});
  CHECK(std::get<data::OccupantLeft>(d.events[0].data).reason == "kicked");
  CHECK(std::get<data::OccupantLeft>(d.events[0].data).kick_reason == "Behave");
  auto ps = presences(d);
  REQUIRE(ps.size() == 3);
  for (const PresenceOut* p : ps) {
    CHECK_FALSE(p->available);
    CHECK(has_status(*p, status::kKicked));
    CHECK(p->reason == "Behave");
    CHECK(p->actor_nick == "owner");
    CHECK(has_status(*p, status::kSelf) == (p->to == "bob@example.com/b"));
  }
  CHECK(w.room().occupant_by_nick("bob") == nullptr);
  // A kicked user may come back (a kick is not a ban).
  CHECK(w.join("bob@example.com/b", "bob").ok());
}

TEST_CASE("kick: non-moderators, admins/owners as targets, unknown nicks") {
  World w = World::with_alice_and_bob();
  Decision by_participant = w.run(SetRole{Requester::user(jid("alice@example.com/a")), kRoom, "bob", Role::none, ""});
  CHECK(condition(by_participant) == ErrorCondition::forbidden);
  CHECK(by_participant.events.empty());
  Decision owner_target = w.run(SetRole{kOwner, kRoom, "owner", Role::none, ""});
  CHECK(condition(owner_target) == ErrorCondition::not_allowed);
  CHECK(condition(w.run(SetRole{kOwner, kRoom, "zed", Role::none, ""})) == ErrorCondition::item_not_found);
  CHECK(condition(w.run(SetRole{kOwner, "nope@rooms.test", "bob", Role::none, ""})) == ErrorCondition::item_not_found);
  // An owner acting from outside the room has no role there: it cannot kick.
  World w2 = World::with_alice_and_bob();
  REQUIRE(w2.leave("owner@example.com/desk").ok());
  CHECK(condition(w2.run(SetRole{kOwner, kRoom, "bob", Role::none, ""})) == ErrorCondition::forbidden);
  // A service administrator can.
  CHECK(w2.run(SetRole{Requester::admin("ops"), kRoom, "bob", Role::none, "maintenance"}).ok());
}

TEST_CASE("voice: moderators grant and revoke voice in a moderated room") {
  ConfigChange c;
  c.moderated = true;
  World w = World::with_alice_and_bob(c);
  CHECK(w.room().occupant_by_nick("alice")->role == Role::visitor);
  Decision grant = w.run(SetRole{kOwner, kRoom, "alice", Role::participant, "speak"});
  REQUIRE(grant.ok());
  CHECK(types(grant) == std::vector{EventType::role_changed});
  CHECK(presences(grant).size() == 3);
  for (const PresenceOut* p : presences(grant)) CHECK(p->role == Role::participant);
  CHECK(w.say("alice@example.com/a", "thanks").ok());
  REQUIRE(w.run(SetRole{kOwner, kRoom, "alice", Role::visitor, ""}).ok());
  CHECK(condition(w.say("alice@example.com/a", "again")) == ErrorCondition::forbidden);
}

TEST_CASE("moderator status: granted by admins and owners only, revoked likewise") {
  World w = World::with_alice_and_bob();
  REQUIRE(w.run(SetRole{kOwner, kRoom, "alice", Role::moderator, ""}).ok());
  CHECK(w.room().occupant_by_nick("alice")->role == Role::moderator);
  // alice (moderator, no affiliation) may kick bob but may not make him a moderator.
  Requester alice = Requester::user(jid("alice@example.com/a"));
  CHECK(condition(w.run(SetRole{alice, kRoom, "bob", Role::moderator, ""})) == ErrorCondition::forbidden);
  CHECK(w.run(SetRole{alice, kRoom, "bob", Role::none, ""}).ok());
  REQUIRE(w.run(SetRole{kOwner, kRoom, "alice", Role::participant, ""}).ok());
  CHECK(w.room().occupant_by_nick("alice")->role == Role::participant);
}

TEST_CASE("ban: outcast affiliation removes every session with 301 and keeps them out") {
  World w = World::with_alice_and_bob();
  REQUIRE(w.join("bob@example.com/phone", "bob").ok());
  Decision d = w.run(SetAffiliation{kOwner, kRoom, jid("Bob@Example.com"), Affiliation::outcast, "spam"});
  REQUIRE(d.ok());
  CHECK(types(d) ==
        std::vector{EventType::affiliation_changed, EventType::occupant_left, EventType::occupant_left});
  CHECK(std::get<data::AffiliationChanged>(d.events[0].data).jid == "bob@example.com");
  CHECK(std::get<data::AffiliationChanged>(d.events[0].data).affiliation == Affiliation::outcast);
  CHECK(d.events[0].peer.has_value());
  for (const PresenceOut* p : presences(d)) {
    CHECK_FALSE(p->available);
    CHECK(has_status(*p, status::kBanned));
    CHECK(p->affiliation == Affiliation::outcast);
  }
  CHECK(w.room().occupant_by_nick("bob") == nullptr);
  CHECK(w.room().affiliation_of("bob@example.com") == Affiliation::outcast);
  CHECK(w.room().affiliations.at("bob@example.com").reason == "spam");
  CHECK(condition(w.join("bob@example.com/other", "robert")) == ErrorCondition::forbidden);
  // Lifting the ban lets him in again.
  REQUIRE(w.run(SetAffiliation{kOwner, kRoom, jid("bob@example.com"), Affiliation::none, ""}).ok());
  CHECK(w.room().affiliations.count("bob@example.com") == 0);
  CHECK(w.join("bob@example.com/other", "bob").ok());
}

TEST_CASE("affiliations: admins manage members but not other admins, one owner always stays") {
  World w = World::with_alice_and_bob();
  REQUIRE(w.run(SetAffiliation{kOwner, kRoom, jid("alice@example.com"), Affiliation::admin, ""}).ok());
  CHECK(w.room().occupant_by_nick("alice")->role == Role::moderator);  // admins are moderators
  Requester alice = Requester::user(jid("alice@example.com/a"));
  CHECK(w.run(SetAffiliation{alice, kRoom, jid("bob@example.com"), Affiliation::member, ""}).ok());
  CHECK(condition(w.run(SetAffiliation{alice, kRoom, jid("bob@example.com"), Affiliation::admin, ""})) ==
        ErrorCondition::forbidden);
  CHECK(condition(w.run(SetAffiliation{alice, kRoom, jid("owner@example.com"), Affiliation::outcast, ""})) ==
        ErrorCondition::not_allowed);
  Requester bob = Requester::user(jid("bob@example.com/b"));
  CHECK(condition(w.run(SetAffiliation{bob, kRoom, jid("carol@example.com"), Affiliation::member, ""})) ==
        ErrorCondition::forbidden);
  // §10.8: the only owner cannot step down ...
  Decision last = w.run(SetAffiliation{kOwner, kRoom, jid("owner@example.com"), Affiliation::admin, ""});
  CHECK(condition(last) == ErrorCondition::conflict);
  CHECK(last.error->type == ErrorType::cancel);
  // ... until there is another one.
  REQUIRE(w.run(SetAffiliation{kOwner, kRoom, jid("alice@example.com"), Affiliation::owner, ""}).ok());
  CHECK(w.run(SetAffiliation{kOwner, kRoom, jid("owner@example.com"), Affiliation::admin, ""}).ok());
  CHECK(w.room().owner_count() == 1);
  // Losing admin drops moderator status.
  REQUIRE(w.run(SetAffiliation{alice, kRoom, jid("owner@example.com"), Affiliation::member, ""}).ok());
  CHECK(w.room().occupant_by_nick("owner")->role == Role::participant);
}

TEST_CASE("affiliations: revoking membership in a members-only room removes with 321") {
  ConfigChange c;
  c.members_only = true;
  World w;
  w.instant_room("owner@example.com/desk", "owner", c);
  REQUIRE(w.run(SetAffiliation{kOwner, kRoom, jid("alice@example.com"), Affiliation::member, ""}).ok());
  REQUIRE(w.join("alice@example.com/a", "alice").ok());
  Decision d = w.run(SetAffiliation{kOwner, kRoom, jid("alice@example.com"), Affiliation::none, ""});
  REQUIRE(d.ok());
  CHECK(types(d) == std::vector{EventType::affiliation_changed, EventType::occupant_left});
  for (const PresenceOut* p : presences(d)) CHECK(has_status(*p, status::kAffiliationChange));
  CHECK(w.room().occupant_by_nick("alice") == nullptr);
  CHECK(condition(w.run(SetAffiliation{kOwner, kRoom, Jid{}, Affiliation::member, ""})) ==
        ErrorCondition::jid_malformed);
}
