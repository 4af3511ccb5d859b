// Around the messages of a room: chat states and displayed markers (XEP-0085, XEP-0333),
// voice requests (XEP-0045 §7.13), invitation declines (§7.8.2) and idle rooms.
#include "core/features.hpp"
#include "core/room_ops.hpp"

namespace mucstream::core::detail {
namespace {
Error not_in_room() { return reject(ErrorCondition::not_acceptable, "You are not an occupant of this room"); }
Error no_room() { return reject(ErrorCondition::item_not_found, "No such room"); }
}  // namespace

// Relaying happened already (the message it came in); this only decides whether the
// keystroke-rate signal becomes an event, which it must not by default.
Decision decide_chat_state(const Service& svc, const ObserveChatState& c, Context& ctx) {
  const std::string from_jid = c.user.full();
  const Room* r = room_or_null(svc, c.room);
  if (r == nullptr) return Decision::fail(no_room());
  const Occupant* o = r->occupant_by_session_jid(from_jid);
  if (o == nullptr) return Decision::fail(not_in_room());
  Decision d;
  if (!ctx.config.record_chat_states && !r->config.record_chat_states) return d;
  std::optional<std::string> to_nick;
  std::optional<std::string> peer;
  if (c.to_nick) {
    auto prepared = prepare_nick(*c.to_nick);
    const Occupant* to = std::holds_alternative<std::string>(prepared)
                             ? r->occupant_by_nick(std::get<std::string>(prepared))
                             : nullptr;
    if (to == nullptr) return d;  // the private message itself was refused; nothing to record
    to_nick = to->nick;
    peer = to->sessions.front().id;
  }
  Emitter e(d, ctx, *r);
  const std::string actor = r->session_by_jid(from_jid)->id;
  if (!c.state.empty()) e.emit(actor, data::ChatStateSent{.nick = o->nick, .state = c.state, .to_nick = to_nick}, peer);
  if (c.displayed)
    e.emit(actor, data::MessageDisplayed{.nick = o->nick, .target = *c.displayed, .to_nick = to_nick}, peer);
  return d;
}

Decision decide_voice_request(const Service& svc, const RequestVoice& c, Context& ctx) {
  const std::string from_jid = c.user.full();
  const Room* r = room_or_null(svc, c.room);
  if (r == nullptr) return Decision::fail(no_room());
  const Occupant* o = r->occupant_by_session_jid(from_jid);
  if (o == nullptr) return Decision::fail(not_in_room());
  if (o->role != Role::visitor)
    return Decision::fail(reject(ErrorCondition::not_acceptable, "Only visitors request voice; you have it"));
  Decision d;
  Emitter e(d, ctx, *r);
  e.emit(r->session_by_jid(from_jid)->id, data::VoiceRequested{.nick = o->nick, .jid = from_jid});
  MessageOut m;
  m.kind = MessageKind::voice_request;
  m.room = r->jid;
  m.nick = o->nick;
  m.from_jid = from_jid;
  for (const auto& rc : recipients(*r))
    if (rc.occupant->role == Role::moderator) m.to.push_back(*rc.full_jid);
  if (!m.to.empty()) d.deliveries.emplace_back(std::move(m));
  return d;
}

// Anyone invited may decline without being in the room, as Prosody relays them: the room
// keeps no list of pending invitations.
Decision decide_decline(const Service& svc, const DeclineInvitation& c, Context& ctx) {
  const Room* r = room_or_null(svc, c.room);
  if (r == nullptr) return Decision::fail(no_room());
  if (r->affiliation_of(c.user.bare()) == Affiliation::outcast)
    return Decision::fail(reject(ErrorCondition::forbidden, "You are banned from this room"));
  Decision d;
  Emitter e(d, ctx, *r);
  const Session* s = r->session_by_jid(c.user.full());
  e.emit(s != nullptr ? s->id : std::string{},
         data::InvitationDeclined{.decliner = c.user.bare(), .inviter = c.inviter.full(), .reason = c.reason});
  MessageOut m;
  m.kind = MessageKind::decline;
  m.to = {c.inviter.full()};
  m.room = r->jid;
  m.from_jid = c.user.bare();
  m.reason = c.reason;
  d.deliveries.emplace_back(std::move(m));
  return d;
}

Decision decide_expire_idle(const Service& svc, const ExpireIdle&, Context& ctx) {
  Decision d;
  if (ctx.config.idle_timeout_ms <= 0) return d;
  const std::int64_t cutoff = ctx.now_ms - ctx.config.idle_timeout_ms;
  for (const auto& [jid, r] : svc.rooms) {
    if (r.last_activity_ms == 0 || r.last_activity_ms > cutoff) continue;
    Emitter e(d, ctx, r);
    destroy_room(d, e, r, {}, data::RoomDestroyed{.reason = "idle", .alternate = {}, .by = std::nullopt});
  }
  return d;
}

}  // namespace mucstream::core::detail
