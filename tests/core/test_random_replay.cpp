// Randomised check of event sourcing: thousands of random commands from several users
// against a few rooms, and a call-heavy mix in one populated room. After every command the
// live state must equal the state rebuilt by replaying the log from empty, and the room
// invariants must hold.
#include "core/nick_skeleton.hpp"
#include "support.hpp"

#include <map>
#include <random>
#include <set>

using namespace mucstream::core;
using namespace mucstream::core::testing;

namespace {

const char* kUsers[] = {"ann@example.com", "ben@example.com", "cat@example.com", "dan@example.com",
                        "eve@example.com"};
const char* kResources[] = {"laptop", "phone"};
const char* kRooms[] = {"alpha@rooms.test", "beta@rooms.test", "gamma@rooms.test"};
const char* kNicks[] = {"ann", "ben", "cat", "dan", "eve", "Ann", "x", "  ", "bad\x02"};
const char* kPasswords[] = {"pw1", "pw2"};
const char* kSids[] = {"s1", "s2", "s3", ""};
const char* kMedia[] = {"audio", "video", "screen", "data"};
const char* kMuteNames[] = {"audio", "video", "", "voice"};
const char* kReasons[] = {"", "success", "decline", "bogus"};

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

  std::optional<bool> maybe() { return coin(60) ? std::optional<bool>(coin()) : std::nullopt; }

  // Mostly someone really in a room talking to someone else there (random picks would
  // almost never meet), sometimes anything.
  struct Pair {
    Jid from;
    std::string room, to_nick, live_sid;
  };
  Pair pair(const Service& s) {
    Pair p{user(), room(), pick(kNicks), pick(kSids)};
    if (coin(15) || s.rooms.empty()) return p;
    auto r = s.rooms.begin();
    std::advance(r, upto(static_cast<int>(s.rooms.size()) - 1));
    p.room = r->first;
    std::vector<std::pair<const std::string*, const std::string*>> sessions;  // (full JID, nick)
    for (const auto& [nick, o] : r->second.occupants)
      for (const auto& sess : o.sessions) sessions.emplace_back(&sess.full_jid, &o.nick);
    if (r->second.occupants.size() < 2) return p;
    const auto& a = sessions[static_cast<std::size_t>(upto(static_cast<int>(sessions.size()) - 1))];
    std::vector<const std::string*> others;
    for (const auto& [nick, o] : r->second.occupants)
      if (nick != *a.second) others.push_back(&nick);
    p.from = jid(*a.first);
    p.to_nick = *others[static_cast<std::size_t>(upto(static_cast<int>(others.size()) - 1))];
    if (!r->second.p2p.empty() && coin(70)) p.live_sid = r->second.p2p.begin()->first;
    return p;
  }

  // Calls: Jingle between occupants, media, stats (sometimes nonsense), RTT.
  Command call(const Service& s) {
    Pair p = pair(s);
    switch (upto(4)) {
      case 0: case 1: {
        const ObserveJingle::Action actions[] = {
            ObserveJingle::Action::session_accept, ObserveJingle::Action::session_accept,
            ObserveJingle::Action::session_terminate, ObserveJingle::Action::mute, ObserveJingle::Action::unmute,
            ObserveJingle::Action::content_add, ObserveJingle::Action::content_remove};
        ObserveJingle j{p.from, p.room, p.to_nick, pick(actions), coin() ? p.live_sid : pick(kSids), {}, pick(kReasons),
                        pick(kMuteNames)};
        for (int i = upto(2); i > 0; --i) j.media.push_back(pick(kMedia));
        return j;
      }
      case 2: return AnnounceMedia{p.from, p.room, maybe(), maybe(), maybe()};
      case 3: {
        Value stats = Value::object();
        if (coin(70)) stats.set("rtt_ms", upto(100) - 5);
        if (coin(50)) stats.set("packet_loss", coin(90) ? 0.01 : 3.0);
        if (coin(30)) stats.set("local_candidate_type", coin(90) ? "relay" : "turn");
        return ReportP2PStats{p.from, p.room, p.live_sid, std::move(stats)};
      }
      default: return SetRtt{p.from, p.room, coin()};
    }
  }

  Command message() {
    SendGroupchat g{user(), room(), "<body>" + std::string(static_cast<std::size_t>(upto(80)), 'x') + "</body>", coin(90),
                    coin(10)};  // no-store: relayed, never history
    if (coin(80)) g.client_id = "c" + std::to_string(upto(5));
    return g;
  }

