// XEP-0045 §8 (kick, voice) and §9 (moderator grants): role changes by moderators and admins.
#include "core/calls.hpp"
#include "core/features.hpp"
#include "core/room_ops.hpp"

namespace mucstream::core::detail {

Decision decide_role(const Service& svc, const SetRole& c, Context& ctx) {
  const Room* r = room_or_null(svc, c.room);
  if (r == nullptr) return Decision::fail(reject(ErrorCondition::item_not_found, "No such room"));
  auto prepared = prepare_nick(c.nick);
  const Occupant* target =
      std::holds_alternative<std::string>(prepared) ? r->occupant_by_nick(std::get<std::string>(prepared)) : nullptr;
  if (target == nullptr) return Decision::fail(reject(ErrorCondition::item_not_found, "No occupant with that nickname"));
  const Actor actor = actor_in(*r, c.by);
  if (auto err = check_role_change(actor, target->role, r->affiliation_of(target->bare_jid), c.role))
    return Decision::fail(*err);
  Decision d;
  if (c.role == target->role) return d;
  Emitter e(d, ctx, *r);
  const std::string by_session = actor_session(*r, c.by);
  const Occupant* by_occupant = c.by.service_admin ? nullptr : r->occupant_by_session_jid(c.by.jid.full());
  const std::string actor_nick = by_occupant ? by_occupant->nick : std::string{};
  if (c.role == Role::none) {  // §8.2 kick
    CallTeardown calls(e, *r);
    emit_leave_all(e, calls, *target, "kicked", data::OccupantLeft{.by = by_name(c.by), .kick_reason = c.reason});
    broadcast_presence(d, *r, *target, [&](PresenceOut& p) {
      p.available = false;
      p.role = Role::none;
      p.status.push_back(status::kKicked);
      p.reason = c.reason;
      p.actor_nick = actor_nick;
    });
    destroy_if_abandoned(e, *r, r->occupants.size() - 1);
    return d;
  }
  e.emit(by_session, data::RoleChanged{.nick = target->nick, .role = c.role, .reason = c.reason, .by = by_name(c.by)},
         target->sessions.front().id);
  Occupant changed = *target;
  changed.role = c.role;
  broadcast_presence(d, *r, changed, [&](PresenceOut& p) {
    p.reason = c.reason;
    p.actor_nick = actor_nick;
  });
  return d;
}

Decision decide_affiliation(const Service& svc, const SetAffiliation& c, Context& ctx) {
  const Room* r = room_or_null(svc, c.room);
  if (r == nullptr) return Decision::fail(reject(ErrorCondition::item_not_found, "No such room"));
  if (c.target.domain().empty()) return Decision::fail(reject(ErrorCondition::jid_malformed, "A JID is required"));
  const std::string bare = c.target.bare();
  const Affiliation current = r->affiliation_of(bare);
  if (auto err = check_affiliation_change(actor_in(*r, c.by), current, c.affiliation)) return Decision::fail(*err);
  // §10.6/§10.8: a room always keeps an owner.
  if (current == Affiliation::owner && c.affiliation != Affiliation::owner && r->owner_count() == 1)
    return Decision::fail(reject(ErrorCondition::conflict, "The room must keep at least one owner"));
  Decision d;
  if (current == c.affiliation) return d;
  Emitter e(d, ctx, *r);
  data::AffiliationChanged change{.jid = bare, .affiliation = c.affiliation, .reason = c.reason, .by = by_name(c.by)};
  const Occupant* target = r->occupant_by_bare_jid(bare);
  std::optional<std::string> peer;
  if (target) peer = target->sessions.front().id;
  e.emit(actor_session(*r, c.by), std::move(change), peer);

  const Occupant* by_occupant = c.by.service_admin ? nullptr : r->occupant_by_session_jid(c.by.jid.full());
  const std::string actor_nick = by_occupant ? by_occupant->nick : std::string{};
  std::size_t removed = 0;
  CallTeardown calls(e, *r);  // one for all nicks of the user: a call between two of them ends once
  // A user may hold several nicks (one per resource); each of them is affected.
  for (const auto& [nick, o] : r->occupants) {
    if (o.bare_jid != bare) continue;
    const bool banned = c.affiliation == Affiliation::outcast;
    const bool lost_membership = r->config.members_only && c.affiliation < Affiliation::member;
    if (banned || lost_membership) {  // §9.1 ban (301), §9.4 revoke membership (321)
      ++removed;
      emit_leave_all(e, calls, o, banned ? "banned" : "affiliation_lost",
                     data::OccupantLeft{.by = by_name(c.by), .kick_reason = c.reason});
      broadcast_presence(d, *r, o, [&](PresenceOut& p) {
        p.affiliation = c.affiliation;
        p.available = false;
        p.role = Role::none;
        p.status.push_back(banned ? status::kBanned : status::kAffiliationChange);
        p.reason = c.reason;
        p.actor_nick = actor_nick;
      });
      continue;
    }
    Occupant changed = o;
    changed.role = role_after_affiliation_change(o.role, current, c.affiliation, r->config.moderated);
    broadcast_presence(d, *r, changed, [&](PresenceOut& p) {
      p.affiliation = c.affiliation;
      p.reason = c.reason;
    });
  }
  destroy_if_abandoned(e, *r, r->occupants.size() - removed);
  return d;
}

}  // namespace mucstream::core::detail
