// XEP-0045 §7.4 groupchat messages, §7.5 private messages, §7.8 invitations and presence
// updates from joined occupants.
#include "core/features.hpp"
#include "core/room_ops.hpp"

namespace mucstream::core::detail {
namespace {
Error not_in_room() { return reject(ErrorCondition::not_acceptable, "You are not an occupant of this room"); }
Error no_room() { return reject(ErrorCondition::item_not_found, "No such room"); }
}  // namespace

Decision decide_groupchat(const Service& svc, const SendGroupchat& c, Context& ctx) {
  const std::string from_jid = c.user.full();  // built once, not per lookup
  const Room* r = room_or_null(svc, c.room);
  if (r == nullptr) return Decision::fail(no_room());
  const Occupant* o = r->occupant_by_session_jid(from_jid);
  if (o == nullptr) return Decision::fail(not_in_room());
  if (!may_send_groupchat(o->role, r->config.moderated))
    return Decision::fail(reject(ErrorCondition::forbidden, "Visitors may not speak in this moderated room"));
  if (c.replaces) return decide_correction(*r, *o, c, ctx);
  Decision d;
  MessageOut m = room_message(*r, *o, MessageKind::groupchat);
  m.payload = c.payload;
  m.time_ms = ctx.now_ms;
  if (c.has_body) {
    // Only real messages become events; chat states and similar body-less payloads are
    // relayed but are neither history nor analytics rows.
    Emitter e(d, ctx, *r);
    m.stanza_id = e.emit(r->session_by_jid(from_jid)->id,
                         data::MessageSent{.nick = o->nick,
                                           .occupant_id = o->occupant_id,
                                           .jid = from_jid,
                                           .payload = c.payload,
                                           .client_id = c.client_id,
                                           .no_store = c.no_store ? std::optional<bool>(true) : std::nullopt})
                      .id;
  }
  d.deliveries.emplace_back(std::move(m));
  return d;
}

Decision decide_private(const Service& svc, const SendPrivate& c, Context& ctx) {
  const std::string from_jid = c.user.full();  // built once, not per lookup
  const Room* r = room_or_null(svc, c.room);
  if (r == nullptr) return Decision::fail(no_room());
  const Occupant* from = r->occupant_by_session_jid(from_jid);
  if (from == nullptr) return Decision::fail(not_in_room());
  if (!r->config.allow_private_messages)
    return Decision::fail(reject(ErrorCondition::not_allowed, "Private messages are disabled in this room"));
  auto prepared = prepare_nick(c.to_nick);
  const Occupant* to = std::holds_alternative<std::string>(prepared)
                           ? r->occupant_by_nick(std::get<std::string>(prepared))
                           : nullptr;
  if (to == nullptr) return Decision::fail(reject(ErrorCondition::item_not_found, "No occupant with that nickname"));
  Decision d;
  MessageOut m;
  if (c.has_body) {
    // Metadata only: private messages are between two people, not for analysts' tables.
    // Body-less ones (chat states, markers) are relayed without an event: one per keystroke
    // must not reach the log (ObserveChatState records them when a room asks for it).
    Emitter e(d, ctx, *r);
    m.stanza_id = e.emit(r->session_by_jid(from_jid)->id,
                         data::PrivateMessageSent{.nick = from->nick, .to_nick = to->nick}, to->sessions.front().id)
                      .id;
  }
  m.kind = MessageKind::private_;
  for (const auto& s : to->sessions) m.to.push_back(s.full_jid);
  m.room = r->jid;
  m.nick = from->nick;
  m.payload = c.payload;
  m.occupant_id = from->occupant_id;
  d.deliveries.emplace_back(std::move(m));
  return d;
}

Decision decide_presence_update(const Service& svc, const UpdatePresence& c, Context&) {
  const std::string from_jid = c.user.full();  // built once, not per lookup
  Decision d;
  const Room* r = room_or_null(svc, c.room);
  const Occupant* o = r ? r->occupant_by_session_jid(from_jid) : nullptr;
  if (o == nullptr) return Decision::fail(not_in_room());
  const Session* s = r->session_by_jid(from_jid);
  broadcast_presence(d, *r, *o, [&](PresenceOut& p) { p.session_id = s->id; });
  return d;
}

Decision decide_invite(const Service& svc, const Invite& c, Context& ctx) {
  const Room* r = room_or_null(svc, c.room);
  if (r == nullptr) return Decision::fail(no_room());
  const Occupant* o = r->occupant_by_session_jid(c.user.full());
  if (o == nullptr) return Decision::fail(not_in_room());
  if (!may_invite(o->role, r->affiliation_of(o->bare_jid), r->config.members_only, r->config.occupants_may_invite))
    return Decision::fail(reject(ErrorCondition::forbidden, "You may not invite people to this room"));
  if (r->affiliation_of(c.invitee.bare()) == Affiliation::outcast)
    return Decision::fail(reject(ErrorCondition::forbidden, "That user is banned from this room"));
  Decision d;
  Emitter e(d, ctx, *r);
  const std::string actor = r->session_by_jid(c.user.full())->id;
  const std::string invitee = c.invitee.bare();
  // §9.3 as Prosody does it: in a members-only room, whoever may invite makes the invitee a
  // member, so the invitation can be used (unless the room's configuration says not to).
  const bool grant = r->config.members_only && r->config.invite_grants_membership &&
                     r->affiliation_of(invitee) == Affiliation::none;
  if (grant)
    e.emit(actor, data::AffiliationChanged{.jid = invitee, .affiliation = Affiliation::member, .reason = {},
                                           .by = c.user.bare()});
  e.emit(actor, data::InvitationSent{.invitee = invitee, .reason = c.reason, .membership_granted = grant, .by = {}});
  MessageOut m;
  m.kind = MessageKind::invite;
  m.to = {c.invitee.full()};
  m.room = r->jid;
  m.from_jid = c.user.bare();
  m.reason = c.reason;
  m.password = c.password;
  d.deliveries.emplace_back(std::move(m));
  return d;
}

}  // namespace mucstream::core::detail
