// XEP-0045 §10.1-10.2: owner configuration, instant rooms, cancelling a new room, and
// rooms created by service administrators (mucctl / admin API).
#include "core/calls.hpp"
#include "core/features.hpp"
#include "core/room_ops.hpp"

namespace mucstream::core::detail {
namespace {

// Applies a change to a configuration, or says why it cannot be applied.
std::optional<Error> merge(RoomConfig& cfg, const ConfigChange& ch, const ServiceConfig& limits, Context& ctx) {
  if (ch.name) {
    if (ch.name->size() > limits.max_name_bytes) return reject(ErrorCondition::not_acceptable, "The room name is too long");
    cfg.name = *ch.name;
  }
  if (ch.description) {
    if (ch.description->size() > 4 * limits.max_name_bytes)
      return reject(ErrorCondition::not_acceptable, "The room description is too long");
    cfg.description = *ch.description;
  }
  if (ch.persistent) cfg.persistent = *ch.persistent;
  if (ch.is_public) cfg.is_public = *ch.is_public;
  if (ch.members_only) cfg.members_only = *ch.members_only;
  if (ch.moderated) cfg.moderated = *ch.moderated;
  if (ch.max_occupants) {
    if (*ch.max_occupants > limits.max_occupants_limit)
      return reject(ErrorCondition::not_acceptable, "Maximum occupants exceeds the service limit of " +
                                                        std::to_string(limits.max_occupants_limit));
    cfg.max_occupants = *ch.max_occupants;
  }
  if (ch.history_length) {
    if (*ch.history_length > limits.max_history_length)
      return reject(ErrorCondition::not_acceptable, "History length exceeds the service limit of " +
                                                        std::to_string(limits.max_history_length));
    cfg.history_length = *ch.history_length;
  }
  if (ch.whois) cfg.whois = *ch.whois;
  if (ch.occupants_may_change_subject) cfg.occupants_may_change_subject = *ch.occupants_may_change_subject;
  if (ch.occupants_may_invite) cfg.occupants_may_invite = *ch.occupants_may_invite;
  if (ch.allow_private_messages) cfg.allow_private_messages = *ch.allow_private_messages;
  if (ch.enable_archiving) cfg.enable_archiving = *ch.enable_archiving;
  if (ch.invite_grants_membership) cfg.invite_grants_membership = *ch.invite_grants_membership;
  if (ch.record_chat_states) cfg.record_chat_states = *ch.record_chat_states;

  const bool wants_password = ch.password_protected.value_or(cfg.password_protected() || (ch.password && !ch.password->empty()));
  if (!wants_password) {
    cfg.password_hash.clear();
  } else if (ch.password && !ch.password->empty()) {
    if (ch.password->size() > 1024) return reject(ErrorCondition::not_acceptable, "The password is too long");
    cfg.password_hash = ctx.crypto.hash_password(*ch.password);
  } else if (!cfg.password_protected()) {
    return reject(ErrorCondition::not_acceptable, "A password-protected room needs a password");
  }
  return std::nullopt;
}

void emit_lock_change(Emitter& e, const std::string& actor, bool locked, const std::string& by) {
  if (locked) e.emit(actor, data::RoomLocked{.by = by});
  else e.emit(actor, data::RoomUnlocked{.by = by});
}

}  // namespace

Decision decide_configure(const Service& svc, const Configure& c, Context& ctx) {
  const Room* r = room_or_null(svc, c.room);
  if (r == nullptr) return Decision::fail(reject(ErrorCondition::item_not_found, "No such room"));
  if (!may_configure(actor_in(*r, c.by)))
    return Decision::fail(reject(ErrorCondition::forbidden, "Only owners may configure this room"));
  RoomConfig next = r->config;
  if (auto err = merge(next, c.change, ctx.config, ctx)) return Decision::fail(*err);

  Decision d;
  Emitter e(d, ctx, *r);
  const std::string actor = actor_session(*r, c.by);
  const bool changed = next != r->config;
  if (changed || r->awaiting_configuration) {
    e.emit(actor, data::RoomConfigured{.config = next, .by = by_name(c.by)});
  }
  if (c.change.locked && *c.change.locked != r->locked) emit_lock_change(e, actor, *c.change.locked, by_name(c.by));

  std::size_t removed = 0;
  CallTeardown calls(e, *r);
  if (next.members_only && !r->config.members_only) {
    // §9.x: switching to members-only removes non-members with status 322.
    for (const auto& [nick, o] : r->occupants) {
      if (r->affiliation_of(o.bare_jid) >= Affiliation::member) continue;
      ++removed;
      emit_leave_all(e, calls, o, "members_only");
      broadcast_presence(d, *r, o, [&](PresenceOut& p) {
        p.available = false;
        p.role = Role::none;
        p.status.push_back(status::kMembersOnly);
      });
    }
  }
  if (changed && !r->awaiting_configuration) {
    MessageOut m;  // §10.2.1: tell occupants the configuration changed (104, 172/173)
    m.kind = MessageKind::status;
    m.to = all_session_jids(*r);
    m.room = r->jid;
    m.status = {status::kConfigChanged};
    if (next.whois != r->config.whois) m.status.push_back(next.whois == Whois::anyone ? 172 : 173);
    d.deliveries.emplace_back(std::move(m));
  }
  if (!next.persistent && r->occupants.size() == removed) {
    Room after = *r;
    after.config = next;
    destroy_if_abandoned(e, after, 0);
  }
  return d;
}

Decision decide_cancel_configuration(const Service& svc, const CancelConfiguration& c, Context& ctx) {
  const Room* r = room_or_null(svc, c.room);
  if (r == nullptr) return Decision::fail(reject(ErrorCondition::item_not_found, "No such room"));
  if (!may_configure(actor_in(*r, c.by)))
    return Decision::fail(reject(ErrorCondition::forbidden, "Only owners may configure this room"));
  Decision d;
  if (!r->awaiting_configuration) return d;  // cancelling a later form changes nothing
  Emitter e(d, ctx, *r);
  CallTeardown calls(e, *r);
  calls.end_all("room_destroyed");
  for (const auto& [nick, o] : r->occupants) {
    emit_leave_all(e, calls, o, "room_destroyed");
    broadcast_presence(d, *r, o, [&](PresenceOut& p) {
      p.available = false;
      p.role = Role::none;
      p.affiliation = Affiliation::none;
      p.destroyed = true;
    });
  }
  e.emit(actor_session(*r, c.by),
         data::RoomDestroyed{.reason = "configuration_cancelled", .alternate = {}, .by = by_name(c.by)});
  return d;
}

Decision decide_create(const Service& svc, const CreateRoom& c, Context& ctx) {
  if (!c.by.service_admin) return Decision::fail(reject(ErrorCondition::forbidden, "Only service administrators may pre-create rooms"));
  if (svc.find(c.room) != nullptr) return Decision::fail(reject(ErrorCondition::conflict, "The room already exists"));
  if (c.owner.domain().empty() || c.owner.node().empty())
    return Decision::fail(reject(ErrorCondition::jid_malformed, "An owner JID (user@host) is required"));
  RoomConfig cfg = ctx.config.default_room;
  cfg.persistent = true;  // a room made ahead of time must survive until someone uses it
  if (auto err = merge(cfg, c.change, ctx.config, ctx)) return Decision::fail(*err);
  Decision d;
  const std::string room_id = ctx.ids.next_id(ctx.now_ms);
  Emitter e(d, ctx, c.room, room_id, 0);
  e.emit({}, data::RoomCreated{.creator = c.owner.bare(),
                               .config = cfg,
                               .awaiting_configuration = false,
                               .occupant_id_salt = to_hex(ctx.ids.random_bytes(16)),
                               .by = by_name(c.by)});
  if (c.change.locked.value_or(false)) emit_lock_change(e, {}, true, by_name(c.by));
  return d;
}

Decision decide_lock(const Service& svc, const SetLock& c, Context& ctx) {
  const Room* r = room_or_null(svc, c.room);
  if (r == nullptr) return Decision::fail(reject(ErrorCondition::item_not_found, "No such room"));
  if (!may_lock(actor_in(*r, c.by))) return Decision::fail(reject(ErrorCondition::forbidden, "Only owners may lock this room"));
  Decision d;
  if (r->locked == c.locked) return d;
  Emitter e(d, ctx, *r);
  emit_lock_change(e, actor_session(*r, c.by), c.locked, by_name(c.by));
  MessageOut m;
  m.kind = MessageKind::status;
  m.to = all_session_jids(*r);
  m.room = r->jid;
  m.reason = c.locked ? "This room is now locked: only members may join" : "This room is now unlocked";
  d.deliveries.emplace_back(std::move(m));
  return d;
}

}  // namespace mucstream::core::detail
