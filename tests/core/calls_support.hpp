#pragma once
// Helpers for the calls tests: Jingle commands and a room with a call in it.
#include "support.hpp"

namespace mucstream::core::testing {

inline constexpr const char* kAlice = "alice@example.com/a";
inline constexpr const char* kBob = "bob@example.com/b";
inline constexpr const char* kOwnerJid = "owner@example.com/desk";

using A = ObserveJingle::Action;

inline ObserveJingle jingle(std::string_view from, std::string to_nick, A action, std::string sid,
                            std::vector<std::string> media = {}) {
  ObserveJingle j;
  j.user = jid(from);
  j.room = kRoom;
  j.to_nick = std::move(to_nick);
  j.action = action;
  j.sid = std::move(sid);
  j.media = std::move(media);
  return j;
}
inline ObserveJingle terminate(std::string_view from, std::string to_nick, std::string sid,
                               std::string reason = "") {
  ObserveJingle j = jingle(from, std::move(to_nick), A::session_terminate, std::move(sid));
  j.reason = std::move(reason);
  return j;
}
inline ObserveJingle mute(std::string_view from, std::string to_nick, bool on, std::string name) {
  ObserveJingle j = jingle(from, std::move(to_nick), on ? A::mute : A::unmute, "call1");
  j.mute_name = std::move(name);
  return j;
}

inline std::string session_of(const World& w, const std::string& nick, std::size_t i = 0) {
  const Occupant* o = w.room().occupant_by_nick(nick);
  REQUIRE(o != nullptr);
  REQUIRE(o->sessions.size() > i);
  return o->sessions[i].id;
}
inline const MediaState& media_of(const World& w, const std::string& nick) {
  const Occupant* o = w.room().occupant_by_nick(nick);
  REQUIRE(o != nullptr);
  return o->sessions.front().media;
}
// The shared data of a media or RTT on/off event (audio_paused … rtt_disabled).
inline data::MediaChange media_change(const Event& e) {
  data::MediaChange out;
  bool media = false;
  std::visit(
      [&](const auto& x) {
        if constexpr (std::is_base_of_v<data::MediaChange, std::decay_t<decltype(x)>>) {
          out = x;
          media = true;
        }
      },
      e.data);
  CHECK(media);
  return out;
}
inline Value strings(std::initializer_list<const char*> xs) {
  Value a = Value::array();
  for (const char* x : xs) a.as_array().emplace_back(x);
  return a;
}

// alice called bob; bob accepted (sid call1, audio+video) one second after the room filled.
inline World in_call() {
  World w = World::with_alice_and_bob();
  REQUIRE(w.run(jingle(kBob, "alice", A::session_accept, "call1", {"audio", "video"})).events.size() == 1);
  return w;
}

// A rejected command: the expected condition, no event, no change.
inline void check_rejected(World& w, const Command& c, ErrorCondition want) {
  const Service before = w.svc;
  Decision d = w.run(c);
  CHECK(condition(d) == want);
  CHECK(d.events.empty());
  CHECK(w.svc == before);
}

}  // namespace mucstream::core::testing
