// Messages (§7.4), private messages (§7.5), subject (§8.1), nick change (§7.6), invitations.
#include "support.hpp"

using namespace mucstream::core;
using namespace mucstream::core::testing;


TEST_CASE("groupchat: reflected once to every session including the sender, payload untouched") {
  World w = World::with_alice_and_bob();
  REQUIRE(w.join("bob@example.com/phone", "bob").ok());
  const std::string payload = "<body>hi &amp; bye</body><encrypted xmlns='eu.siacs.conversations.axolotl'/>";
  Decision d = w.run(SendGroupchat{jid("alice@example.com/a"), kRoom, payload, true});
  REQUIRE(d.ok());
  REQUIRE(d.events.size() == 1);
  const Event& e = d.events[0];
  CHECK(e.type == EventType::message_sent);
  CHECK(e.actor == w.room().occupant_by_nick("alice")->sessions[0].id);
  CHECK(std::get<data::MessageSent>(e.data).payload == payload);
  auto ms = messages(d);
  REQUIRE(ms.size() == 1);  // one delivery, many recipients: rendered once
  CHECK(ms[0]->to.size() == 4);
  CHECK(ms[0]->payload == payload);
  CHECK(ms[0]->nick == "alice");
  CHECK(ms[0]->stanza_id == e.id);
  CHECK(w.room().history.back().payload == payload);
}

TEST_CASE("groupchat: a chat state without body is relayed but is neither event nor history") {
  World w = World::with_alice_and_bob();
  Decision d = w.run(SendGroupchat{jid("alice@example.com/a"), kRoom, "<composing xmlns='http://jabber.org/protocol/chatstates'/>", false});
  REQUIRE(d.ok());
  CHECK(d.events.empty());
  CHECK(messages(d).size() == 1);
  CHECK(w.room().history.empty());
}

TEST_CASE("groupchat: non-occupants and visitors of moderated rooms are refused") {
  ConfigChange c;
  c.moderated = true;
  World w = World::with_alice_and_bob(c);
  Decision outsider = w.say("eve@example.com/e", "hello");
  CHECK(condition(outsider) == ErrorCondition::not_acceptable);
  CHECK(outsider.error->type == ErrorType::modify);
  Decision visitor = w.say("alice@example.com/a", "hello");  // alice has no voice
  CHECK(condition(visitor) == ErrorCondition::forbidden);
  CHECK(w.say("owner@example.com/desk", "I am a moderator").ok());
  CHECK(condition(w.say("alice@example.com/a", "x", "none@rooms.test")) == ErrorCondition::item_not_found);
}

TEST_CASE("private messages: between occupants, unknown nick is item-not-found") {
  World w = World::with_alice_and_bob();
  Decision d = w.run(SendPrivate{jid("alice@example.com/a"), kRoom, "bob", "<body>psst</body>"});
  REQUIRE(d.ok());
  auto ms = messages(d);
  REQUIRE(ms.size() == 1);
  CHECK(ms[0]->kind == MessageKind::private_);
  CHECK(ms[0]->to == std::vector<std::string>{"bob@example.com/b"});
  CHECK(ms[0]->nick == "alice");
  REQUIRE(d.events.size() == 1);
  CHECK(d.events[0].type == EventType::private_message_sent);
  CHECK(d.events[0].peer == w.room().occupant_by_nick("bob")->sessions[0].id);
  // Metadata only: the nicks, no payload.
  CHECK(d.events[0].data == EventData(data::PrivateMessageSent{.nick = "alice", .to_nick = "bob"}));

  Decision unknown = w.run(SendPrivate{jid("alice@example.com/a"), kRoom, "carol", "<body>?</body>"});
  CHECK(condition(unknown) == ErrorCondition::item_not_found);
  CHECK(unknown.error->type == ErrorType::cancel);
  Decision outsider = w.run(SendPrivate{jid("eve@example.com/e"), kRoom, "bob", "<body>?</body>"});
  CHECK(condition(outsider) == ErrorCondition::not_acceptable);

  ConfigChange off;
  off.allow_private_messages = false;
  REQUIRE(w.configure("owner@example.com/desk", off).ok());
  CHECK(condition(w.run(SendPrivate{jid("alice@example.com/a"), kRoom, "bob", "<body>x</body>"})) ==
        ErrorCondition::not_allowed);
}

