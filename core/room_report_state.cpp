// The room report fold state as a core::Value (rooms.report_state), and back. Short keys:
// the state is rewritten on every batch that touches the room. `v` versions the layout; a
// state of another version reads as empty, which a recompute (mucstreamd reports) repairs.
#include "core/room_report.hpp"

namespace mucstream::core {
namespace {

constexpr std::int64_t kStateVersion = 1;

Value span_value(const ReportSpan& s) { return Value(Value::Array{Value(s.open), Value(s.since_ms), Value(s.total_ms)}); }

ReportSpan span_from(const Value* v) {
  ReportSpan s;
  if (!v || !v->is_array() || v->as_array().size() != 3) return s;
  const auto& a = v->as_array();
  s.open = a[0].is_bool() && a[0].as_bool();
  s.since_ms = a[1].is_int() ? a[1].as_int() : 0;
  s.total_ms = a[2].is_int() ? a[2].as_int() : 0;
  return s;
}

Value optional_int(const std::optional<std::int64_t>& v) { return v ? Value(*v) : Value(); }

std::optional<std::int64_t> optional_from(const Value& o, std::string_view key) {
  const Value* v = o.find(key);
  return v && v->is_int() ? std::optional<std::int64_t>(v->as_int()) : std::nullopt;
}

const Value::Array& array_of(const Value& o, std::string_view key) {
  static const Value::Array kEmpty;
  const Value* v = o.find(key);
  return v && v->is_array() ? v->as_array() : kEmpty;
}

}  // namespace

Value state_to_value(const RoomReport& r) {
  Value out = Value::object();
  Value::Object& o = out.as_object();
  o.emplace_back("v", kStateVersion);
  o.emplace_back("room_id", r.room_id);
  o.emplace_back("room", r.room);
  o.emplace_back("last_seq", r.last_seq);
  o.emplace_back("as_of", r.as_of_ms);
  o.emplace_back("created", optional_int(r.created_ms));
  o.emplace_back("ended", optional_int(r.ended_ms));
  o.emplace_back("ended_reason", r.ended_reason);
  o.emplace_back("sessions_now", r.sessions_now);
  o.emplace_back("peak_sessions", r.peak_sessions);
  o.emplace_back("people_now", r.people_now);
  o.emplace_back("peak_people", r.peak_people);
  o.emplace_back("second", optional_int(r.second_person_ms));
  o.emplace_back("together", span_value(r.together));
  o.emplace_back("speaking_reported", r.speaking_reported);
  Value sessions = Value::array();
  for (const auto& [id, s] : r.sessions)
    sessions.as_array().emplace_back(Value::Array{Value(id), Value(s.participant), Value(s.speaking)});
  o.emplace_back("sessions", std::move(sessions));
  Value people = Value::array();
  for (const auto& [k, p] : r.participants) {
    Value v = Value::object();
    Value::Object& m = v.as_object();
    m.emplace_back("k", p.key);
    m.emplace_back("u", p.userid);
    m.emplace_back("n", p.nick);
    m.emplace_back("first", p.first_joined_ms);
    m.emplace_back("sessions", p.sessions);
    m.emplace_back("present", p.present);
    m.emplace_back("in", span_value(p.in_room));
    m.emplace_back("speaking", p.speaking);
    m.emplace_back("spoke", span_value(p.speaking_span));
    people.as_array().push_back(std::move(v));
  }
  o.emplace_back("participants", std::move(people));
  Value calls = Value::array();
  for (const ReportP2P& c : r.p2p) {
    Value v = Value::object();
    Value::Object& m = v.as_object();
    m.emplace_back("sid", c.sid);
    m.emplace_back("i", c.initiator);
    m.emplace_back("r", c.responder);
    Value media = Value::array();
    for (const std::string& k : c.media) media.as_array().emplace_back(k);
    m.emplace_back("media", std::move(media));
    m.emplace_back("start", c.started_ms);
    m.emplace_back("end", optional_int(c.ended_ms));
    m.emplace_back("dur", c.duration_ms);
    m.emplace_back("reason", c.reason);
    m.emplace_back("outcome", c.outcome);
    m.emplace_back("src", c.source);
    m.emplace_back("cs", Value(Value::Array{Value(c.failed_state), Value(c.interrupted_state)}));
    calls.as_array().push_back(std::move(v));
  }
  o.emplace_back("p2p", std::move(calls));
  return out;
}

RoomReport state_from_value(const Value& v) {
  RoomReport r;
  if (!v.is_object() || v.get_int("v") != kStateVersion) return r;
  r.room_id = v.get_string("room_id");
  r.room = v.get_string("room");
  r.last_seq = static_cast<std::uint64_t>(v.get_int("last_seq"));
  r.as_of_ms = v.get_int("as_of");
  r.created_ms = optional_from(v, "created");
  r.ended_ms = optional_from(v, "ended");
  r.ended_reason = v.get_string("ended_reason");
  r.sessions_now = v.get_int("sessions_now");
  r.peak_sessions = v.get_int("peak_sessions");
  r.people_now = v.get_int("people_now");
  r.peak_people = v.get_int("peak_people");
  r.second_person_ms = optional_from(v, "second");
  r.together = span_from(v.find("together"));
  r.speaking_reported = v.get_bool("speaking_reported");
  for (const Value& s : array_of(v, "sessions")) {
    if (!s.is_array() || s.as_array().size() != 3) continue;
    const auto& a = s.as_array();
    if (!a[0].is_string() || !a[1].is_string()) continue;
    r.sessions[a[0].as_string()] = ReportSession{a[1].as_string(), a[2].is_bool() && a[2].as_bool()};
  }
  for (const Value& m : array_of(v, "participants")) {
    ReportParticipant p;
    p.key = m.get_string("k");
    p.userid = m.get_string("u");
    p.nick = m.get_string("n");
    p.first_joined_ms = m.get_int("first");
    p.sessions = m.get_int("sessions");
    p.present = m.get_int("present");
    p.in_room = span_from(m.find("in"));
    p.speaking = m.get_int("speaking");
    p.speaking_span = span_from(m.find("spoke"));
    r.participants[p.key] = std::move(p);
  }
  for (const Value& m : array_of(v, "p2p")) {
    ReportP2P c;
    c.sid = m.get_string("sid");
    c.initiator = m.get_string("i");
    c.responder = m.get_string("r");
    for (const Value& k : array_of(m, "media"))
      if (k.is_string()) c.media.push_back(k.as_string());
    c.started_ms = m.get_int("start");
    c.ended_ms = optional_from(m, "end");
    c.duration_ms = m.get_int("dur");
    c.reason = m.get_string("reason");
    c.outcome = m.get_string("outcome", "open");
    // States written before telemetry calls were folded lack these: Jingle-observed, no states.
    c.source = m.get_string("src", "jingle");
    const auto& states = array_of(m, "cs");
    c.failed_state = states.size() == 2 && states[0].is_bool() && states[0].as_bool();
    c.interrupted_state = states.size() == 2 && states[1].is_bool() && states[1].as_bool();
    r.p2p.push_back(std::move(c));
  }
  return r;
}

}  // namespace mucstream::core
