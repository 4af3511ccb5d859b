#pragma once
// Realistic event logs for pipeline tests, made by the real core through the core tests'
// World: several rooms (some persistent), occupants with client info joining, chatting,
// changing subject and nick, owners locking, banning and reconfiguring, people leaving, a
// room destroyed and created again under the same JID.
#include <random>
#include <string>

#include "tests/core/support.hpp"

namespace mucstream::testing {

using core::testing::World;
using core::testing::jid;

inline core::Value client_info(int i) {
  static const char* kTypes[] = {"browser", "mobile"};
  static const char* kOs[] = {"Linux", "Android", "iOS", "Windows", "macOS"};
  static const char* kBrowsers[] = {"Firefox", "Chrome", "Safari", "Conversations"};
  core::Value c = core::Value::object();
  c.set("type", kTypes[i % 2]);
  c.set("os", kOs[i % 5]);
  c.set("browser", kBrowsers[i % 4]);
  c.set("useragent", "Mozilla/5.0 (test " + std::to_string(i) + ") \"quoted\"\ttab\\slash é 漢字");
  return c;
}

inline std::string room_name(int r, const std::string& domain = "rooms.test") {
  return "room" + std::to_string(r) + "@" + domain;
}

// Runs `rounds` random actions over `rooms` rooms; returns the World (its log has the events).
// `domain`: the MUC domain of the rooms (a second World on another domain: two tenants).
inline void run_scenario(World& w, int rooms, int rounds, unsigned seed, const std::string& domain = "rooms.test") {
  std::mt19937 rng(seed);
  auto upto = [&](int n) { return std::uniform_int_distribution<int>(0, n)(rng); };
  const std::string users[] = {"ann", "ben", "cat", "dan", "eve", "fay"};
  auto user_jid = [&](int u, int res) { return users[u] + "@example.com/" + (res ? "phone" : "laptop"); };
  for (int r = 0; r < rooms; ++r) {
    const std::string owner = "owner" + std::to_string(r) + "@example.com/desk";
    core::Join j;
    j.user = jid(owner);
    j.room = room_name(r, domain);
    j.nick = "owner";
    j.client = client_info(r);
    REQUIRE(w.run(j).ok());
    core::ConfigChange c;
    c.persistent = r % 2 == 0;
    c.history_length = 5;
    c.name = "Room " + std::to_string(r);
    REQUIRE(w.configure(owner, c, room_name(r, domain)).ok());
  }
  for (int i = 0; i < rounds; ++i) {
    const int r = upto(rooms - 1);
    const std::string room = room_name(r, domain);
    const std::string owner = "owner" + std::to_string(r) + "@example.com/desk";
    const int u = upto(5), res = upto(1);
    switch (upto(11)) {
      case 0: case 1: case 2: {
        core::Join j;
        j.user = jid(user_jid(u, res));
        j.room = room;
        j.nick = users[u];
        j.client = client_info(i);
        w.run(j);
        break;
      }
      case 3: case 4: case 5: w.say(user_jid(u, res), "hello " + std::to_string(i) + " <&> \"x\"", room); break;
      case 6: w.leave(user_jid(u, res), room); break;
      case 7: w.run(core::ChangeSubject{jid(user_jid(u, res)), room, "topic " + std::to_string(i)}); break;
      case 8: w.run(core::SetLock{core::Requester::user(jid(owner)), room, upto(1) == 1}); break;
      case 9: {
        const core::Affiliation affs[] = {core::Affiliation::member, core::Affiliation::admin,
                                          core::Affiliation::outcast, core::Affiliation::none};
        w.run(core::SetAffiliation{core::Requester::user(jid(owner)), room, jid(users[u] + "@example.com"),
                                   affs[upto(3)], "because " + std::to_string(i)});
        break;
      }
      case 10: w.run(core::ChangeNick{jid(user_jid(u, res)), room, users[u] + std::to_string(upto(3))}); break;
      default: {
        core::ConfigChange c;
        c.history_length = static_cast<std::uint32_t>(upto(6));
        c.moderated = upto(1) == 1;
        w.configure(owner, c, room);
        break;
      }
    }
  }
  // A room destroyed, then created again under the same JID (a new room_id).
  const std::string owner0 = "owner0@example.com/desk";
  REQUIRE(w.run(core::DestroyRoom{core::Requester::user(jid(owner0)), room_name(0, domain), "done", ""}).ok());
  core::ConfigChange again;
  again.persistent = true;
  REQUIRE(w.run(core::CreateRoom{core::Requester::admin("ops"), room_name(0, domain), jid("owner0@example.com"), again}).ok());
}

// Order-insensitive comparison of JSON objects (jsonb does not keep key order).
inline bool same_json(const core::Value& a, const core::Value& b) {
  if (a.is_object() && b.is_object()) {
    const auto& x = a.as_object();
    const auto& y = b.as_object();
    if (x.size() != y.size()) return false;
    for (const auto& [k, v] : x) {
      const core::Value* w = b.find(k);
      if (w == nullptr || !same_json(v, *w)) return false;
    }
    return true;
  }
  if (a.is_array() && b.is_array()) {
    if (a.as_array().size() != b.as_array().size()) return false;
    for (std::size_t i = 0; i < a.as_array().size(); ++i)
      if (!same_json(a.as_array()[i], b.as_array()[i])) return false;
    return true;
  }
  if (a.is_number() && b.is_number()) return a.as_double() == b.as_double();
  return a == b;
}

}  // namespace mucstream::testing
