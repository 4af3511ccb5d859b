// Look-alike nicks: the skeleton (core/nick_skeleton.hpp) and the conflict it gives on join
// and nick change, per user: one user's own look-alike nicks stay allowed.
#include "core/nick_skeleton.hpp"
#include "support.hpp"

using namespace mucstream::core;
using namespace mucstream::core::testing;

namespace {
const char* const kLookAlikes[] = {
    "\xd0\xb0lice",     // Cyrillic small a (U+0430) + "lice"
    "alice\xc2\xa0",    // NO-BREAK SPACE at the end
    "\xc2\xa0" "alice",  // and at the start
    "ALICE",
    "a\xcc\x81lice",    // a + COMBINING ACUTE ACCENT
    "\xc3\xa1lice",     // precomposed a with acute
    "\xef\xbd\x81lice",  // FULLWIDTH LATIN SMALL LETTER A
};
}  // namespace

TEST_CASE("nick skeleton: look-alikes of alice map to alice's skeleton") {
  const std::string alice = nick_skeleton("alice");
  CHECK(alice == "alice");
  for (std::size_t i = 0; i < std::size(kLookAlikes); ++i) {
    CAPTURE(kLookAlikes[i]);
    CHECK(nick_skeleton(kLookAlikes[i]) == alice);
  }
  CHECK(nick_skeleton("Al  ice") == nick_skeleton("al ice"));   // inner runs of spaces collapse
  CHECK(nick_skeleton("Al\xe2\x80\x83ice") == nick_skeleton("al ice"));  // EM SPACE is a space
  CHECK(nick_skeleton("rnallory") == nick_skeleton("mallory"));  // UTS #39: rn looks like m
  CHECK(nick_skeleton("b0b") == nick_skeleton("bob"));
}

TEST_CASE("nick skeleton: different names stay different, and the result is stable") {
  CHECK(nick_skeleton("alice") != nick_skeleton("alicia"));
  CHECK(nick_skeleton("bob") != nick_skeleton("rob"));
  CHECK(nick_skeleton("\xe6\x9d\x8e") != nick_skeleton("\xe7\x8e\x8b"));  // two CJK names
  CHECK(nick_skeleton("x") == nick_skeleton("x"));
  // Bytes that are not UTF-8 never reach here (resourceprep refuses them), but must not crash.
  CHECK_NOTHROW(nick_skeleton(std::string("\xff\xfe", 2)));
  CHECK(nick_skeleton("") == "");
}

TEST_CASE("join: a look-alike of another user's nick is refused with conflict, state unchanged") {
  World w;
  w.instant_room();
  REQUIRE(w.join("alice@example.com/a", "alice").ok());
  for (std::size_t i = 0; i < std::size(kLookAlikes); ++i) {
    CAPTURE(kLookAlikes[i]);
    const Service before = w.svc;
    Decision d = w.join("mallory@example.com/m", kLookAlikes[i]);
    CHECK(condition(d) == ErrorCondition::conflict);
    CHECK(d.error->type == ErrorType::cancel);
    CHECK(d.events.empty());
    CHECK(w.svc == before);
  }
  // The same way round: the look-alike first, then the real name.
  REQUIRE(w.join("eve@example.com/e", "b\xd0\xbe" "b").ok());  // Cyrillic o
  CHECK(condition(w.join("bob@example.com/b", "bob")) == ErrorCondition::conflict);
  // Unrelated names pass, and the nick shown is what the user sent.
  Decision ok = w.join("mallory@example.com/m", "Mall\xc3\xb6ry");
  REQUIRE(ok.ok());
  CHECK(w.room().occupant_by_nick("Mall\xc3\xb6ry") != nullptr);
  CHECK(w.replay() == w.svc);
}

TEST_CASE("join: a user's own look-alike nicks are not a conflict with themselves") {
  World w;
  w.instant_room();
  REQUIRE(w.join("alice@example.com/a", "alice").ok());
  // A second resource of the same user under a look-alike nick: the user cannot spoof themself.
  CHECK(w.join("alice@example.com/phone", "Alice").ok());
  // Once alice has left, the name is free for someone else.
  REQUIRE(w.leave("alice@example.com/a").ok());
  REQUIRE(w.leave("alice@example.com/phone").ok());
  CHECK(w.join("mallory@example.com/m", "ALICE").ok());
  CHECK(w.replay() == w.svc);
}

TEST_CASE("nick change: to a look-alike of another user's nick is refused with conflict") {
  World w = World::with_alice_and_bob();
  for (const char* n : {"\xd0\xb0lice", "ALICE", "a\xcc\x81lice", "alice\xc2\xa0"}) {
    CAPTURE(n);
    const Service before = w.svc;
    CHECK(condition(w.run(ChangeNick{jid("bob@example.com/b"), kRoom, n})) == ErrorCondition::conflict);
    CHECK(w.svc == before);
  }
  // alice may change to a variant of her own nick; bob to an unrelated one.
  REQUIRE(w.run(ChangeNick{jid("alice@example.com/a"), kRoom, "Alice"}).ok());
  REQUIRE(w.run(ChangeNick{jid("bob@example.com/b"), kRoom, "robert"}).ok());
  // The old skeleton is free once renamed: bob's old name can be taken.
  CHECK(w.join("carol@example.com/c", "BOB").ok());
  CHECK(condition(w.join("dave@example.com/d", "R\xd0\xbe" "bert")) == ErrorCondition::conflict);
  CHECK(w.replay() == w.svc);
  const Room& r = w.room();
  CHECK(r.nick_by_skeleton.nicks.size() == r.occupants.size());
}

TEST_CASE("look-alike check: a room without its index (as a snapshot restores it) still finds look-alikes") {
  World w = World::with_alice_and_bob();
  Room& r = w.svc.rooms.at(kRoom);
  r.nick_by_skeleton.nicks.clear();  // what decode_room leaves
  CHECK(condition(w.join("mallory@example.com/m", "\xd0\xb0lice")) == ErrorCondition::conflict);
  REQUIRE(w.join("carol@example.com/c", "carol").ok());  // apply() rebuilds the index first
  CHECK(w.room().nick_by_skeleton.nicks.size() == w.room().occupants.size());
  CHECK(condition(w.join("mallory@example.com/m", "CAROL")) == ErrorCondition::conflict);
}
