// Around the messages: chat states and markers, no-store, idle rooms, destroy with purge,
// voice requests (§7.13), invitations and declines (§7.8.2).
#include "support.hpp"

using namespace mucstream::core;
using namespace mucstream::core::testing;

namespace {
ObserveChatState typing(std::string_view user, std::optional<std::string> to = {}) {
  return ObserveChatState{jid(user), kRoom, std::move(to), "composing", std::nullopt};
}
}  // namespace

TEST_CASE("chat states and markers: no event unless the room or the service records them") {
  World w = World::with_alice_and_bob();
  Decision off = w.run(typing("alice@example.com/a"));
  CHECK(off.ok());
  CHECK(off.events.empty());

  ConfigChange on;
  on.record_chat_states = true;
  REQUIRE(w.configure("owner@example.com/desk", on).ok());
  Decision group = w.run(typing("alice@example.com/a"));
  REQUIRE(types(group) == std::vector{EventType::chat_state_sent});
  const auto& cs = std::get<data::ChatStateSent>(group.events[0].data);
  CHECK(cs.nick == "alice");
  CHECK(cs.state == "composing");
  CHECK_FALSE(cs.to_nick.has_value());
  CHECK(group.deliveries.empty());  // the relay was the message's own

  Decision both = w.run(ObserveChatState{jid("bob@example.com/b"), kRoom, std::string("alice"), "active", "stanza-1"});
  REQUIRE(types(both) == std::vector{EventType::chat_state_sent, EventType::message_displayed});
  const auto& seen = std::get<data::MessageDisplayed>(both.events[1].data);
  CHECK(seen.nick == "bob");
  CHECK(seen.target == "stanza-1");
  CHECK(seen.to_nick == std::optional<std::string>("alice"));
  CHECK(both.events[1].peer == w.room().occupant_by_nick("alice")->sessions[0].id);

  CHECK(condition(w.run(typing("eve@example.com/e"))) == ErrorCondition::not_acceptable);
}

TEST_CASE("chat states: the service-wide setting records them in every room") {
  World w;
  w.cfg.record_chat_states = true;
  w.instant_room();
  CHECK(types(w.run(typing("owner@example.com/desk"))) == std::vector{EventType::chat_state_sent});
}

TEST_CASE("private chat states are relayed without a private_message_sent event") {
  World w = World::with_alice_and_bob();
  SendPrivate p{jid("alice@example.com/a"), kRoom, "bob", "<composing xmlns='http://jabber.org/protocol/chatstates'/>", false};
  Decision d = w.run(p);
  REQUIRE(d.ok());
  CHECK(d.events.empty());
  REQUIRE(messages(d).size() == 1);
  CHECK(messages(d)[0]->to == std::vector<std::string>{"bob@example.com/b"});
}

TEST_CASE("no-store: relayed and marked, kept out of the join history, replay agrees") {
  World w = World::with_alice_and_bob();
  SendGroupchat m{jid("alice@example.com/a"), kRoom, "<body>off the record</body>", true, true};
  Decision d = w.run(m);
  REQUIRE(types(d) == std::vector{EventType::message_sent});
  CHECK(std::get<data::MessageSent>(d.events[0].data).no_store == std::optional<bool>(true));
  CHECK(messages(d).size() == 1);
  CHECK(w.room().history.empty());
  REQUIRE(w.say("alice@example.com/a", "kept").ok());
  CHECK(w.room().history.size() == 1);
  CHECK(w.replay() == w.svc);
  // A plain message leaves the hint absent rather than false (events stay as small as before).
  CHECK_FALSE(std::get<data::MessageSent>(w.log.back().data).no_store.has_value());
}

