#pragma once
// Random commands for tests that need rooms in every shape the core can give them: several
// sessions per nick, client info, history, subjects, affiliations with reasons, passwords,
// locks, rooms destroyed and created again under the same JID, and calls (P2P sessions,
// media flags, RTT) between occupants who are really there.
#include <random>
#include <string>

#include "tests/core/support.hpp"
#include "tests/events/scenario.hpp"

namespace mucstream::testing {

namespace room_gen {
inline const char* kUsers[] = {"ann@example.com", "ben@example.com", "cat@example.com", "dan@example.com"};
inline const char* kResources[] = {"laptop", "phone"};
inline const char* kRooms[] = {"alpha@rooms.test", "beta@rooms.test"};
inline const char* kNicks[] = {"ann", "ben", "cat", "dan", "Zoë"};
inline const char* kMedia[] = {"audio", "video", "screen"};

}  // namespace room_gen

struct RoomGen {
  std::mt19937 rng;
  template <class T, std::size_t N>
  const T& pick(const T (&a)[N]) { return a[std::uniform_int_distribution<std::size_t>(0, N - 1)(rng)]; }
  int upto(int n) { return std::uniform_int_distribution<int>(0, n)(rng); }
  bool coin() { return upto(1) == 1; }
  core::Jid user() { return jid(std::string(pick(room_gen::kUsers)) + "/" + pick(room_gen::kResources)); }
  std::optional<bool> maybe() { return upto(2) == 0 ? std::nullopt : std::optional<bool>(coin()); }

  // Someone in a room and the nick of someone else there, when the room has two occupants.
  bool pair(const core::Service& s, core::Jid& from, std::string& room, std::string& to_nick, std::string& sid) {
    for (const auto& [rj, r] : s.rooms) {
      if (r.occupants.size() < 2 || (coin() && s.rooms.size() > 1 && rj == s.rooms.begin()->first)) continue;
      auto a = r.occupants.begin();
      std::advance(a, upto(static_cast<int>(r.occupants.size()) - 1));
      auto b = a == r.occupants.begin() ? std::next(a) : r.occupants.begin();
      from = jid(a->second.sessions.front().full_jid);
      room = rj;
      to_nick = b->first;
      sid = r.p2p.empty() || coin() ? "sid" + std::to_string(upto(3)) : r.p2p.begin()->first;
      return true;
    }
    return false;
  }

  core::Command command(const core::Service& s) {
    const std::string room = pick(room_gen::kRooms);
    const core::Jid who = user();
    const auto owner = core::Requester::admin("ops");
    switch (upto(15)) {
      case 0: case 1: case 2: {
        core::Join j{who, room, pick(room_gen::kNicks), coin() ? std::optional<std::string>("pw") : std::nullopt, {}, {}};
        j.client = client_info(upto(20));
        return j;
      }
      case 3: return core::Leave{who, room, "bye"};
      case 4: {
        core::SendGroupchat g{who, room, "<body>hi " + std::to_string(upto(99)) + " é \"x\"</body>", true};
        if (coin()) g.client_id = "c" + std::to_string(upto(3));
        return g;
      }
      case 5: {  // a correction or retraction of a recent message (refused unless the author asks)
        const core::Room* r = s.find(room);
        if (r == nullptr || r->recent.empty()) return core::SendGroupchat{who, room, "<body>first</body>", true};
        const core::RecentMessage& m = *std::prev(r->recent.end());
        core::SendGroupchat g{jid(m.bare_jid + "/" + pick(room_gen::kResources)), room, "<body>fixed</body>", true};
        g.replaces = m.stanza_id;
        if (coin()) return g;
        return core::RetractMessage{core::Requester::admin("ops"), room, m.stanza_id, true, "r", {}};
      }
      case 6: return core::ChangeSubject{who, room, "topic " + std::to_string(upto(9))};
      case 7: return core::ChangeNick{who, room, pick(room_gen::kNicks)};
      case 8: {
        const core::Affiliation affs[] = {core::Affiliation::member, core::Affiliation::admin,
                                          core::Affiliation::outcast, core::Affiliation::owner, core::Affiliation::none};
        return core::SetAffiliation{owner, room, jid(pick(room_gen::kUsers)), pick(affs), "because " + std::to_string(upto(9))};
      }
      case 9: {
        core::ConfigChange c;
        c.persistent = coin();
        c.history_length = static_cast<std::uint32_t>(upto(6));
        if (coin()) {
          c.password_protected = coin();
          c.password = "pw";
        }
        if (coin()) c.whois = core::Whois::anyone;
        c.name = "Room " + std::to_string(upto(9));
        return core::Configure{owner, room, c};
      }
      case 10: return core::SetLock{owner, room, coin()};
      case 11: return coin() ? core::Command{core::DestroyRoom{owner, room, "bye", ""}}
                             : core::Command{core::CreateRoom{owner, room, jid(pick(room_gen::kUsers)), {}}};
      default: {
        core::Jid from;
        std::string r, to, sid;
        if (!pair(s, from, r, to, sid)) return core::UpdatePresence{who, room};
        switch (upto(3)) {
          case 0: {
            core::ObserveJingle j{from, r, to, core::ObserveJingle::Action::session_accept, sid, {}, {}, {}};
            j.media = {pick(room_gen::kMedia)};
            if (coin()) j.media.push_back(pick(room_gen::kMedia));
            if (upto(3) == 0) j.action = core::ObserveJingle::Action::session_terminate;
            return j;
          }
          case 1: return core::AnnounceMedia{from, r, maybe(), maybe(), maybe()};
          case 2: return core::SetRtt{from, r, coin()};
          default: return core::ObserveJingle{from, r, to, core::ObserveJingle::Action::mute, sid, {}, {}, ""};
        }
      }
    }
  }
};

}  // namespace mucstream::testing
