// Randomised check of event sourcing: thousands of random commands from several users
// against a few rooms. After every command the live state must equal the state rebuilt
// by replaying the log from empty, and the room invariants must hold.
#include "support.hpp"

#include <random>

using namespace mucstream::core;
using namespace mucstream::core::testing;

namespace {

const char* kUsers[] = {"ann@example.com", "ben@example.com", "cat@example.com", "dan@example.com",
                        "eve@example.com"};
const char* kResources[] = {"laptop", "phone"};
const char* kRooms[] = {"alpha@rooms.test", "beta@rooms.test", "gamma@rooms.test"};
const char* kNicks[] = {"ann", "ben", "cat", "dan", "eve", "Ann", "x", "  ", "bad\x02"};
const char* kPasswords[] = {"pw1", "pw2"};

struct Gen {
  std::mt19937 rng;
  template <class T, std::size_t N>
  const T& pick(const T (&a)[N]) { return a[std::uniform_int_distribution<std::size_t>(0, N - 1)(rng)]; }
  int upto(int n) { return std::uniform_int_distribution<int>(0, n)(rng); }
  bool coin(int percent = 50) { return upto(99) < percent; }

  Jid user() { return jid(std::string(pick(kUsers)) + "/" + pick(kResources)); }
  Requester requester() { return coin(10) ? Requester::admin("ops") : Requester::user(user()); }
  std::string room() { return pick(kRooms); }
  std::optional<std::string> password() { return coin(30) ? std::optional<std::string>(pick(kPasswords)) : std::nullopt; }

  ConfigChange change() {
    ConfigChange c;
    if (coin(30)) c.members_only = coin();
    if (coin(30)) c.moderated = coin();
    if (coin(30)) c.persistent = coin();
    if (coin(20)) c.max_occupants = static_cast<std::uint32_t>(upto(4));
    if (coin(20)) c.history_length = static_cast<std::uint32_t>(upto(5));
    if (coin(20)) c.whois = coin() ? Whois::anyone : Whois::moderators;
    if (coin(15)) {
      c.password_protected = coin();
      if (coin()) c.password = pick(kPasswords);
    }
    if (coin(15)) c.locked = coin();
    if (coin(10)) c.occupants_may_change_subject = coin();
    return c;
  }

  Command command() {
    switch (upto(15)) {
      case 0: case 1: case 2: case 3:
        return Join{user(), room(), pick(kNicks), password(), {}, {}};
      case 4: case 5: return Leave{user(), room(), {}};
      case 6: return SendGroupchat{user(), room(), "<body>hi</body>", coin(90)};
      case 7: return SendPrivate{user(), room(), pick(kNicks), "<body>psst</body>"};
      case 8: return ChangeSubject{user(), room(), coin() ? "topic" : ""};
      case 9: return ChangeNick{user(), room(), pick(kNicks)};
      case 10: {
        const Role roles[] = {Role::none, Role::visitor, Role::participant, Role::moderator};
        return SetRole{requester(), room(), pick(kNicks), pick(roles), "r"};
      }
      case 11: {
        const Affiliation affs[] = {Affiliation::outcast, Affiliation::none, Affiliation::member, Affiliation::admin,
                                    Affiliation::owner};
        return SetAffiliation{requester(), room(), jid(pick(kUsers)), pick(affs), "r"};
      }
      case 12: return coin(85) ? Command{Configure{requester(), room(), change()}}
                               : Command{CancelConfiguration{requester(), room()}};
      case 13: return SetLock{requester(), room(), coin()};
      case 14: return coin(70) ? Command{DestroyRoom{requester(), room(), "bye", ""}}
                               : Command{CreateRoom{requester(), room(), jid(pick(kUsers)), change()}};
      default: return coin(3) ? Command{Shutdown{}} : Command{UpdatePresence{user(), room()}};
    }
  }
};

void check_invariants(const Service& s) {
  for (const auto& [jid_, r] : s.rooms) {
    CAPTURE(jid_);
    CHECK(r.owner_count() >= 1);  // every room has an owner or is gone
    std::size_t sessions = 0;
    for (const auto& [nick, o] : r.occupants) {
      CHECK(o.nick == nick);
      REQUIRE_FALSE(o.sessions.empty());
      const Affiliation a = r.affiliation_of(o.bare_jid);
      CHECK(a != Affiliation::outcast);                       // no outcast inside
      if (r.config.members_only) CHECK(a >= Affiliation::member);
      if (r.awaiting_configuration) CHECK(a == Affiliation::owner);
      if (a >= Affiliation::admin) CHECK(o.role == Role::moderator);
      CHECK(o.role != Role::none);
      for (const auto& sess : o.sessions) {
        CHECK(std::get<Jid>(Jid::parse(sess.full_jid)).bare() == o.bare_jid);  // one bare JID per nick
        auto idx = r.nick_by_session_jid.find(sess.full_jid);
        REQUIRE(idx != r.nick_by_session_jid.end());
        CHECK(idx->second == nick);
      }
      sessions += o.sessions.size();
    }
    CHECK(r.nick_by_session_jid.size() == sessions);
    if (!r.config.persistent) CHECK_FALSE(r.occupants.empty());  // empty temporary rooms are gone
    CHECK(r.history.size() <= r.config.history_length);
  }
}

}  // namespace

TEST_CASE("random: live state equals replayed state after every command, invariants hold") {
  const unsigned base_seed = 20261122;
  std::size_t commands = 0, accepted = 0, events = 0;
  for (unsigned seq = 0; seq < 150; ++seq) {
    const unsigned seed = base_seed + seq;
    CAPTURE(seed);
    Gen g{std::mt19937(seed)};
    World w;
    w.cfg.max_history_length = 5;
    for (int step = 0; step < 40; ++step) {
      CAPTURE(step);
      Command c = g.command();
      const Service before = w.svc;
      Decision d = w.run(c);
      ++commands;
      if (d.ok()) ++accepted;
      events += d.events.size();
      if (!d.ok()) {
        CHECK(d.events.empty());
        CHECK(w.svc == before);  // a rejection never changes state
      }
      // A newcomer who is neither admin nor owner never pushes a room past its limit.
      if (auto* j = std::get_if<Join>(&c); j && d.ok() && !d.events.empty()) {
        const Room* r = w.svc.find(j->room);
        REQUIRE(r != nullptr);
        const Room* rb = before.find(j->room);
        const bool new_nick = rb == nullptr || rb->occupant_by_nick(d.events.back().data.get_string("nick")) == nullptr;
        if (r->config.max_occupants != 0 && new_nick && r->affiliation_of(j->user.bare()) < Affiliation::admin)
          CHECK(r->occupants.size() <= r->config.max_occupants);
      }
      REQUIRE(w.replay() == w.svc);
      check_invariants(w.svc);
    }
  }
  MESSAGE("random commands: ", commands, " accepted: ", accepted, " events: ", events);
  CHECK(commands == 6000);
  CHECK(accepted > commands / 5);  // the generator exercises real paths, not only rejections
  CHECK(events > commands / 5);
}
