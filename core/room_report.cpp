// The room report fold and the report it renders (see room_report.hpp).
#include "core/room_report.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace mucstream::core {
namespace {

std::int64_t elapsed(std::int64_t from, std::int64_t to) { return std::max<std::int64_t>(0, to - from); }

// Jingle (XEP-0166 §7.4) reasons that mean the call did not work.
bool failure_reason(std::string_view r) {
  static constexpr std::array<std::string_view, 11> kFailures = {
      "connectivity-error", "failed-application",       "failed-transport",      "general-error",
      "incompatible-parameters", "media-error",         "security-error",        "timeout",
      "unsupported-applications", "unsupported-transports", "expired"};
  return std::find(kFailures.begin(), kFailures.end(), r) != kFailures.end();
}

// Reasons that mean the call was cut off from outside: a party went (occupant_left reasons,
// Jingle's <gone/>) or the room did.
bool interruption_reason(std::string_view r) {
  static constexpr std::array<std::string_view, 9> kInterruptions = {
      "left", "kicked", "banned", "affiliation_lost", "members_only", "room_destroyed", "shutdown", "gone", "ghost"};
  return std::find(kInterruptions.begin(), kInterruptions.end(), r) != kInterruptions.end();
}

// The outcome of an ended session: what ended it, and what its clients reported meanwhile.
std::string outcome_of(const ReportP2P& p) {
  if (failure_reason(p.reason) || p.duration_ms <= 0 || p.failed_state) return "failed";
  if (interruption_reason(p.reason) || p.interrupted_state) return "interrupted";
  return "completed";
}

void close_p2p(ReportP2P& p, std::int64_t t, std::string reason) {
  p.ended_ms = t;
  p.duration_ms = elapsed(p.started_ms, t);
  p.reason = std::move(reason);
  p.outcome = outcome_of(p);
}

ReportP2P* open_p2p(RoomReport& r, const std::string& sid) {
  for (auto it = r.p2p.rbegin(); it != r.p2p.rend(); ++it)
    if (it->sid == sid && it->outcome == "open") return &*it;
  return nullptr;
}

// The newest session with this sid, open or ended (a connection state may come late).
ReportP2P* latest_p2p(RoomReport& r, const std::string& sid) {
  for (auto it = r.p2p.rbegin(); it != r.p2p.rend(); ++it)
    if (it->sid == sid) return &*it;
  return nullptr;
}

// Adds a media kind once, keeping the order audio, video, screen that p2p_session_started uses.
void add_media(std::vector<std::string>& media, const std::string& kind) {
  static constexpr std::array<std::string_view, 3> kOrder = {"audio", "video", "screen"};
  if (std::find(media.begin(), media.end(), kind) != media.end()) return;
  media.push_back(kind);
  std::stable_sort(media.begin(), media.end(), [](const std::string& a, const std::string& b) {
    return std::find(kOrder.begin(), kOrder.end(), a) < std::find(kOrder.begin(), kOrder.end(), b);
  });
}

void stop_speaking(RoomReport& r, ReportSession& s, std::int64_t t) {
  if (!s.speaking) return;
  s.speaking = false;
  ReportParticipant& p = r.participants[s.participant];
  if (--p.speaking == 0) p.speaking_span.stop(t);
}

void join(RoomReport& r, const Event& e, const data::OccupantJoined& d) {
  if (e.actor.empty() || r.sessions.count(e.actor)) return;
  std::string key = d.occupant_id;
  if (key.empty()) key = d.bare_jid;
  if (key.empty()) key = e.actor;
  ReportParticipant& p = r.participants[key];
  if (p.key.empty()) {
    p.key = key;
    p.first_joined_ms = e.time_ms;
  }
  if (!d.bare_jid.empty()) p.userid = d.bare_jid;  // stored data without them keeps what is known
  if (!d.nick.empty()) p.nick = d.nick;
  ++p.sessions;
  r.sessions[e.actor] = ReportSession{key, false};
  if (p.present++ == 0) {
    p.in_room.start(e.time_ms);
    ++r.people_now;
  }
  ++r.sessions_now;
  r.peak_sessions = std::max(r.peak_sessions, r.sessions_now);
  r.peak_people = std::max(r.peak_people, r.people_now);
  if (r.people_now >= 2) {
    r.together.start(e.time_ms);
    if (!r.second_person_ms) r.second_person_ms = e.time_ms;
  }
}

void leave(RoomReport& r, const std::string& session, std::int64_t t, const std::string& reason) {
  auto it = r.sessions.find(session);
  if (it == r.sessions.end()) return;
  stop_speaking(r, it->second, t);
  ReportParticipant& p = r.participants[it->second.participant];
  if (--p.present == 0) {
    p.in_room.stop(t);
    --r.people_now;
  }
  --r.sessions_now;
  if (r.people_now < 2) r.together.stop(t);
  // A P2P session cannot outlive one of its parties in the room.
  for (ReportP2P& c : r.p2p)
    if (c.outcome == "open" && (c.initiator == session || c.responder == session))
      close_p2p(c, t, reason.empty() ? "left" : reason);
  r.sessions.erase(it);
}

void speaking(RoomReport& r, const Event& e, bool on) {
  r.speaking_reported = true;
  auto it = r.sessions.find(e.actor);
  if (it == r.sessions.end()) return;  // not (or no longer) in the room
  if (!on) return stop_speaking(r, it->second, e.time_ms);
  if (it->second.speaking) return;
  it->second.speaking = true;
  ReportParticipant& p = r.participants[it->second.participant];
  if (p.speaking++ == 0) p.speaking_span.start(e.time_ms);
}

void p2p_started(RoomReport& r, const Event& e, const data::P2PSessionStarted& d) {
  const std::string& sid = d.sid;
  if (ReportP2P* known = open_p2p(r, sid)) {  // a client reported it first: the room adds the media it saw
    for (const std::string& k : d.media) add_media(known->media, k);
    return;
  }
  ReportP2P c;
  c.sid = sid;
  c.initiator = e.actor;
  c.responder = e.peer.value_or("");
  c.media = d.media;
  c.started_ms = e.time_ms;
  r.p2p.push_back(std::move(c));
}

void p2p_ended(RoomReport& r, const Event& e, const data::P2PSessionEnded& d) {
  const std::string& sid = d.sid;
  const std::string& reason = d.reason;
  if (ReportP2P* c = open_p2p(r, sid)) return close_p2p(*c, e.time_ms, reason);
  for (const ReportP2P& c : r.p2p)
    if (c.sid == sid) return;  // already closed when a party left
  // The start was never seen: take the duration the event states.
  ReportP2P c;
  c.sid = sid;
  c.initiator = e.actor;
  c.responder = e.peer.value_or("");
  const std::int64_t duration = std::max<std::int64_t>(0, d.duration_ms);
  c.started_ms = e.time_ms - duration;
  r.p2p.push_back(c);
  close_p2p(r.p2p.back(), e.time_ms, reason);
}

// Talky's client telemetry about its peer connections. `data.sid` names the session (the
// Jingle sid, shared by both parties); events without one say nothing about a call.
std::string reported_sid(const Value& fields) {
  const Value* sid = fields.find("sid");
  return sid && sid->is_string() ? sid->as_string() : std::string();
}

void peer_session_added(RoomReport& r, const Event& e, const Value& fields) {
  const std::string sid = reported_sid(fields);
  if (sid.empty()) return;
  const std::string peer = e.peer.value_or("");
  // isInitiator as talky's client reports it; absent means the reporter started it.
  const bool initiator = fields.get_bool("isInitiator", true);
  const std::string& from = initiator ? e.actor : peer;
  const std::string& to = initiator ? peer : e.actor;
  if (ReportP2P* known = open_p2p(r, sid)) {  // the other party, or the room, reported it already
    if (known->initiator.empty()) known->initiator = from;
    if (known->responder.empty()) known->responder = to;
    return;
  }
  // A sid the room saw in Jingle is that session's also once it ended: a client's report
  // arriving after the session-terminate (telemetry is posted in batches) is not a second call.
  if (const ReportP2P* last = latest_p2p(r, sid); last != nullptr && last->source == "jingle") return;
  // A party that is not (or no longer) in the room cannot start a call there.
  if (!r.sessions.count(e.actor)) return;
  ReportP2P c;
  c.sid = sid;
  c.initiator = from;
  c.responder = to;
  c.started_ms = e.time_ms;
  c.source = "telemetry";
  r.p2p.push_back(std::move(c));
}

void peer_session_removed(RoomReport& r, const Event& e, const Value& fields) {
  ReportP2P* c = open_p2p(r, reported_sid(fields));
  // A session the room saw in Jingle ends with its session-terminate, not with a client's word.
  if (c == nullptr || c->source != "telemetry") return;
  std::string reason = fields.get_string("reason");
  close_p2p(*c, e.time_ms, reason.empty() ? "removed" : std::move(reason));
}

void peer_connection_state(RoomReport& r, const Value& fields) {
  ReportP2P* c = latest_p2p(r, reported_sid(fields));
  if (c == nullptr) return;
  const std::string state = fields.get_string("connectionState");
  if (state == "failed") c->failed_state = true;
  else if (state == "interrupted") c->interrupted_state = true;
  else return;
  if (c->ended_ms) c->outcome = outcome_of(*c);
}

void peer_stream_added(RoomReport& r, const Value& fields) {
  ReportP2P* c = latest_p2p(r, reported_sid(fields));
  if (c == nullptr) return;
  for (const char* kind : {"audio", "video", "screen"})
    if (fields.get_bool(kind)) add_media(c->media, kind);
}

void destroyed(RoomReport& r, const Event& e, const data::RoomDestroyed& d) {
  std::vector<std::string> live;
  for (const auto& [id, s] : r.sessions) live.push_back(id);
  for (const std::string& id : live) leave(r, id, e.time_ms, "room_destroyed");
  for (ReportP2P& c : r.p2p)
    if (c.outcome == "open") close_p2p(c, e.time_ms, "room_destroyed");
  r.ended_ms = e.time_ms;
  r.ended_reason = d.reason;
}

}  // namespace

