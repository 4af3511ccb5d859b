// Who may read a room's archive, and what the check puts into the query.
#include "core/archive_access.hpp"
#include "tests/core/support.hpp"

using namespace mucstream::core;
using namespace mucstream::core::testing;

namespace {

std::variant<ArchiveGrant, Error> access(const World& w, std::string_view who) {
  return check_archive_access(w.svc, kRoom, jid(who));
}

std::string refusal(const std::variant<ArchiveGrant, Error>& r) {
  if (std::holds_alternative<ArchiveGrant>(r)) return "granted";
  return std::string(to_string(std::get<Error>(r).condition));
}

bool real_jids(const std::variant<ArchiveGrant, Error>& r) {
  REQUIRE(std::holds_alternative<ArchiveGrant>(r));
  return std::get<ArchiveGrant>(r).real_jids;
}

void affiliate(World& w, std::string_view who, Affiliation a) {
  REQUIRE(w.run(SetAffiliation{kOwner, kRoom, jid(who), a, {}}).ok());
}

}  // namespace

TEST_CASE("archive access: an open room's archive is anyone's but the banned, no room is item-not-found") {
  World w = World::with_alice_and_bob();
  CHECK(refusal(access(w, "alice@example.com/a")) == "granted");
  CHECK(refusal(access(w, "stranger@example.com/x")) == "granted");
  affiliate(w, "troll@example.com", Affiliation::outcast);
  CHECK(refusal(access(w, "troll@example.com/any")) == "forbidden");
  CHECK(refusal(check_archive_access(w.svc, "nowhere@rooms.test", jid("alice@example.com/a"))) == "item-not-found");
}

TEST_CASE("archive access: members-only and locked rooms refuse non-members, members need not be in the room") {
  ConfigChange c;
  c.members_only = true;
  World w;
  w.instant_room("owner@example.com/desk", "owner", c);
  affiliate(w, "member@example.com", Affiliation::member);
  CHECK(refusal(access(w, "stranger@example.com/x")) == "forbidden");
  CHECK(refusal(access(w, "member@example.com/phone")) == "granted");
  CHECK(refusal(access(w, "owner@example.com/other")) == "granted");

  World locked = World::with_alice_and_bob();
  REQUIRE(locked.run(SetLock{kOwner, kRoom, true}).ok());
  CHECK(refusal(access(locked, "stranger@example.com/x")) == "forbidden");
  CHECK(refusal(access(locked, "alice@example.com/other-device")) == "granted");  // an occupant
}

TEST_CASE("archive access: a password room is for its occupants (and admins and owners), not for members outside") {
  ConfigChange c;
  c.password_protected = true;
  c.password = "secret";
  World w;
  w.instant_room("owner@example.com/desk", "owner", c);
  REQUIRE(w.join("alice@example.com/a", "alice", "secret").ok());
  affiliate(w, "member@example.com", Affiliation::member);
  affiliate(w, "admin@example.com", Affiliation::admin);
  CHECK(refusal(access(w, "stranger@example.com/x")) == "forbidden");
  CHECK(refusal(access(w, "member@example.com/x")) == "forbidden");
  CHECK(refusal(access(w, "alice@example.com/a")) == "granted");
  CHECK(refusal(access(w, "alice@example.com/another-resource")) == "granted");
  CHECK(refusal(access(w, "admin@example.com/x")) == "granted");
  CHECK(refusal(access(w, "owner@example.com/desk")) == "granted");
}

TEST_CASE("archive access: a room awaiting configuration is invisible to all but its owners") {
  World w;
  REQUIRE(w.join("owner@example.com/desk", "owner").ok());
  REQUIRE(w.room().awaiting_configuration);
  CHECK(refusal(access(w, "stranger@example.com/x")) == "item-not-found");
  CHECK(refusal(access(w, "owner@example.com/desk")) == "granted");
}

TEST_CASE("archive access: real JIDs for moderators, admins and owners, or for anyone in a non-anonymous room") {
  World w = World::with_alice_and_bob();
  affiliate(w, "admin@example.com", Affiliation::admin);
  CHECK_FALSE(real_jids(access(w, "alice@example.com/a")));
  CHECK_FALSE(real_jids(access(w, "stranger@example.com/x")));
  CHECK(real_jids(access(w, "owner@example.com/desk")));  // joined: a moderator
  CHECK(real_jids(access(w, "admin@example.com/x")));     // would be a moderator on joining
  REQUIRE(w.run(SetRole{kOwner, kRoom, "bob", Role::moderator, {}}).ok());
  CHECK(real_jids(access(w, "bob@example.com/b")));

  ConfigChange anyone;
  anyone.whois = Whois::anyone;
  REQUIRE(w.configure("owner@example.com/desk", anyone).ok());
  CHECK(real_jids(access(w, "alice@example.com/a")));
  CHECK(real_jids(access(w, "stranger@example.com/x")));
}

TEST_CASE("archive query: the check fills the room id and the room's seq, and guards `with` a real JID") {
  World w = World::with_alice_and_bob();
  REQUIRE(w.say("alice@example.com/a", "one").ok());
  ArchiveQuery q;
  q.room = kRoom;
  auto g = prepare_archive_query(w.svc, jid("bob@example.com/b"), q);
  REQUIRE(std::holds_alternative<ArchiveGrant>(g));
  CHECK(q.room_id == w.room().room_id);
  CHECK(q.min_seq == static_cast<std::int64_t>(w.room().seq));
  CHECK(q.min_seq > 0);

  ArchiveQuery by_jid;
  by_jid.room = kRoom;
  by_jid.with_bare_jid = "alice@example.com";
  CHECK(refusal(prepare_archive_query(w.svc, jid("bob@example.com/b"), by_jid)) == "forbidden");
  CHECK(by_jid.room_id.empty());  // nothing filled for a refused query
  CHECK(refusal(prepare_archive_query(w.svc, jid("owner@example.com/desk"), by_jid)) == "granted");
}

TEST_CASE("archive query: ids that cannot be archive ids are item-not-found before any look-up, others are lower-cased") {
  World w = World::with_alice_and_bob();
  const std::string upper = "0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B";
  ArchiveQuery q;
  q.room = kRoom;
  q.rsm_before = upper;
  q.ids = {upper};
  REQUIRE(refusal(prepare_archive_query(w.svc, jid("bob@example.com/b"), q)) == "granted");
  CHECK(*q.rsm_before == "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
  CHECK(q.ids.front() == "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
  for (std::string bad : {"", "x", "0190a1b2c3d47e5f8a9b0c1d2e3f4a5b", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5g",
                          "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b'; drop table archive; --"}) {
    CAPTURE(bad);
    ArchiveQuery b;
    b.room = kRoom;
    b.after_id = bad;
    CHECK(refusal(prepare_archive_query(w.svc, jid("bob@example.com/b"), b)) == "item-not-found");
    ArchiveQuery i;
    i.room = kRoom;
    i.ids = {upper, bad};
    CHECK(refusal(prepare_archive_query(w.svc, jid("bob@example.com/b"), i)) == "item-not-found");
  }
  // A stranger learns nothing about ids in a room refused to them: forbidden comes first.
  ConfigChange c;
  c.members_only = true;
  REQUIRE(w.configure("owner@example.com/desk", c).ok());
  ArchiveQuery s;
  s.room = kRoom;
  s.after_id = "nonsense";
  CHECK(refusal(prepare_archive_query(w.svc, jid("stranger@example.com/x"), s)) == "forbidden");
}
