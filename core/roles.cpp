#include "core/roles.hpp"

namespace mucstream::core {

std::string_view to_string(Role r) {
  switch (r) {
    case Role::none: return "none";
    case Role::visitor: return "visitor";
    case Role::participant: return "participant";
    case Role::moderator: return "moderator";
  }
  return "none";
}

std::string_view to_string(Affiliation a) {
  switch (a) {
    case Affiliation::outcast: return "outcast";
    case Affiliation::none: return "none";
    case Affiliation::member: return "member";
    case Affiliation::admin: return "admin";
    case Affiliation::owner: return "owner";
  }
  return "none";
}

std::optional<Role> role_from_string(std::string_view s) {
  for (Role r : {Role::none, Role::visitor, Role::participant, Role::moderator})
    if (to_string(r) == s) return r;
  return std::nullopt;
}

std::optional<Affiliation> affiliation_from_string(std::string_view s) {
  for (Affiliation a : {Affiliation::outcast, Affiliation::none, Affiliation::member, Affiliation::admin,
                        Affiliation::owner})
    if (to_string(a) == s) return a;
  return std::nullopt;
}

Role default_role(Affiliation a, bool moderated) {
  switch (a) {
    case Affiliation::owner:
    case Affiliation::admin: return Role::moderator;
    case Affiliation::member: return Role::participant;
    case Affiliation::none: return moderated ? Role::visitor : Role::participant;
    case Affiliation::outcast: return Role::none;
  }
  return Role::none;
}

Role role_after_affiliation_change(Role current, Affiliation from, Affiliation to, bool moderated) {
  if (to == Affiliation::outcast) return Role::none;
  if (to >= Affiliation::admin) return Role::moderator;
  if (from >= Affiliation::admin) return default_role(to, moderated);  // lost admin: lose moderator
  if (to == Affiliation::member && current == Role::visitor) return Role::participant;
  return current;
}

namespace {
// The rank used to compare actor and target: service admins outrank every owner.
int rank(const Actor& a) { return a.service_admin ? 5 : static_cast<int>(a.affiliation); }
}  // namespace

std::optional<Error> check_role_change(const Actor& actor, Role target_role, Affiliation target_aff,
                                       Role new_role) {
  if (new_role == target_role) return std::nullopt;  // no-op, allowed (the service re-announces)
  const bool moderator = actor.service_admin || actor.role == Role::moderator;
  if (!moderator) return make_error(ErrorCondition::forbidden, "Only moderators may change roles");
  // §9.6/§9.7: granting or revoking moderator is for admins and owners.
  if ((new_role == Role::moderator || target_role == Role::moderator) && rank(actor) < static_cast<int>(Affiliation::admin))
    return make_error(ErrorCondition::forbidden, "Only admins and owners may grant or revoke moderator status");
  // §8.2/§8.4/§9.7: admins and owners keep their role; nobody acts on a higher affiliation.
  // Service administrators may still kick anyone (an operator's last resort), but never
  // leave an admin or owner in the room without its moderator role.
  if (target_aff >= Affiliation::admin && !(actor.service_admin && new_role == Role::none))
    return make_error(ErrorCondition::not_allowed, "The role of an admin or owner cannot be changed");
  if (rank(actor) < static_cast<int>(target_aff))
    return make_error(ErrorCondition::not_allowed, "The occupant has a higher affiliation than you");
  return std::nullopt;
}

std::optional<Error> check_affiliation_change(const Actor& actor, Affiliation current, Affiliation next) {
  if (actor.service_admin || actor.affiliation == Affiliation::owner) return std::nullopt;  // §10: owners do all
  if (actor.affiliation != Affiliation::admin)
    return make_error(ErrorCondition::forbidden, "Only admins and owners may change affiliations");
  // §9: admins manage members and outcasts, never other admins or owners.
  if (next >= Affiliation::admin)
    return make_error(ErrorCondition::forbidden, "Only owners may grant admin or owner affiliation");
  if (current >= Affiliation::admin)
    return make_error(ErrorCondition::not_allowed, "Admins cannot change the affiliation of an admin or owner");
  return std::nullopt;
}

bool may_configure(const Actor& a) { return a.service_admin || a.affiliation == Affiliation::owner; }
bool may_destroy(const Actor& a) { return a.service_admin || a.affiliation == Affiliation::owner; }
bool may_lock(const Actor& a) { return a.service_admin || a.affiliation == Affiliation::owner; }

bool may_send_groupchat(Role r, bool moderated) {
  return r == Role::moderator || r == Role::participant || (r == Role::visitor && !moderated);
}

bool may_change_subject(Role r, bool occupants_may_change_subject) {
  if (r == Role::moderator) return true;
  return occupants_may_change_subject && r == Role::participant;
}

bool may_see_real_jids(Role r, bool whois_anyone) { return whois_anyone || r == Role::moderator; }
bool may_bypass_lock(Affiliation a) { return a >= Affiliation::member; }
bool may_bypass_max_occupants(Affiliation a) { return a >= Affiliation::admin; }

bool may_invite(Role r, Affiliation a, bool members_only, bool occupants_may_invite) {
  if (r == Role::none) return false;
  if (!members_only) return true;
  return a >= Affiliation::admin || r == Role::moderator || occupants_may_invite;
}

}  // namespace mucstream::core
