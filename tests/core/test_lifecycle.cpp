// XEP-0308 corrections, XEP-0424 retractions by the author, XEP-0425 moderation: who may,
// which ids name a message, what the room remembers and shows newcomers afterwards.
#include "support.hpp"

using namespace mucstream::core;
using namespace mucstream::core::testing;

namespace {

const char* kAlice = "alice@example.com/a";
const char* kBob = "bob@example.com/b";
const char* kOwnerJid = "owner@example.com/desk";

// alice says `text` with client id `client_id`; returns the room's stanza-id for it.
std::string say(World& w, const std::string& text, const std::string& client_id, const char* who = kAlice) {
  SendGroupchat g{jid(who), kRoom, "<body>" + text + "</body>", true};
  g.client_id = client_id;
  Decision d = w.run(g);
  REQUIRE(d.ok());
  REQUIRE(d.events.size() == 1);
  return d.events[0].id;
}

Decision correct(World& w, const char* who, const std::string& id, const std::string& text,
                 std::optional<std::string> client_id = std::nullopt) {
  SendGroupchat g{jid(who), kRoom, "<body>" + text + "</body><replace xmlns='urn:xmpp:message-correct:0' id='" + id + "'/>",
                  true};
  g.client_id = std::move(client_id);
  g.replaces = id;
  return w.run(g);
}

Decision retract(World& w, const char* who, const std::string& id) {
  return w.run(RetractMessage{Requester::user(jid(who)), kRoom, id, false, {},
                              "<retract xmlns='urn:xmpp:message-retract:1' id='" + id + "'/><body>retracted</body>"});
}

Decision moderate(World& w, Requester by, const std::string& id, std::string reason = "spam") {
  return w.run(RetractMessage{std::move(by), kRoom, id, true, std::move(reason), {}});
}

bool history_has(const World& w, const std::string& stanza_id) {
  for (const auto& h : w.room().history)
    if (h.stanza_id == stanza_id) return true;
  return false;
}

}  // namespace

TEST_CASE("correction: the author corrects by client id or stanza-id, the event names the original") {
  World w = World::with_alice_and_bob();
  const std::string original = say(w, "helo", "c1");
  for (const std::string& id : {std::string("c1"), original}) {
    Decision d = correct(w, kAlice, id, "hello", "c2");
    REQUIRE(d.ok());
    REQUIRE(types(d) == std::vector{EventType::message_corrected});
    const auto& c = std::get<data::MessageCorrected>(d.events[0].data);
    CHECK(c.target == original);
    CHECK(c.nick == "alice");
    CHECK(c.jid == kAlice);
    CHECK(c.client_id == std::optional<std::string>("c2"));
    auto ms = messages(d);
    REQUIRE(ms.size() == 1);
    CHECK(ms[0]->kind == MessageKind::groupchat);
    CHECK(ms[0]->to.size() == 3);  // everyone, the author included
    CHECK(ms[0]->stanza_id == d.events[0].id);  // its own stanza-id, not the original's
    CHECK(ms[0]->payload.find("<body>hello</body>") != std::string::npos);
  }
  // Newcomers see the current text under the original's stanza-id.
  REQUIRE(w.room().history.size() == 1);
  CHECK(w.room().history.back().stanza_id == original);
  CHECK(w.room().history.back().payload.find("<body>hello</body>") != std::string::npos);
}

TEST_CASE("correction: a correction of the correction still corrects the original") {
  World w = World::with_alice_and_bob();
  const std::string original = say(w, "one", "c1");
  Decision first = correct(w, kAlice, "c1", "two", "c2");
  REQUIRE(first.ok());
  Decision by_client_id = correct(w, kAlice, "c2", "three", "c3");
  REQUIRE(by_client_id.ok());
  CHECK(std::get<data::MessageCorrected>(by_client_id.events[0].data).target == original);
  Decision by_stanza_id = correct(w, kAlice, first.events[0].id, "four");
  REQUIRE(by_stanza_id.ok());
  CHECK(std::get<data::MessageCorrected>(by_stanza_id.events[0].data).target == original);
  CHECK(w.room().history.back().payload.find("four") != std::string::npos);
}

