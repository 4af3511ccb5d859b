#pragma once
// One event of every type, made by the real core: a realistic chat scenario, then a call
// (accept, stats, mute, screen share, real-time text, hang-up), a private message, a kick,
// every kind of client telemetry, and a room destroyed. Tests that check each type's JSON
// against its readers (tests/events/test_sql_drift.cpp) start from these.
#include <map>

#include "core/telemetry.hpp"
#include "tests/core/calls_support.hpp"
#include "tests/events/scenario.hpp"

namespace mucstream::testing {

inline std::map<core::EventType, core::Event> event_samples() {
  using namespace core::testing;
  using core::Value;
  std::map<core::EventType, core::Event> out;
  auto take = [&](const std::vector<core::Event>& log) {
    for (const core::Event& e : log) out.try_emplace(e.type, e);
  };
  {
    World w;
    run_scenario(w, 3, 200, 5);
    take(w.log);
  }
  World w = World::with_alice_and_bob();
  core::Join j;
  j.user = jid("carol@example.com/c");
  j.room = kRoom;
  j.nick = "carol";
  j.client = client_info(3);  // every client field, for the users row
  REQUIRE(w.run(j).ok());
  REQUIRE(w.run(jingle(kBob, "alice", A::session_accept, "call1", {"audio", "video"})).ok());
  Value figures = Value::object();  // every figure the validator knows
  figures.set("rtt_ms", 42);
  figures.set("jitter_ms", 3.5);
  figures.set("packet_loss", "0.02");
  figures.set("bitrate_in", 1'200'000);
  figures.set("bitrate_out", 800'000);
  figures.set("resolution", "1280x720");
  figures.set("fps", 29.97);
  figures.set("local_candidate_type", "host");
  figures.set("remote_candidate_type", "relay");
  REQUIRE(w.run(core::ReportP2PStats{jid(kBob), kRoom, "call1", figures}).ok());
  REQUIRE(w.run(mute(kAlice, "bob", true, "")).ok());
  REQUIRE(w.run(mute(kAlice, "bob", false, "")).ok());
  REQUIRE(w.run(jingle(kAlice, "bob", A::content_add, "call1", {"screen"})).ok());
  REQUIRE(w.run(jingle(kAlice, "bob", A::content_remove, "call1", {"screen"})).ok());
  REQUIRE(w.run(core::SetRtt{jid(kAlice), kRoom, true}).ok());
  REQUIRE(w.run(core::SetRtt{jid(kAlice), kRoom, false}).ok());
  REQUIRE(w.run(terminate(kBob, "alice", "call1", "success")).ok());
  REQUIRE(w.run(core::SendPrivate{jid(kAlice), kRoom, "bob", "<body>psst</body>"}).ok());
  {  // the message lifecycle: correct, retract, chat states and markers, invitations
    core::ConfigChange record;
    record.record_chat_states = true;
    record.occupants_may_invite = true;
    REQUIRE(w.run(core::Configure{kOwner, kRoom, record}).ok());
    REQUIRE(w.run(core::SendGroupchat{jid(kAlice), kRoom, "<body>tpyo</body>", true, false, "m1"}).ok());
    REQUIRE(w.run(core::SendGroupchat{jid(kAlice), kRoom, "<body>typo</body>", true, false, "m2", "m1"}).ok());
    REQUIRE(w.run(core::RetractMessage{core::Requester::user(jid(kAlice)), kRoom, "m1", false, "", "<retract/>"}).ok());
    REQUIRE(w.run(core::ObserveChatState{jid(kAlice), kRoom, std::nullopt, "composing", std::nullopt}).ok());
    REQUIRE(w.run(core::ObserveChatState{jid(kAlice), kRoom, std::nullopt, "", std::string("m2")}).ok());
    REQUIRE(w.run(core::Invite{jid(kAlice), kRoom, jid("dave@example.com"), "join us", ""}).ok());
    REQUIRE(w.run(core::DeclineInvitation{jid("dave@example.com/d"), kRoom, jid(kAlice), "busy"}).ok());
  }
  REQUIRE(w.run(core::ChangeSubject{jid(kOwnerJid), kRoom, "Calls"}).ok());
  REQUIRE(w.run(core::SetRole{kOwner, kRoom, "bob", core::Role::visitor, "quiet"}).ok());
  REQUIRE(w.run(core::RequestVoice{jid(kBob), kRoom}).ok());
  for (int t = 0; t < core::kEventTypeCount; ++t) {
    const auto type = static_cast<core::EventType>(t);
    if (!core::client_reportable(type) || core::is_media_state_event(type)) continue;
    core::ClientReport c;
    c.room_id = w.room().room_id;
    c.session = session_of(w, "alice");
    c.peer = session_of(w, "bob");
    c.type = type;
    c.data = Value::object();
    c.data.set("sid", "call1");
    REQUIRE(w.run(c).ok());
  }
  REQUIRE(w.run(core::SetRole{kOwner, kRoom, "carol", core::Role::none, "bye"}).ok());
  REQUIRE(w.run(core::DestroyRoom{kOwner, kRoom, "done", ""}).ok());
  take(w.log);
  return out;
}

}  // namespace mucstream::testing
