#pragma once
// Room report tests' shared timeline builder and report accessors: one room's events in seq
// order, written the way the core and clients emit them, and lookups into the report Value.
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "core/room_report.hpp"

namespace mucstream::core::report_testing {


constexpr std::int64_t T0 = 1'700'000'000'000;
constexpr std::int64_t s(std::int64_t seconds) { return seconds * 1000; }

// One room's events in seq order, written the way the core and clients emit them.
struct Timeline {
  std::string room_id = "0190f3c2-8a40-7000-8000-000000000001";
  std::vector<Event> events;

  Event& add(EventData data, std::int64_t at_s, std::string actor, std::optional<std::string> peer = std::nullopt) {
    Event e;
    e.id = "ev-" + std::to_string(events.size() + 1);
    e.room = "standup@rooms.test";
    e.room_id = room_id;
    e.seq = events.size() + 1;
    e.actor = std::move(actor);
    e.peer = std::move(peer);
    e.time_ms = T0 + s(at_s);
    e.set_data(std::move(data));
    events.push_back(std::move(e));
    return events.back();
  }
  void created(std::int64_t at) { add(data::RoomCreated{.creator = "ann@x"}, at, ""); }
  void join(std::int64_t at, const std::string& session, const std::string& user) {
    data::OccupantJoined d;
    d.nick = user;
    d.jid = user + "@x/" + session;  // the real JID: never copied into the report
    d.bare_jid = user + "@x";
    d.occupant_id = "oid-" + user;
    add(std::move(d), at, session);
  }
  void leave(std::int64_t at, const std::string& session, const std::string& reason = "left") {
    data::OccupantLeft d;
    d.reason = reason;
    add(std::move(d), at, session);
  }
  void p2p_start(std::int64_t at, const std::string& sid, const std::string& from, const std::string& to,
                 std::vector<std::string> media = {"audio"}) {
    add(data::P2PSessionStarted{.sid = sid, .media = std::move(media)}, at, from, to);
  }
  // Without a duration the event carries none (0), as stored data without the key reads.
  void p2p_end(std::int64_t at, const std::string& sid, const std::string& from, const std::string& to,
               const std::string& reason, std::optional<std::int64_t> duration_ms = std::nullopt) {
    add(data::P2PSessionEnded{.sid = sid, .reason = reason, .duration_ms = duration_ms.value_or(0)}, at, from, to);
  }
  void speak(std::int64_t at, const std::string& session, bool on) {
    if (on) add(data::StartedSpeaking{}, at, session);
    else add(data::StoppedSpeaking{}, at, session);
  }
  void destroy(std::int64_t at, const std::string& reason) {
    data::RoomDestroyed d;
    d.reason = reason;
    add(std::move(d), at, "");
  }

  // What a client reports over HTTP telemetry (talky's vocabulary), `fields` as its data.
  void client(std::int64_t at, EventType type, const std::string& session, Value fields,
              std::optional<std::string> peer = std::nullopt) {
    add(client_data(type, std::move(fields)), at, session, std::move(peer));
  }

  RoomReport fold_all() const {
    RoomReport r;
    for (const Event& e : events) r = fold(std::move(r), e);
    return r;
  }
};

inline const Value& at(const Value& v, std::string_view key) {
  const Value* f = v.find(key);
  REQUIRE_MESSAGE(f != nullptr, "missing ", std::string(key));
  return *f;
}
inline std::int64_t num(const Value& v, std::string_view key) { return at(v, key).as_int(); }

// The entry of participant_times for a user.
inline const Value& person(const Value& report, const std::string& user) {
  for (const Value& p : at(report, "participant_times").as_array())
    if (p.get_string("occupant_id") == "oid-" + user) return p;
  FAIL("no participant ", user);
  static Value none;
  return none;
}

inline const Value& call(const Value& report, const std::string& sid) {
  for (const Value& c : at(at(report, "p2p"), "sessions").as_array())
    if (c.get_string("sid") == sid) return c;
  FAIL("no P2P session ", sid);
  static Value none;
  return none;
}

}  // namespace mucstream::core::report_testing