TEST_CASE("correction: someone else's message is forbidden, an unknown id is item-not-found, nothing changes") {
  World w = World::with_alice_and_bob();
  const std::string original = say(w, "mine", "c1");
  const Room before = w.room();
  CHECK(condition(correct(w, kBob, original, "yours now")) == ErrorCondition::forbidden);
  CHECK(condition(correct(w, kBob, "c1", "yours now")) == ErrorCondition::forbidden);  // alice's client id
  CHECK(condition(correct(w, kOwnerJid, original, "moderators do not edit")) == ErrorCondition::forbidden);
  CHECK(condition(correct(w, kAlice, "no-such-id", "x")) == ErrorCondition::item_not_found);
  CHECK(condition(correct(w, "eve@example.com/e", original, "x")) == ErrorCondition::not_acceptable);
  CHECK(w.room().history == before.history);
  CHECK(w.room().recent == before.recent);
}

TEST_CASE("correction: bob's own client id that alice also used names bob's message, not alice's") {
  World w = World::with_alice_and_bob();
  say(w, "alice's", "same");
  const std::string bobs = say(w, "bob's", "same", kBob);
  Decision d = correct(w, kBob, "same", "bob's, corrected");
  REQUIRE(d.ok());
  CHECK(std::get<data::MessageCorrected>(d.events[0].data).target == bobs);
}

TEST_CASE("correction: the same user from another resource, after rejoining, may correct") {
  World w = World::with_alice_and_bob();
  const std::string original = say(w, "typo", "c1");
  REQUIRE(w.leave(kAlice).ok());
  REQUIRE(w.join("alice@example.com/phone", "alice2").ok());
  CHECK(correct(w, "alice@example.com/phone", original, "fixed").ok());
}

TEST_CASE("retraction: the author retracts, the tombstone goes to everyone, newcomers never see the message") {
  World w = World::with_alice_and_bob();
  const std::string keep = say(w, "keep", "k");
  const std::string gone = say(w, "oops", "c1");
  Decision d = retract(w, kAlice, gone);
  REQUIRE(d.ok());
  REQUIRE(types(d) == std::vector{EventType::message_retracted});
  const auto& r = std::get<data::MessageRetracted>(d.events[0].data);
  CHECK(r.target == gone);
  CHECK_FALSE(r.moderated);
  auto ms = messages(d);
  REQUIRE(ms.size() == 1);
  CHECK(ms[0]->to.size() == 3);
  CHECK(ms[0]->nick == "alice");
  CHECK(ms[0]->stanza_id == d.events[0].id);
  CHECK(ms[0]->payload.find("urn:xmpp:message-retract:1") != std::string::npos);
  CHECK_FALSE(history_has(w, gone));
  CHECK(history_has(w, keep));
  Decision join = w.join("carol@example.com/c", "carol");
  for (const MessageOut* m : messages(join)) CHECK(m->stanza_id != gone);
  // Gone means gone: it can be neither retracted again nor corrected.
  CHECK(condition(retract(w, kAlice, gone)) == ErrorCondition::item_not_found);
  CHECK(condition(correct(w, kAlice, "c1", "x")) == ErrorCondition::item_not_found);
}

TEST_CASE("retraction: nobody retracts someone else's message as an author, not even a moderator") {
  World w = World::with_alice_and_bob();
  const std::string id = say(w, "mine", "c1");
  CHECK(condition(retract(w, kBob, id)) == ErrorCondition::forbidden);
  CHECK(condition(retract(w, kOwnerJid, id)) == ErrorCondition::forbidden);
  CHECK(history_has(w, id));
}

TEST_CASE("moderation: a moderator retracts anyone's message with a reason, participants may not") {
  World w = World::with_alice_and_bob();
  const std::string id = say(w, "spam spam", "c1");
  CHECK(condition(moderate(w, Requester::user(jid(kBob)), id)) == ErrorCondition::forbidden);
  CHECK(condition(moderate(w, Requester::user(jid(kAlice)), id)) == ErrorCondition::forbidden);  // even their own
  CHECK(history_has(w, id));
  Decision d = moderate(w, Requester::user(jid(kOwnerJid)), id, "No spam");
  REQUIRE(d.ok());
  REQUIRE(types(d) == std::vector{EventType::message_retracted});
  const auto& r = std::get<data::MessageRetracted>(d.events[0].data);
  CHECK(r.target == id);
  CHECK(r.moderated);
  CHECK(r.by == std::optional<std::string>("owner@example.com"));
  CHECK(r.by_nick == std::optional<std::string>("owner"));
  CHECK(r.reason == "No spam");
  CHECK(d.events[0].actor == w.room().occupant_by_nick("owner")->sessions[0].id);
  auto ms = messages(d);
  REQUIRE(ms.size() == 1);
  CHECK(ms[0]->kind == MessageKind::moderation);
  CHECK(ms[0]->target == id);
  CHECK(ms[0]->nick == "owner");
  CHECK(ms[0]->reason == "No spam");
  CHECK(ms[0]->to.size() == 3);
  CHECK_FALSE(history_has(w, id));
  CHECK(condition(moderate(w, Requester::user(jid(kOwnerJid)), id)) == ErrorCondition::item_not_found);
}

