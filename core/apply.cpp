// apply(state, event): the only code that changes room state. Replaying the event log
// from an empty Service through it rebuilds every room exactly.
#include <algorithm>

#include "core/decide.hpp"
#include "core/history_bounds.hpp"
#include "core/nick_skeleton.hpp"

namespace mucstream::core {
namespace {

void index_nick(Room& r, const std::string& nick) { r.nick_by_skeleton.nicks.emplace(nick_skeleton(nick), nick); }

void unindex_nick(Room& r, const std::string& nick) {
  auto [from, to] = r.nick_by_skeleton.nicks.equal_range(nick_skeleton(nick));
  for (auto it = from; it != to; ++it)
    if (it->second == nick) return void(r.nick_by_skeleton.nicks.erase(it));
}

// A room that did not come from apply() (a snapshot) gets its index at its first event.
void sync_skeletons(Room& r) {
  if (r.nick_by_skeleton.nicks.size() == r.occupants.size()) return;
  r.nick_by_skeleton.nicks.clear();
  for (const auto& [nick, o] : r.occupants) index_nick(r, nick);
}

void create(Service& s, const Event& e, const data::RoomCreated& d) {
  Room r;
  r.jid = e.room;
  r.room_id = e.room_id;
  r.seq = e.seq;  // the next decision numbers after it (a pre-created room's first join is seq 2)
  r.created_ms = e.time_ms;
  r.last_activity_ms = e.time_ms;
  r.config = d.config;
  r.awaiting_configuration = d.awaiting_configuration;
  r.occupant_id_salt = d.occupant_id_salt;
  r.affiliations[d.creator] = {Affiliation::owner, {}};
  if (const Room* before = s.find(e.room)) s.jid_by_room_id.erase(before->room_id);
  s.jid_by_room_id[r.room_id] = e.room;
  s.rooms.insert_or_assign(e.room, std::move(r));
}

void join(Room& r, const Event& e, const data::OccupantJoined& d) {
  auto [it, fresh] = r.occupants.try_emplace(d.nick);
  Occupant& o = it->second;
  if (fresh) {
    index_nick(r, d.nick);
    o.nick = d.nick;
    o.bare_jid = d.bare_jid;
    o.occupant_id = d.occupant_id;
    o.role = d.role;
  }
  o.sessions.push_back(Session{e.actor, d.jid, e.time_ms, d.client, {}});
  r.last_activity_ms = e.time_ms;
  r.nick_by_session_jid[o.sessions.back().full_jid] = d.nick;
}

void leave(Room& r, const Event& e, const data::OccupantLeft& d) {
  auto it = r.occupants.find(d.nick);
  if (it == r.occupants.end()) return;
  auto& sessions = it->second.sessions;
  auto s = std::find_if(sessions.begin(), sessions.end(), [&](const Session& x) { return x.id == e.actor; });
  if (s == sessions.end()) return;
  r.nick_by_session_jid.erase(s->full_jid);
  sessions.erase(s);
  if (sessions.empty()) {
    unindex_nick(r, d.nick);
    r.occupants.erase(it);
  }
}

void rename(Room& r, const data::NickChanged& d) {
  auto node = r.occupants.extract(d.old_nick);
  if (node.empty()) return;
  unindex_nick(r, d.old_nick);
  index_nick(r, d.new_nick);
  node.key() = d.new_nick;
  node.mapped().nick = d.new_nick;
  for (const auto& s : node.mapped().sessions) r.nick_by_session_jid[s.full_jid] = d.new_nick;
  r.occupants.insert(std::move(node));
}

void remember(Room& r, const Event& e, const data::MessageSent& d, const HistoryLimits& limits) {
  r.last_activity_ms = e.time_ms;
  // XEP-0334: a no-store message was relayed; newcomers' history does not replay it.
  if (r.config.history_length == 0 || d.no_store.value_or(false)) return;
  r.history.push_back(HistoryEntry{d.nick, d.occupant_id, d.jid, d.payload, e.id, e.time_ms});
  detail::trim_room_history(r, limits);
}

std::string bare_of(const std::string& full_jid) { return full_jid.substr(0, full_jid.find('/')); }

// Every message is remembered for corrections and retractions, whatever the history keeps.
void index_message(Room& r, const Event& e, const data::MessageSent& d, const HistoryLimits& limits) {
  r.recent.add(RecentMessage{e.id, d.client_id.value_or(std::string{}), bare_of(d.jid), d.occupant_id, e.time_ms, {}},
               limits.recent_per_room);
}

// XEP-0308: newcomers see the current text; the correction's ids name the original too.
void correct(Room& r, const Event& e, const data::MessageCorrected& d, const HistoryLimits& limits) {
  r.last_activity_ms = e.time_ms;  // a correction is a message: the room is not idle
  if (r.history.replace_payload(d.target, d.payload)) detail::trim_room_history(r, limits);
  r.recent.add(RecentMessage{e.id, d.client_id.value_or(std::string{}), bare_of(d.jid), d.occupant_id, e.time_ms, d.target},
               limits.recent_per_room);
}

// XEP-0424/0425: newcomers never see a retracted message, and it cannot be named again.
void retract(Room& r, const data::MessageRetracted& d) {
  r.history.erase(d.target);
  r.recent.forget(d.target);
}

void set_affiliation(Room& r, const data::AffiliationChanged& d) {
  const Affiliation before = r.affiliation_of(d.jid);
  if (d.affiliation == Affiliation::none) r.affiliations.erase(d.jid);
  else r.affiliations[d.jid] = {d.affiliation, d.reason};
  for (auto& [nick, o] : r.occupants)
    if (o.bare_jid == d.jid) o.role = role_after_affiliation_change(o.role, before, d.affiliation, r.config.moderated);
}

void set_role(Room& r, const data::RoleChanged& d) {
  auto o = r.occupants.find(d.nick);
  if (o != r.occupants.end() && d.role) o->second.role = *d.role;
}

Session* session_by_id(Room& r, const std::string& id) {
  for (auto& [nick, o] : r.occupants)
    for (auto& s : o.sessions)
      if (s.id == id) return &s;
  return nullptr;
}

// Media events set one flag of the acting session.
void set_media(Room& r, const Event& e, bool MediaState::*flag, bool on) {
  if (Session* s = session_by_id(r, e.actor)) s->media.*flag = on;
}

// decide_jingle only starts a session between two present sessions under a fresh sid; the
// same guard here keeps events from elsewhere (talky telemetry uses the same types) from
// replacing a live call or leaving one whose party can never leave.
void start_p2p(Room& r, const Event& e, const data::P2PSessionStarted& d) {
  P2PSession p;
  p.sid = d.sid;
  p.initiator = e.actor;
  p.responder = e.peer.value_or(std::string{});
  if (p.sid.empty() || r.p2p.contains(p.sid) || p.initiator == p.responder) return;
  if (session_by_id(r, p.initiator) == nullptr || session_by_id(r, p.responder) == nullptr) return;
  p.started_ms = e.time_ms;
  p.media = d.media;
  r.p2p.emplace(p.sid, std::move(p));
}

void configure(Room& r, const data::RoomConfigured& d, const HistoryLimits& limits) {
  r.config = d.config;
  r.awaiting_configuration = false;
  detail::trim_room_history(r, limits);
}

// Overloads per data struct; the catch-all covers what is a record, not room state (P2P
// stats, private messages, client telemetry).
struct Applier {
  Service& s;
  Room& r;
  const Event& e;
  const HistoryLimits& limits;