void ReportSpan::start(std::int64_t t) {
  if (open) return;
  open = true;
  since_ms = t;
}

void ReportSpan::stop(std::int64_t t) {
  if (!open) return;
  total_ms += elapsed(since_ms, t);
  open = false;
}

std::int64_t ReportSpan::at(std::int64_t t) const { return total_ms + (open ? elapsed(since_ms, t) : 0); }

bool report_relevant(EventType t) {
  using T = EventType;
  switch (t) {
    case T::room_created:
    case T::room_destroyed:
    case T::occupant_joined:
    case T::occupant_left:
    case T::nick_changed:
    case T::p2p_session_started:
    case T::p2p_session_ended:
    case T::started_speaking:
    case T::stopped_speaking:
    case T::peer_session_added:
    case T::peer_session_removed:
    case T::peer_session_connection_state:
    case T::peer_stream_added:
      return true;
    default:
      return false;
  }
}

RoomReport fold(RoomReport r, const Event& e) {
  if (!report_relevant(e.type)) return r;
  if (!r.room_id.empty() && e.room_id != r.room_id) return r;
  if (e.seq <= r.last_seq) return r;  // redelivered or already folded
  if (r.room_id.empty()) r.room_id = e.room_id;
  if (r.room.empty()) r.room = e.room;
  switch (e.type) {
    case EventType::room_created: r.created_ms = e.time_ms; break;
    case EventType::occupant_joined: join(r, e, std::get<data::OccupantJoined>(e.data)); break;
    case EventType::occupant_left: leave(r, e.actor, e.time_ms, std::get<data::OccupantLeft>(e.data).reason); break;
    case EventType::nick_changed:
      if (auto it = r.sessions.find(e.actor); it != r.sessions.end())
        r.participants[it->second.participant].nick = std::get<data::NickChanged>(e.data).new_nick;
      break;
    case EventType::started_speaking: speaking(r, e, true); break;
    case EventType::stopped_speaking: speaking(r, e, false); break;
    case EventType::p2p_session_started: p2p_started(r, e, std::get<data::P2PSessionStarted>(e.data)); break;
    case EventType::p2p_session_ended: p2p_ended(r, e, std::get<data::P2PSessionEnded>(e.data)); break;
    case EventType::room_destroyed: destroyed(r, e, std::get<data::RoomDestroyed>(e.data)); break;
    case EventType::peer_session_added:
      peer_session_added(r, e, std::get<data::PeerSessionAdded>(e.data).fields);
      break;
    case EventType::peer_session_removed:
      peer_session_removed(r, e, std::get<data::PeerSessionRemoved>(e.data).fields);
      break;
    case EventType::peer_session_connection_state:
      peer_connection_state(r, std::get<data::PeerSessionConnectionState>(e.data).fields);
      break;
    case EventType::peer_stream_added: peer_stream_added(r, std::get<data::PeerStreamAdded>(e.data).fields); break;
    default: break;
  }
  r.last_seq = e.seq;
  r.as_of_ms = std::max(r.as_of_ms, e.time_ms);
  return r;
}

