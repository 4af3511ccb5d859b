// apply(state, event): the only code that changes room state. Replaying the event log
// from an empty Service through it rebuilds every room exactly.
#include <algorithm>

#include "core/decide.hpp"

namespace mucstream::core {
namespace {

void create(Service& s, const Event& e) {
  Room r;
  r.jid = e.room;
  r.room_id = e.room_id;
  r.created_ms = e.time_ms;
  r.config = room_config_from_value(e.data.find("config") ? *e.data.find("config") : Value{});
  r.awaiting_configuration = e.data.get_bool("awaiting_configuration");
  r.occupant_id_salt = e.data.get_string("occupant_id_salt");
  r.affiliations[e.data.get_string("creator")] = {Affiliation::owner, {}};
  if (const Room* before = s.find(e.room)) s.jid_by_room_id.erase(before->room_id);
  s.jid_by_room_id[r.room_id] = e.room;
  s.rooms.insert_or_assign(e.room, std::move(r));
}

void join(Room& r, const Event& e) {
  const std::string nick = e.data.get_string("nick");
  auto [it, fresh] = r.occupants.try_emplace(nick);
  Occupant& o = it->second;
  if (fresh) {
    o.nick = nick;
    o.bare_jid = e.data.get_string("bare_jid");
    o.occupant_id = e.data.get_string("occupant_id");
    o.role = role_from_string(e.data.get_string("role")).value_or(Role::participant);
  }
  const Value* client = e.data.find("client");
  o.sessions.push_back(Session{e.actor, e.data.get_string("jid"), e.time_ms, client ? *client : Value::object(), {}});
  r.nick_by_session_jid[o.sessions.back().full_jid] = nick;
}

void leave(Room& r, const Event& e) {
  auto it = r.occupants.find(e.data.get_string("nick"));
  if (it == r.occupants.end()) return;
  auto& sessions = it->second.sessions;
  auto s = std::find_if(sessions.begin(), sessions.end(), [&](const Session& x) { return x.id == e.actor; });
  if (s == sessions.end()) return;
  r.nick_by_session_jid.erase(s->full_jid);
  sessions.erase(s);
  if (sessions.empty()) r.occupants.erase(it);
}

void rename(Room& r, const Event& e) {
  auto node = r.occupants.extract(e.data.get_string("old_nick"));
  if (node.empty()) return;
  const std::string nick = e.data.get_string("new_nick");
  node.key() = nick;
  node.mapped().nick = nick;
  for (const auto& s : node.mapped().sessions) r.nick_by_session_jid[s.full_jid] = nick;
  r.occupants.insert(std::move(node));
}

void remember(Room& r, const Event& e) {
  if (r.config.history_length == 0) return;
  r.history.push_back(HistoryEntry{e.data.get_string("nick"), e.data.get_string("occupant_id"),
                                   e.data.get_string("jid"), e.data.get_string("payload"), e.id, e.time_ms});
  while (r.history.size() > r.config.history_length) r.history.pop_front();
}

void set_affiliation(Room& r, const Event& e) {
  const std::string jid = e.data.get_string("jid");
  const Affiliation next = affiliation_from_string(e.data.get_string("affiliation")).value_or(Affiliation::none);
  const Affiliation before = r.affiliation_of(jid);
  if (next == Affiliation::none) r.affiliations.erase(jid);
  else r.affiliations[jid] = {next, e.data.get_string("reason")};
  for (auto& [nick, o] : r.occupants)
    if (o.bare_jid == jid) o.role = role_after_affiliation_change(o.role, before, next, r.config.moderated);
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
void start_p2p(Room& r, const Event& e) {
  P2PSession p;
  p.sid = e.data.get_string("sid");
  p.initiator = e.actor;
  p.responder = e.peer.value_or(std::string{});
  if (p.sid.empty() || r.p2p.contains(p.sid) || p.initiator == p.responder) return;
  if (session_by_id(r, p.initiator) == nullptr || session_by_id(r, p.responder) == nullptr) return;
  p.started_ms = e.time_ms;
  if (const Value* media = e.data.find("media"); media && media->is_array())
    for (const Value& m : media->as_array())
      if (m.is_string()) p.media.push_back(m.as_string());
  r.p2p.emplace(p.sid, std::move(p));
}

void configure(Room& r, const Event& e) {
  r.config = room_config_from_value(e.data.find("config") ? *e.data.find("config") : Value{});
  r.awaiting_configuration = false;
  while (r.history.size() > r.config.history_length) r.history.pop_front();
}

}  // namespace

void apply(Service& s, const Event& e) {
  if (e.type == EventType::room_created) return create(s, e);
  auto it = s.rooms.find(e.room);
  // An event for a room that is not there (or a previous incarnation of it) changes nothing.
  if (it == s.rooms.end() || it->second.room_id != e.room_id) return;
  Room& r = it->second;
  r.seq = e.seq;
  switch (e.type) {
    case EventType::room_destroyed:
      s.jid_by_room_id.erase(r.room_id);
      s.rooms.erase(it);
      return;
    case EventType::room_locked: r.locked = true; return;
    case EventType::room_unlocked: r.locked = false; return;
    case EventType::occupant_joined: return join(r, e);
    case EventType::occupant_left: return leave(r, e);
    case EventType::message_sent: return remember(r, e);
    case EventType::room_configured: return configure(r, e);
    case EventType::affiliation_changed: return set_affiliation(r, e);
    case EventType::role_changed: {
      auto o = r.occupants.find(e.data.get_string("nick"));
      if (o != r.occupants.end()) o->second.role = role_from_string(e.data.get_string("role")).value_or(o->second.role);
      return;
    }
    case EventType::subject_changed:
      r.subject = e.data.get_string("subject");
      r.subject_nick = e.data.get_string("nick");
      return;
    case EventType::nick_changed: return rename(r, e);
    case EventType::p2p_session_started: return start_p2p(r, e);
    case EventType::p2p_session_ended: r.p2p.erase(e.data.get_string("sid")); return;
    case EventType::audio_paused: return set_media(r, e, &MediaState::audio_paused, true);
    case EventType::audio_resumed: return set_media(r, e, &MediaState::audio_paused, false);
    case EventType::video_paused: return set_media(r, e, &MediaState::video_paused, true);
    case EventType::video_resumed: return set_media(r, e, &MediaState::video_paused, false);
    case EventType::screencapture_started: return set_media(r, e, &MediaState::screen_sharing, true);
    case EventType::screencapture_ended: return set_media(r, e, &MediaState::screen_sharing, false);
    case EventType::rtt_enabled: return set_media(r, e, &MediaState::rtt, true);
    case EventType::rtt_disabled: return set_media(r, e, &MediaState::rtt, false);
    // P2P stats, private messages and client telemetry are records, not room state.
    default: return;
  }
}

}  // namespace mucstream::core