TEST_CASE("idle rooms: no message and no join for the timeout destroys the room with reason idle") {
  World w = World::with_alice_and_bob();
  w.cfg.idle_timeout_ms = 60'000;
  CHECK(w.run(ExpireIdle{}).events.empty());  // active a moment ago
  w.now += 50'000;
  REQUIRE(w.say("alice@example.com/a", "still here").ok());  // a message resets the clock
  w.now += 50'000;
  CHECK(w.run(ExpireIdle{}).events.empty());
  CHECK(w.room().last_activity_ms == w.replay().find(kRoom)->last_activity_ms);
  w.now += 11'000;
  Decision d = w.run(ExpireIdle{});
  REQUIRE(d.ok());
  REQUIRE_FALSE(d.events.empty());
  const auto& destroyed = std::get<data::RoomDestroyed>(d.events.back().data);
  CHECK(destroyed.reason == "idle");
  CHECK_FALSE(destroyed.by.has_value());
  CHECK(w.svc.find(kRoom) == nullptr);
  auto ps = presences(d);
  CHECK(ps.size() == 3);  // owner, alice, bob: the §10.9 destroy presence each
  for (const PresenceOut* p : ps) CHECK(p->destroyed);
  CHECK(w.replay() == w.svc);
}

TEST_CASE("idle rooms: a join counts as activity, 0 turns expiry off, unknown activity never expires") {
  World w = World::with_alice_and_bob();
  w.cfg.idle_timeout_ms = 60'000;
  w.now += 59'000;
  REQUIRE(w.join("carol@example.com/c", "carol").ok());
  w.now += 30'000;
  CHECK(w.run(ExpireIdle{}).events.empty());
  w.cfg.idle_timeout_ms = 0;
  w.now += 10 * 60'000;
  CHECK(w.run(ExpireIdle{}).events.empty());
  w.cfg.idle_timeout_ms = 60'000;
  w.svc.rooms.at(kRoom).last_activity_ms = 0;  // as read from a snapshot written before it was kept
  CHECK(w.run(ExpireIdle{}).events.empty());
}

TEST_CASE("destroy with purge: recorded on room_destroyed, without it the flag stays absent") {
  World w = World::with_alice_and_bob();
  Decision d = w.run(DestroyRoom{kOwner, kRoom, "done", "", true});
  REQUIRE(d.ok());
  CHECK(std::get<data::RoomDestroyed>(d.events.back().data).purge == std::optional<bool>(true));
  World v = World::with_alice_and_bob();
  Decision plain = v.run(DestroyRoom{Requester::admin("ops"), kRoom, "", ""});
  REQUIRE(plain.ok());
  CHECK_FALSE(std::get<data::RoomDestroyed>(plain.events.back().data).purge.has_value());
  World u = World::with_alice_and_bob();
  CHECK(condition(u.run(DestroyRoom{Requester::user(jid("alice@example.com/a")), kRoom, "", "", true})) ==
        ErrorCondition::forbidden);
}

TEST_CASE("voice requests: a visitor asks, every moderator gets the form, approval makes a participant") {
  ConfigChange c;
  c.moderated = true;
  World w = World::with_alice_and_bob(c);
  REQUIRE(w.room().occupant_by_nick("alice")->role == Role::visitor);
  Decision d = w.run(RequestVoice{jid("alice@example.com/a"), kRoom});
  REQUIRE(types(d) == std::vector{EventType::voice_requested});
  const auto& v = std::get<data::VoiceRequested>(d.events[0].data);
  CHECK(v.nick == "alice");
  CHECK(v.jid == "alice@example.com/a");
  auto ms = messages(d);
  REQUIRE(ms.size() == 1);
  CHECK(ms[0]->kind == MessageKind::voice_request);
  CHECK(ms[0]->to == std::vector<std::string>{"owner@example.com/desk"});  // the only moderator
  CHECK(ms[0]->nick == "alice");
  CHECK(ms[0]->from_jid == "alice@example.com/a");

  // The approval is a role change (the decoder turns the submitted form into it).
  CHECK(condition(w.run(SetRole{Requester::user(jid("bob@example.com/b")), kRoom, "alice", Role::participant, ""})) ==
        ErrorCondition::forbidden);
  Decision ok = w.run(SetRole{kOwner, kRoom, "alice", Role::participant, ""});
  CHECK(types(ok) == std::vector{EventType::role_changed});
  CHECK(condition(w.run(RequestVoice{jid("alice@example.com/a"), kRoom})) == ErrorCondition::not_acceptable);
  CHECK(condition(w.run(RequestVoice{jid("eve@example.com/e"), kRoom})) == ErrorCondition::not_acceptable);
}