TEST_CASE("moderation: a service administrator retracts without being in the room, unknown ids are refused") {
  World w = World::with_alice_and_bob();
  const std::string id = say(w, "bad", "c1");
  CHECK(condition(moderate(w, Requester::admin("ops"), "c1")) == ErrorCondition::item_not_found);  // client ids are not for moderators
  CHECK(condition(moderate(w, Requester::admin("ops"), w.ids.next_id(w.now))) == ErrorCondition::item_not_found);
  CHECK(condition(w.run(RetractMessage{Requester::admin("ops"), "none@rooms.test", id, true, {}, {}})) ==
        ErrorCondition::item_not_found);
  Decision d = moderate(w, Requester::admin("ops"), id, "policy");
  REQUIRE(d.ok());
  const auto& r = std::get<data::MessageRetracted>(d.events[0].data);
  CHECK(r.by == std::optional<std::string>("admin:ops"));
  CHECK_FALSE(r.by_nick.has_value());
  CHECK(d.events[0].actor.empty());
  CHECK(messages(d).at(0)->nick.empty());  // from the room itself
}

TEST_CASE("recent messages: bounded per room, beyond, authors cannot correct, moderators may retract from the archive") {
  World w = World::with_alice_and_bob();
  w.cfg.history.recent_per_room = 3;
  const std::string before_room = w.ids.next_id(w.now - 3'600'000);  // an id older than the room
  const std::string oldest = say(w, "1", "c1");
  for (int i = 2; i <= 4; ++i) say(w, std::to_string(i), "c" + std::to_string(i));
  CHECK(w.room().recent.size() == 3);
  CHECK(condition(correct(w, kAlice, oldest, "x")) == ErrorCondition::item_not_found);
  CHECK(condition(correct(w, kAlice, "c1", "x")) == ErrorCondition::item_not_found);
  CHECK(condition(moderate(w, Requester::user(jid(kOwnerJid)), before_room)) == ErrorCondition::item_not_found);
  CHECK(condition(moderate(w, Requester::user(jid(kOwnerJid)), "not-a-uuid")) == ErrorCondition::item_not_found);
  Decision d = moderate(w, Requester::user(jid(kOwnerJid)), oldest);
  REQUIRE(d.ok());
  CHECK(std::get<data::MessageRetracted>(d.events[0].data).target == oldest);
}

TEST_CASE("recent messages: kept when the room keeps no history") {
  ConfigChange c;
  c.history_length = 0;
  World w = World::with_alice_and_bob(c);
  const std::string id = say(w, "typo", "c1");
  CHECK(w.room().history.empty());
  CHECK(correct(w, kAlice, id, "fixed").ok());
  CHECK(retract(w, kAlice, id).ok());
}

TEST_CASE("lifecycle: replaying the log rebuilds the same rooms, history and recent messages included") {
  World w = World::with_alice_and_bob();
  w.cfg.history.recent_per_room = 4;
  const std::string a = say(w, "a", "ca");
  const std::string b = say(w, "b", "cb", kBob);
  REQUIRE(correct(w, kAlice, "ca", "a2", "ca2").ok());
  say(w, "c", "cc");
  REQUIRE(retract(w, kBob, b).ok());
  say(w, "d", "cd");
  say(w, "e", "ce");
  REQUIRE(moderate(w, Requester::admin("ops"), a).ok());
  Service replayed = w.replay();
  CHECK(replayed == w.svc);
  CHECK(replayed.find(kRoom)->recent == w.room().recent);
  // a was trimmed, then moderated from the archive (its correction went with it); b retracted.
  CHECK(w.room().recent.size() == 3);
}