  // A correction, retraction or moderation of one of the room's recent messages (or of an
  // id it does not know), by anyone: the core refuses what the requester may not do.
  Command lifecycle(const Service& s) {
    const std::string r = room();
    std::string id = "c" + std::to_string(upto(5));
    if (const Room* found = s.find(r); found != nullptr && !found->recent.empty() && coin(80)) {
      auto it = found->recent.begin();
      std::advance(it, upto(static_cast<int>(found->recent.size()) - 1));
      id = coin() ? it->stanza_id : it->client_id;
    }
    switch (upto(2)) {
      case 0: {
        SendGroupchat g{user(), r, "<body>fixed " + std::string(static_cast<std::size_t>(upto(120)), 'y') + "</body>", true};
        g.replaces = id;
        return g;
      }
      case 1: return RetractMessage{Requester::user(user()), r, id, false, {}, "<retract/>"};
      default: return RetractMessage{requester(), r, id, true, "r", {}};
    }
  }

  Command command(const Service& s) {
    switch (upto(18)) {
      case 15: case 16: case 17: return call(s);
      case 0: case 1: case 2: case 3:
        return Join{user(), room(), pick(kNicks), password(), {}, {}};
      case 4: return Leave{user(), room(), {}};
      case 5: return coin(70) ? Command{Leave{user(), room(), {}}} : Command{RemoveGhost{room(), user().full()}};
      case 6: return coin(70) ? message() : lifecycle(s);
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

// `unused` holds the ids of rooms an administrator pre-created that nobody has joined yet.
void check_invariants(const Service& s, const std::set<std::string>& unused, const HistoryLimits& limits) {
  std::size_t history_bytes = 0;
  for (const auto& [jid_, r] : s.rooms) {
    CAPTURE(jid_);
    history_bytes += r.history.bytes();
    if (limits.room_bytes != 0) CHECK(r.history.bytes() <= limits.room_bytes);
    std::size_t counted = 0;
    for (const auto& h : r.history) counted += counted_bytes(h);
    CHECK(counted == r.history.bytes());
    CHECK(r.recent.size() <= limits.recent_per_room);
    // Look-alike nicks: no two users share a skeleton; the index names every occupant.
    std::map<std::string, std::string> user_by_skeleton;
    for (const auto& [nick, o] : r.occupants) {
      auto [it, fresh] = user_by_skeleton.emplace(nick_skeleton(nick), o.bare_jid);
      if (!fresh) CHECK(it->second == o.bare_jid);
    }
    CHECK(r.nick_by_skeleton.nicks.size() == r.occupants.size());
    for (const auto& [skel, nick] : r.nick_by_skeleton.nicks) CHECK(skel == nick_skeleton(nick));
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
    // Empty temporary rooms are gone, except one an administrator pre-created with
    // persistent=false that nobody has used yet (it goes when its last occupant leaves).
    if (!r.config.persistent && !unused.contains(r.room_id)) CHECK_FALSE(r.occupants.empty());
    CHECK(r.history.size() <= r.config.history_length);
    // Every live P2P session is between two sessions present in the room: departures end calls.
    for (const auto& [sid, p] : r.p2p) {
      CHECK(p.sid == sid);
      CHECK(p.initiator != p.responder);
      std::size_t parties = 0;
      for (const auto& [nick, o] : r.occupants)
        for (const auto& sess : o.sessions) parties += (sess.id == p.initiator) + (sess.id == p.responder);
      CHECK(parties == 2);
    }
  }
  if (limits.total_bytes != 0) CHECK(history_bytes <= limits.total_bytes);
}

// One step of a randomised run: run the command, check a rejection changed nothing, that
// live state equals replayed state and the invariants hold. Returns the decision.
struct Runner {
  World w;
  std::size_t commands = 0, accepted = 0, events = 0, ended_by_departure = 0;
  std::map<EventType, std::size_t> by_type;
  std::set<std::string> unused;  // see check_invariants

  Decision step(const Command& c) {
    const Service before = w.svc;
    Decision d = w.run(c);
    ++commands;
    if (d.ok()) ++accepted;
    events += d.events.size();
    for (const Event& e : d.events) {
      ++by_type[e.type];
      if (e.type == EventType::room_created && std::get<data::RoomCreated>(e.data).by) unused.insert(e.room_id);
      if (e.type == EventType::occupant_joined) unused.erase(e.room_id);
      const auto* ended = std::get_if<data::P2PSessionEnded>(&e.data);
      if (ended && (ended->reason == "left" || ended->reason == "room_destroyed" || ended->reason == "shutdown"))
        ++ended_by_departure;
    }
    if (!d.ok()) {
      CHECK(d.events.empty());
      CHECK(w.svc == before);  // a rejection never changes state
    }
    // A newcomer who is neither admin nor owner never pushes a room past its limit.
    if (auto* j = std::get_if<Join>(&c); j && d.ok() && !d.events.empty()) {
      const Room* r = w.svc.find(j->room);
      REQUIRE(r != nullptr);
      const Room* rb = before.find(j->room);
      const auto* joined = std::get_if<data::OccupantJoined>(&d.events.back().data);
      const bool new_nick = rb == nullptr || rb->occupant_by_nick(joined ? joined->nick : std::string{}) == nullptr;
      if (r->config.max_occupants != 0 && new_nick && r->affiliation_of(j->user.bare()) < Affiliation::admin)
        CHECK(r->occupants.size() <= r->config.max_occupants);
    }
    REQUIRE(w.replay() == w.svc);
    check_invariants(w.svc, unused, w.cfg.history);
    return d;
  }
};

}  // namespace

TEST_CASE("random: live state equals replayed state after every command, invariants hold") {
  const unsigned base_seed = 20261122;
  std::size_t commands = 0, accepted = 0, events = 0;
  for (unsigned seq = 0; seq < 150; ++seq) {
    const unsigned seed = base_seed + seq;
    CAPTURE(seed);
    Gen g{std::mt19937(seed)};
    Runner run;
    run.w.cfg.max_history_length = 5;
    // Half the runs with byte bounds a few messages reach, per room and for the service.
    if (seq % 2 == 1) run.w.cfg.history = HistoryLimits{.room_bytes = 200, .total_bytes = 400, .recent_per_room = 3};
    for (int step = 0; step < 40; ++step) {
      CAPTURE(step);
      run.step(g.command(run.w.svc));
    }
    commands += run.commands;
    accepted += run.accepted;
    events += run.events;
  }
  MESSAGE("random commands: ", commands, " accepted: ", accepted, " events: ", events);
  CHECK(commands == 6000);
  CHECK(accepted > commands / 5);  // the generator exercises real paths, not only rejections
  CHECK(events > commands / 5);
}

// Calls need people in the same room, which the mix above rarely gathers: here five users
// (some with two sessions) sit in one room, and call commands are interleaved with what
// ends calls — leaving, rejoining, nick changes, kicks, bans, destroy, shutdown.
TEST_CASE("random calls: replay equals live with P2P sessions, media and RTT, parties always present") {
  const unsigned base_seed = 6061122;
  Runner total;
  for (unsigned seq = 0; seq < 200; ++seq) {
    const unsigned seed = base_seed + seq;
    CAPTURE(seed);
    Gen g{std::mt19937(seed)};
    Runner run;
    const std::string room = kRooms[0];
    auto join = [&](const Jid& who) { return Join{who, room, std::string(who.node()), {}, {}, {}}; };
    REQUIRE(run.step(join(jid("ann@example.com/laptop"))).ok());
    REQUIRE(run.step(Configure{Requester::user(jid("ann@example.com/laptop")), room, {}}).ok());
    for (int i = 0; i < 6; ++i) run.step(join(g.user()));
    for (int step = 0; step < 100; ++step) {
      CAPTURE(step);
      const int k = g.upto(99);
      Command c = k < 55 ? g.call(run.w.svc)
                  : k < 68 ? Command{join(g.user())}
                  : k < 78 ? Command{Leave{g.user(), room, {}}}
                  : k < 83 ? Command{ChangeNick{g.user(), room, g.pick(kNicks)}}
                  : k < 88 ? Command{SetRole{Requester::admin("ops"), room, g.pick(kNicks), Role::none, "r"}}
                  : k < 92 ? Command{SetAffiliation{Requester::admin("ops"), room, jid(g.pick(kUsers)),
                                                    g.coin() ? Affiliation::outcast : Affiliation::none, "r"}}
                  : k < 94 ? Command{DestroyRoom{Requester::admin("ops"), room, "bye", ""}}
                  : k < 95 ? Command{Shutdown{}}
                           : Command{SendGroupchat{g.user(), room, "<body>hi</body>", true}};
      run.step(c);
    }
    total.commands += run.commands;
    total.accepted += run.accepted;
    total.ended_by_departure += run.ended_by_departure;
    for (const auto& [t, n] : run.by_type) total.by_type[t] += n;
  }
  MESSAGE("call commands run: ", total.commands, " accepted: ", total.accepted,
          " p2p started: ", total.by_type[EventType::p2p_session_started],
          " ended by departure: ", total.ended_by_departure, " stats: ", total.by_type[EventType::p2p_session_stats]);
  // The mix reaches every call path, including calls cut short by departures.
  for (EventType t : {EventType::p2p_session_started, EventType::p2p_session_ended, EventType::p2p_session_stats,
                      EventType::audio_paused, EventType::audio_resumed, EventType::video_paused,
                      EventType::video_resumed, EventType::screencapture_started, EventType::screencapture_ended,
                      EventType::rtt_enabled, EventType::rtt_disabled}) {
    CAPTURE(to_string(t));
    CHECK(total.by_type[t] > 20);
  }
  CHECK(total.ended_by_departure > 20);
}
