// apply(state, event): the only code that changes room state. Replaying the event log
// from an empty Service through it rebuilds every room exactly.
#include <algorithm>

#include "core/decide.hpp"
#include "core/media_state.hpp"

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
    case EventType::audio_paused:
    case EventType::audio_resumed:
    case EventType::video_paused:
    case EventType::video_resumed:
    case EventType::screencapture_started:
    case EventType::screencapture_ended:
    case EventType::rtt_enabled:
    case EventType::rtt_disabled: return detail::apply_media_state(r, e);
    default: return;  // P2P, private message and talky client-vocabulary events carry no room state yet
  }
}

}  // namespace mucstream::core
