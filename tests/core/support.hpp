#pragma once
// A small world for core tests: a service, a deterministic id source, a clock, and the
// log of every event the decisions produced (so tests can replay it).
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/counting_ids.hpp"
#include "core/decide.hpp"
#include "crypto/openssl_crypto.hpp"

namespace mucstream::core::testing {

using core::CountingIds;

inline Jid jid(std::string_view s) { return std::get<Jid>(Jid::parse(s)); }

inline constexpr const char* kRoom = "room@rooms.test";
inline const Requester kOwner = Requester::user(jid("owner@example.com/desk"));

struct World {
  ServiceConfig cfg;
  Service svc;
  CountingIds ids;
  // The production hasher at a test cost: real hashes, without the production count's time.
  crypto::OpenSslCrypto crypto{1000};
  std::int64_t now = 1'700'000'000'000;
  std::vector<Event> log;

  Decision run(const Command& c) {
    Context ctx{cfg, now, ids, crypto};
    Decision d = execute(svc, c, ctx);
    log.insert(log.end(), d.events.begin(), d.events.end());
    now += 1000;
    return d;
  }
  Decision join(std::string_view user, std::string_view nick, std::optional<std::string> password = {},
                std::string room = kRoom) {
    Join j;
    j.user = jid(user);
    j.room = room;
    j.nick = std::string(nick);
    j.password = std::move(password);
    return run(j);
  }
  Decision leave(std::string_view user, std::string room = kRoom) { return run(Leave{jid(user), room, {}}); }
  Decision say(std::string_view user, std::string text, std::string room = kRoom) {
    return run(SendGroupchat{jid(user), room, "<body>" + text + "</body>", true});
  }
  Decision configure(std::string_view owner, ConfigChange change, std::string room = kRoom) {
    return run(Configure{Requester::user(jid(owner)), room, std::move(change)});
  }
  // A room owned by `owner` (joined as `nick`) accepted as an instant room (§10.1.2).
  void instant_room(std::string_view owner = "owner@example.com/desk", std::string_view nick = "owner",
                    ConfigChange change = {}) {
    REQUIRE(join(owner, nick).ok());
    REQUIRE(configure(owner, std::move(change)).ok());
  }
  // An instant room with owner, alice and bob inside.
  static World with_alice_and_bob(ConfigChange c = {}) {
    World w;
    w.instant_room("owner@example.com/desk", "owner", std::move(c));
    REQUIRE(w.join("alice@example.com/a", "alice").ok());
    REQUIRE(w.join("bob@example.com/b", "bob").ok());
    return w;
  }
  const Room& room(const std::string& r = kRoom) const {
    const Room* p = svc.find(r);
    REQUIRE(p != nullptr);
    return *p;
  }
  Service replay() const {
    Service s;
    for (const Event& e : log) apply(s, e, cfg.history);
    return s;
  }
};

inline std::vector<const PresenceOut*> presences(const Decision& d) {
  std::vector<const PresenceOut*> out;
  for (const auto& x : d.deliveries)
    if (auto* p = std::get_if<PresenceOut>(&x)) out.push_back(p);
  return out;
}
inline std::vector<const MessageOut*> messages(const Decision& d) {
  std::vector<const MessageOut*> out;
  for (const auto& x : d.deliveries)
    if (auto* m = std::get_if<MessageOut>(&x)) out.push_back(m);
  return out;
}
inline bool has_status(const PresenceOut& p, int code) {
  return std::find(p.status.begin(), p.status.end(), code) != p.status.end();
}
inline ErrorCondition condition(const Decision& d) {
  REQUIRE(d.error.has_value());
  return d.error->condition;
}
inline std::vector<EventType> types(const Decision& d) {
  std::vector<EventType> t;
  for (const auto& e : d.events) t.push_back(e.type);
  return t;
}

}  // namespace mucstream::core::testing
