// core::Presence: the decoder reports a presence to room/nick literally; the room decides
// whether it is a join, a presence update, a nick change or a leave (classify_presence).
#include "support.hpp"

using namespace mucstream::core;
using namespace mucstream::core::testing;

namespace {

Presence presence(std::string_view user, std::string nick, bool muc_x = false) {
  Presence p;
  p.user = jid(user);
  p.room = kRoom;
  p.nick = std::move(nick);
  p.muc_x = muc_x;
  return p;
}

}  // namespace

TEST_CASE("presence from a stranger is a join, with or without the MUC element") {
  World w = World::with_alice_and_bob();
  Presence carol = presence("carol@example.com/c", "carol");
  CHECK(classify_presence(w.svc, carol) == PresenceKind::join);
  Decision d = w.run(carol);
  REQUIRE(d.ok());
  REQUIRE(d.events.size() == 1);
  CHECK(d.events[0].type == EventType::occupant_joined);
  CHECK(w.room().occupant_by_nick("carol") != nullptr);

  Presence dave = presence("dave@example.com/d", "dave", true);
  CHECK(classify_presence(w.svc, dave) == PresenceKind::join);
  REQUIRE(w.run(dave).ok());
  CHECK(w.room().occupant_by_nick("dave") != nullptr);

  Presence fresh = presence("erin@example.com/e", "erin");
  fresh.room = "new@rooms.test";
  CHECK(classify_presence(w.svc, fresh) == PresenceKind::join);
  Decision created = w.run(fresh);
  REQUIRE(created.ok());
  CHECK(created.events.at(0).type == EventType::room_created);
}

TEST_CASE("presence from a joined session without the MUC element: update or nick change") {
  World w = World::with_alice_and_bob();
  Presence same = presence("bob@example.com/b", "bob");
  CHECK(classify_presence(w.svc, same) == PresenceKind::update);
  Decision upd = w.run(same);
  REQUIRE(upd.ok());
  CHECK(upd.events.empty());
  CHECK(presences(upd).size() == 3);  // as UpdatePresence: broadcast to everyone, no event

  Presence other = presence("bob@example.com/b", "bobby");
  CHECK(classify_presence(w.svc, other) == PresenceKind::nick_change);
  Decision renamed = w.run(other);
  REQUIRE(renamed.ok());
  REQUIRE(renamed.events.size() == 1);
  CHECK(renamed.events[0].type == EventType::nick_changed);
  CHECK(w.room().occupant_by_nick("bobby") != nullptr);
  CHECK(w.room().occupant_by_nick("bob") == nullptr);

  CHECK(condition(w.run(presence("bob@example.com/b", "alice"))) == ErrorCondition::conflict);
  CHECK(condition(w.run(presence("bob@example.com/b", ""))) == ErrorCondition::jid_malformed);
}

TEST_CASE("presence with the MUC element from a joined session: re-join (resync) or nick change") {
  World w = World::with_alice_and_bob();
  Presence again = presence("alice@example.com/a", "alice", true);
  CHECK(classify_presence(w.svc, again) == PresenceKind::join);
  Decision resync = w.run(again);
  REQUIRE(resync.ok());
  CHECK(resync.events.empty());
  CHECK_FALSE(presences(resync).empty());

  Decision renamed = w.run(presence("alice@example.com/a", "alicia", true));
  REQUIRE(renamed.ok());
  REQUIRE(renamed.events.size() == 1);
  CHECK(renamed.events[0].type == EventType::nick_changed);
}

TEST_CASE("unavailable presence is a leave, status relayed, replay agrees") {
  World w = World::with_alice_and_bob();
  Presence bye = presence("bob@example.com/b", "bob");
  bye.available = false;
  bye.status = "bye";
  CHECK(classify_presence(w.svc, bye) == PresenceKind::leave);
  Decision d = w.run(bye);
  REQUIRE(d.ok());
  REQUIRE(d.events.size() == 1);
  CHECK(d.events[0].type == EventType::occupant_left);
  CHECK(w.room().occupant_by_nick("bob") == nullptr);
  CHECK(w.replay().find(kRoom)->occupant_by_nick("bob") == nullptr);
  CHECK(w.replay().find(kRoom)->occupant_by_nick("alice") != nullptr);
}