  void operator()(const data::RoomCreated&) {}  // handled before the room is looked up
  void operator()(const data::RoomDestroyed&) {
    s.jid_by_room_id.erase(r.room_id);
    s.rooms.erase(e.room);
  }
  void operator()(const data::RoomLocked&) { r.locked = true; }
  void operator()(const data::RoomUnlocked&) { r.locked = false; }
  void operator()(const data::OccupantJoined& d) { join(r, e, d); }
  void operator()(const data::OccupantLeft& d) { leave(r, e, d); }
  void operator()(const data::MessageSent& d) {
    index_message(r, e, d, limits);
    remember(r, e, d, limits);
  }
  void operator()(const data::MessageCorrected& d) { correct(r, e, d, limits); }
  void operator()(const data::MessageRetracted& d) { retract(r, d); }
  void operator()(const data::RoomConfigured& d) { configure(r, d, limits); }
  void operator()(const data::AffiliationChanged& d) { set_affiliation(r, d); }
  void operator()(const data::RoleChanged& d) { set_role(r, d); }
  void operator()(const data::SubjectChanged& d) {
    r.subject = d.subject;
    r.subject_nick = d.nick;
  }
  void operator()(const data::NickChanged& d) { rename(r, d); }
  void operator()(const data::P2PSessionStarted& d) { start_p2p(r, e, d); }
  void operator()(const data::P2PSessionEnded& d) { r.p2p.erase(d.sid); }
  void operator()(const data::AudioPaused&) { set_media(r, e, &MediaState::audio_paused, true); }
  void operator()(const data::AudioResumed&) { set_media(r, e, &MediaState::audio_paused, false); }
  void operator()(const data::VideoPaused&) { set_media(r, e, &MediaState::video_paused, true); }
  void operator()(const data::VideoResumed&) { set_media(r, e, &MediaState::video_paused, false); }
  void operator()(const data::ScreencaptureStarted&) { set_media(r, e, &MediaState::screen_sharing, true); }
  void operator()(const data::ScreencaptureEnded&) { set_media(r, e, &MediaState::screen_sharing, false); }
  void operator()(const data::RttEnabled&) { set_media(r, e, &MediaState::rtt, true); }
  void operator()(const data::RttDisabled&) { set_media(r, e, &MediaState::rtt, false); }
  template <class Record>
  void operator()(const Record&) {}
};

}  // namespace

void apply(Service& s, const Event& e, const HistoryLimits& limits) {
  auto it = s.rooms.find(e.room);
  // The service's history total follows every room's history once it is known.
  const std::size_t before = it == s.rooms.end() ? 0 : it->second.history.bytes();
  if (const auto* created = std::get_if<data::RoomCreated>(&e.data)) {
    create(s, e, *created);
    if (s.history_total.bytes) *s.history_total.bytes -= before;
    return;
  }
  // An event for a room that is not there (or a previous incarnation of it) changes nothing.
  if (it == s.rooms.end() || it->second.room_id != e.room_id) return;
  Room& r = it->second;
  r.seq = e.seq;
  sync_skeletons(r);
  std::visit(Applier{s, r, e, limits}, e.data);
  const std::size_t after = std::holds_alternative<data::RoomDestroyed>(e.data) ? 0 : r.history.bytes();
  if (s.history_total.bytes) *s.history_total.bytes = *s.history_total.bytes - before + after;
  if (std::holds_alternative<data::MessageSent>(e.data) || std::holds_alternative<data::MessageCorrected>(e.data))
    detail::trim_service_history(s, limits);
}

void apply(Service& s, const Event& e) { apply(s, e, HistoryLimits{}); }

}  // namespace mucstream::core