Value to_value(const RoomReport& r) {
  const std::int64_t now = r.ended_ms.value_or(r.as_of_ms);
  auto optional_ms = [](const std::optional<std::int64_t>& v) { return v ? Value(*v) : Value(); };
  Value out = Value::object();
  Value::Object& o = out.as_object();
  o.emplace_back("version", 1);
  o.emplace_back("ended", r.ended_ms.has_value());
  o.emplace_back("ended_ms", optional_ms(r.ended_ms));
  o.emplace_back("ended_reason", r.ended_ms ? Value(r.ended_reason) : Value());
  o.emplace_back("created_ms", optional_ms(r.created_ms));
  o.emplace_back("as_of_ms", r.as_of_ms);
  o.emplace_back("duration_ms", r.created_ms ? Value(elapsed(*r.created_ms, now)) : Value());
  o.emplace_back("peak_sessions", r.peak_sessions);
  o.emplace_back("peak_participants", r.peak_people);
  o.emplace_back("participants", static_cast<std::int64_t>(r.participants.size()));
  std::int64_t sessions = 0;
  for (const auto& [k, p] : r.participants) sessions += p.sessions;
  o.emplace_back("sessions", sessions);
  o.emplace_back("initial_wait_ms", r.created_ms && r.second_person_ms
                                        ? Value(elapsed(*r.created_ms, *r.second_person_ms))
                                        : Value());
  o.emplace_back("usable_ms", r.together.at(now));

  // Participants in order of arrival.
  std::vector<const ReportParticipant*> people;
  for (const auto& [k, p] : r.participants) people.push_back(&p);
  std::stable_sort(people.begin(), people.end(), [](const ReportParticipant* a, const ReportParticipant* b) {
    return a->first_joined_ms < b->first_joined_ms;
  });
  Value list = Value::array();
  for (const ReportParticipant* p : people) {
    Value v = Value::object();
    Value::Object& m = v.as_object();
    m.emplace_back("occupant_id", p->key);
    m.emplace_back("userid", p->userid);
    m.emplace_back("nick", p->nick);
    m.emplace_back("sessions", p->sessions);
    m.emplace_back("first_joined_ms", p->first_joined_ms);
    m.emplace_back("present_ms", p->in_room.at(now));
    m.emplace_back("speaking_ms", r.speaking_reported ? Value(p->speaking_span.at(now)) : Value());
    list.as_array().push_back(std::move(v));
  }
  o.emplace_back("participant_times", std::move(list));

  Value p2p = Value::object();
  Value calls = Value::array();
  std::int64_t completed = 0, failed = 0, interrupted = 0, open = 0, total = 0;
  for (const ReportP2P& c : r.p2p) {
    const std::int64_t d = c.ended_ms ? c.duration_ms : elapsed(c.started_ms, now);
    total += d;
    if (c.outcome == "completed") ++completed;
    else if (c.outcome == "failed") ++failed;
    else if (c.outcome == "interrupted") ++interrupted;
    else ++open;
    Value v = Value::object();
    Value::Object& m = v.as_object();
    m.emplace_back("sid", c.sid);
    m.emplace_back("initiator", c.initiator);
    m.emplace_back("responder", c.responder);
    Value media = Value::array();
    for (const std::string& k : c.media) media.as_array().emplace_back(k);
    m.emplace_back("media", std::move(media));
    m.emplace_back("started_ms", c.started_ms);
    m.emplace_back("ended_ms", optional_ms(c.ended_ms));
    m.emplace_back("duration_ms", d);
    m.emplace_back("reason", c.ended_ms ? Value(c.reason) : Value());
    m.emplace_back("outcome", c.outcome);
    m.emplace_back("source", c.source);
    calls.as_array().push_back(std::move(v));
  }
  Value::Object& s = p2p.as_object();
  s.emplace_back("count", static_cast<std::int64_t>(r.p2p.size()));
  s.emplace_back("completed", completed);
  s.emplace_back("failed", failed);
  s.emplace_back("interrupted", interrupted);
  s.emplace_back("open", open);
  s.emplace_back("total_ms", total);
  s.emplace_back("sessions", std::move(calls));
  o.emplace_back("p2p", std::move(p2p));
  return out;
}

}  // namespace mucstream::core