TEST_CASE("invitations to a members-only room grant membership when the configuration says so") {
  ConfigChange c;
  c.members_only = true;
  World w;
  w.instant_room("owner@example.com/desk", "owner", c);
  Decision d = w.run(Invite{jid("owner@example.com/desk"), kRoom, jid("carol@example.com/phone"), "come", ""});
  REQUIRE(types(d) == std::vector{EventType::affiliation_changed, EventType::invitation_sent});
  CHECK(std::get<data::AffiliationChanged>(d.events[0].data).jid == "carol@example.com");
  CHECK(std::get<data::AffiliationChanged>(d.events[0].data).affiliation == Affiliation::member);
  const auto& inv = std::get<data::InvitationSent>(d.events[1].data);
  CHECK(inv.invitee == "carol@example.com");
  CHECK(inv.membership_granted);
  CHECK(inv.reason == "come");
  CHECK(w.room().affiliation_of("carol@example.com") == Affiliation::member);
  CHECK(w.join("carol@example.com/phone", "carol").ok());  // the invitation is usable
  // Inviting a member again grants nothing new.
  Decision again = w.run(Invite{jid("owner@example.com/desk"), kRoom, jid("carol@example.com"), "", ""});
  CHECK(types(again) == std::vector{EventType::invitation_sent});
  CHECK_FALSE(std::get<data::InvitationSent>(again.events[0].data).membership_granted);
  CHECK(w.replay() == w.svc);

  ConfigChange off;
  off.invite_grants_membership = false;
  REQUIRE(w.configure("owner@example.com/desk", off).ok());
  Decision plain = w.run(Invite{jid("owner@example.com/desk"), kRoom, jid("dave@example.com"), "", ""});
  CHECK(types(plain) == std::vector{EventType::invitation_sent});
  CHECK(w.room().affiliation_of("dave@example.com") == Affiliation::none);
  CHECK(condition(w.join("dave@example.com/d", "dave")) == ErrorCondition::registration_required);
}

TEST_CASE("declines go to the inviter from the room as an event, banned users cannot decline") {
  World w = World::with_alice_and_bob();
  Decision d = w.run(DeclineInvitation{jid("carol@example.com/phone"), kRoom, jid("alice@example.com/a"), "busy"});
  REQUIRE(types(d) == std::vector{EventType::invitation_declined});
  const auto& dec = std::get<data::InvitationDeclined>(d.events[0].data);
  CHECK(dec.decliner == "carol@example.com");
  CHECK(dec.inviter == "alice@example.com/a");
  CHECK(dec.reason == "busy");
  auto ms = messages(d);
  REQUIRE(ms.size() == 1);
  CHECK(ms[0]->kind == MessageKind::decline);
  CHECK(ms[0]->to == std::vector<std::string>{"alice@example.com/a"});
  CHECK(ms[0]->from_jid == "carol@example.com");
  CHECK(condition(w.run(DeclineInvitation{jid("carol@example.com/p"), "nope@rooms.test", jid("alice@example.com"), ""})) ==
        ErrorCondition::item_not_found);
  REQUIRE(w.run(SetAffiliation{kOwner, kRoom, jid("mallory@example.com"), Affiliation::outcast, ""}).ok());
  CHECK(condition(w.run(DeclineInvitation{jid("mallory@example.com/m"), kRoom, jid("alice@example.com"), ""})) ==
        ErrorCondition::forbidden);
}