TEST_CASE("subject: moderators by default, participants when the room allows it") {
  World w = World::with_alice_and_bob();
  Decision denied = w.run(ChangeSubject{jid("alice@example.com/a"), kRoom, "mine"});
  CHECK(condition(denied) == ErrorCondition::forbidden);
  CHECK(denied.error->type == ErrorType::auth);
  Decision ok = w.run(ChangeSubject{jid("owner@example.com/desk"), kRoom, "Agenda"});
  REQUIRE(ok.ok());
  CHECK(types(ok) == std::vector{EventType::subject_changed});
  auto ms = messages(ok);
  REQUIRE(ms.size() == 1);
  CHECK(ms[0]->kind == MessageKind::subject);
  CHECK(ms[0]->to.size() == 3);
  CHECK(w.room().subject == "Agenda");
  CHECK(w.room().subject_nick == "owner");

  ConfigChange c;
  c.occupants_may_change_subject = true;
  REQUIRE(w.configure("owner@example.com/desk", c).ok());
  CHECK(w.run(ChangeSubject{jid("alice@example.com/a"), kRoom, "mine"}).ok());
  CHECK(condition(w.run(ChangeSubject{jid("alice@example.com/a"), kRoom, std::string(5000, 'x')})) ==
        ErrorCondition::not_acceptable);
  CHECK(condition(w.run(ChangeSubject{jid("eve@example.com/e"), kRoom, "x"})) == ErrorCondition::not_acceptable);
}

TEST_CASE("nick change: 303 with the new nick, then presence under the new nick") {
  World w = World::with_alice_and_bob();
  Decision d = w.run(ChangeNick{jid("alice@example.com/a"), kRoom, "alicia"});
  REQUIRE(d.ok());
  CHECK(types(d) == std::vector{EventType::nick_changed});
  auto ps = presences(d);
  REQUIRE(ps.size() == 6);  // unavailable + available for each of 3 sessions
  for (std::size_t i = 0; i < ps.size(); i += 2) {
    CHECK_FALSE(ps[i]->available);
    CHECK(has_status(*ps[i], status::kNewNick));
    CHECK(ps[i]->new_nick == "alicia");
    CHECK(ps[i]->nick == "alice");
    CHECK(ps[i + 1]->available);
    CHECK(ps[i + 1]->nick == "alicia");
    CHECK(has_status(*ps[i], status::kSelf) == (ps[i]->to == "alice@example.com/a"));
  }
  CHECK(w.room().occupant_by_nick("alicia") != nullptr);
  CHECK(w.room().occupant_by_nick("alice") == nullptr);
  CHECK(w.room().occupant_by_session_jid("alice@example.com/a")->nick == "alicia");
  // Messages after the change carry the new nick.
  CHECK(messages(w.say("alice@example.com/a", "x"))[0]->nick == "alicia");

  CHECK(condition(w.run(ChangeNick{jid("alice@example.com/a"), kRoom, "bob"})) == ErrorCondition::conflict);
  CHECK(condition(w.run(ChangeNick{jid("alice@example.com/a"), kRoom, ""})) == ErrorCondition::jid_malformed);
  // A join presence to a new nick from a joined session is a nick change too.
  Decision via_join = w.join("alice@example.com/a", "ally");
  CHECK(types(via_join) == std::vector{EventType::nick_changed});
}

TEST_CASE("invitations are mediated to the invitee, never to banned users") {
  World w = World::with_alice_and_bob();
  Decision d = w.run(Invite{jid("alice@example.com/a"), kRoom, jid("carol@example.com"), "join us", "s3cret"});
  REQUIRE(d.ok());
  auto ms = messages(d);
  REQUIRE(ms.size() == 1);
  CHECK(ms[0]->kind == MessageKind::invite);
  CHECK(ms[0]->to == std::vector<std::string>{"carol@example.com"});
  CHECK(ms[0]->from_jid == "alice@example.com");
  CHECK(ms[0]->reason == "join us");
  CHECK(ms[0]->password == "s3cret");  // §7.8.2: the room passes the inviter's password on
  CHECK(types(d) == std::vector{EventType::invitation_sent});  // an open room: no membership to grant
  CHECK(condition(w.run(Invite{jid("eve@example.com/e"), kRoom, jid("carol@example.com"), "", ""})) ==
        ErrorCondition::not_acceptable);
  REQUIRE(w.run(SetAffiliation{Requester::user(jid("owner@example.com/desk")), kRoom, jid("mallory@example.com"),
                               Affiliation::outcast, ""})
              .ok());
  CHECK(condition(w.run(Invite{jid("alice@example.com/a"), kRoom, jid("mallory@example.com"), "", ""})) ==
        ErrorCondition::forbidden);
}

TEST_CASE("presence update: broadcast to everyone, no event") {
  World w = World::with_alice_and_bob();
  Decision d = w.run(UpdatePresence{jid("bob@example.com/b"), kRoom});
  REQUIRE(d.ok());
  CHECK(d.events.empty());
  CHECK(presences(d).size() == 3);
  CHECK(condition(w.run(UpdatePresence{jid("eve@example.com/e"), kRoom})) == ErrorCondition::not_acceptable);
}
