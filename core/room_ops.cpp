#include "core/room_ops.hpp"

#include "core/calls.hpp"


namespace mucstream::core::detail {

Event& Emitter::emit(std::string actor, EventData data, std::optional<std::string> peer) {
  Event e;
  e.id = ctx_.ids.next_id(ctx_.now_ms);
  e.room = room_;
  e.room_id = room_id_;
  e.seq = ++seq_;
  e.actor = std::move(actor);
  e.peer = std::move(peer);
  e.time_ms = ctx_.now_ms;
  e.set_data(std::move(data));
  d_.events.push_back(std::move(e));
  return d_.events.back();
}

PresenceOut presence_of(const Room& r, const Occupant& o, const std::string& to, Role recipient_role) {
  PresenceOut p;
  p.to = to;
  p.room = r.jid;
  p.nick = o.nick;
  p.role = o.role;
  p.affiliation = r.affiliation_of(o.bare_jid);
  if (may_see_real_jids(recipient_role, r.config.whois == Whois::anyone) && !o.sessions.empty())
    p.real_jid = o.sessions.back().full_jid;
  p.occupant_id = o.occupant_id;
  if (!o.sessions.empty()) p.session_id = o.sessions.back().id;
  return p;
}

std::vector<Recipient> recipients(const Room& r) {
  std::vector<Recipient> out;
  out.reserve(r.occupants.size());
  for (const auto& [nick, o] : r.occupants)
    for (const auto& s : o.sessions) out.push_back({&s.full_jid, &o});
  return out;
}

std::vector<std::string> all_session_jids(const Room& r) {
  std::vector<std::string> out;
  out.reserve(r.occupants.size());
  for (const auto& [nick, o] : r.occupants)
    for (const auto& s : o.sessions) out.push_back(s.full_jid);
  return out;
}

MessageOut room_message(const Room& r, const Occupant& from, MessageKind kind) {
  MessageOut m;
  m.kind = kind;
  m.to = all_session_jids(r);
  m.room = r.jid;
  m.nick = from.nick;
  m.occupant_id = from.occupant_id;
  return m;
}

Actor actor_in(const Room& r, const Requester& by) {
  Actor a;
  a.service_admin = by.service_admin;
  if (by.service_admin) return a;
  a.affiliation = r.affiliation_of(by.jid.bare());
  if (const Occupant* o = r.occupant_by_session_jid(by.jid.full())) a.role = o->role;
  return a;
}

std::string actor_session(const Room& r, const Requester& by) {
  if (by.service_admin) return {};
  const Session* s = r.session_by_jid(by.jid.full());
  return s ? s->id : std::string{};
}

std::string by_name(const Requester& by) {
  return by.service_admin ? "admin:" + by.admin_name : by.jid.bare();
}

void emit_leave_all(Emitter& e, CallTeardown& calls, const Occupant& o, const std::string& reason,
                    data::OccupantLeft how) {
  how.nick = o.nick;
  how.reason = reason;
  for (const auto& s : o.sessions) {
    calls.session_leaving(s, reason);
    e.emit(s.id, how);
  }
}

void destroy_if_abandoned(Emitter& e, const Room& r, std::size_t occupants_left, const std::string& reason) {
  if (occupants_left > 0 || r.config.persistent) return;
  e.emit({}, data::RoomDestroyed{.reason = reason, .alternate = {}, .by = std::nullopt});
}

std::string occupant_id_for(const Crypto& crypto, const std::string& salt, const std::string& bare_jid) {
  return to_hex(crypto.hmac_sha256(salt, bare_jid).substr(0, 16));
}

Error reject(ErrorCondition c, std::string text) { return make_error(c, std::move(text)); }

const Room* room_or_null(const Service& s, const std::string& jid) { return s.find(jid); }

}  // namespace mucstream::core::detail
