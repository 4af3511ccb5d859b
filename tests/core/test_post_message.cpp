// Messages the service posts into a room (POST /v1/rooms/{room}/messages): from the room
// itself, to everyone, recorded and kept in history like an occupant's.
#include "support.hpp"

using namespace mucstream::core;
using namespace mucstream::core::testing;

TEST_CASE("post message: an administrator's message goes from the room to every session and into history") {
  World w = World::with_alice_and_bob();
  Decision d = w.run(PostMessage{Requester::admin("billing"), kRoom, "<body>Maintenance at 18:00</body>"});
  REQUIRE(d.ok());
  REQUIRE(d.events.size() == 1);
  const Event& e = d.events[0];
  CHECK(e.type == EventType::message_sent);
  CHECK(e.actor.empty());
  const auto& sent = std::get<data::MessageSent>(e.data);
  CHECK(sent.nick.empty());
  CHECK(sent.jid.empty());
  CHECK(sent.by == std::optional<std::string>("admin:billing"));  // as every admin action records it
  auto ms = messages(d);
  REQUIRE(ms.size() == 1);
  CHECK(ms[0]->kind == MessageKind::groupchat);
  CHECK(ms[0]->nick.empty());  // rendered from the room's bare JID
  CHECK(ms[0]->to.size() == 3);
  CHECK(ms[0]->stanza_id == e.id);
  REQUIRE(!w.room().history.empty());
  CHECK(w.room().history.back().payload == "<body>Maintenance at 18:00</body>");
  CHECK(w.room().history.back().nick.empty());
  // Replaying the log gives the same history.
  const Service replayed = w.replay();
  REQUIRE(replayed.find(kRoom) != nullptr);
  CHECK(replayed.find(kRoom)->history.size() == w.room().history.size());
}

TEST_CASE("post message: only the service may, no room is item-not-found, an empty message is bad-request") {
  World w = World::with_alice_and_bob();
  CHECK(condition(w.run(PostMessage{Requester::user(jid("owner@example.com/desk")), kRoom, "<body>x</body>"})) ==
        ErrorCondition::forbidden);
  CHECK(condition(w.run(PostMessage{Requester::admin("ops"), "none@rooms.test", "<body>x</body>"})) ==
        ErrorCondition::item_not_found);
  CHECK(condition(w.run(PostMessage{Requester::admin("ops"), kRoom, ""})) == ErrorCondition::bad_request);
  CHECK(w.room().history.empty());
}
