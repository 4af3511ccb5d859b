#pragma once
// XEP-0045 roles and affiliations and the permission tables of §5 that say who may do what.
#include <optional>
#include <string_view>

#include "core/error.hpp"

namespace mucstream::core {

// Ordered by privilege so that comparisons read naturally.
enum class Role { none = 0, visitor = 1, participant = 2, moderator = 3 };
enum class Affiliation { outcast = 0, none = 1, member = 2, admin = 3, owner = 4 };

std::string_view to_string(Role);
std::string_view to_string(Affiliation);
std::optional<Role> role_from_string(std::string_view);
std::optional<Affiliation> affiliation_from_string(std::string_view);

// The role an occupant gets on entering (XEP-0045 §5.1.3 / §7.2): owners and admins are
// moderators, everyone else a participant, except visitors for non-members of a moderated room.
Role default_role(Affiliation, bool moderated);
// The role an occupant holds after its affiliation changed (§9, §10): admins/owners become
// moderators, losing admin drops to the default, members of a moderated room gain voice.
Role role_after_affiliation_change(Role current, Affiliation from, Affiliation to, bool moderated);

// Who is acting. Service administrators (mucctl, the admin API) act with owner rights in
// every room; XMPP users act with the role and affiliation they hold in the room.
struct Actor {
  Role role = Role::none;
  Affiliation affiliation = Affiliation::none;
  bool service_admin = false;
};

// §8 moderator use cases: kick (role none), grant/revoke voice (participant/visitor) and
// §9 admin use cases: grant/revoke moderator. Returns the error to send, if any.
std::optional<Error> check_role_change(const Actor&, Role target_role, Affiliation target_affiliation,
                                       Role new_role);
// §9 admin and §10 owner use cases: ban (outcast), member, admin and owner lists.
std::optional<Error> check_affiliation_change(const Actor&, Affiliation target_current, Affiliation new_affiliation);

// Simple capabilities that depend on role/affiliation only.
bool may_configure(const Actor&);          // §10.2: owners
bool may_destroy(const Actor&);            // §10.9: owners
bool may_lock(const Actor&);               // the talky lock: owners (and service admins)
bool may_send_groupchat(Role, bool moderated);  // §7.4: visitors are silent in moderated rooms
bool may_change_subject(Role, bool occupants_may_change_subject);  // §8.1
bool may_see_real_jids(Role, bool whois_anyone);  // §5.1.2 semi-anonymous vs non-anonymous
bool may_bypass_lock(Affiliation);         // the talky lock lets owners/admins/members in
bool may_bypass_max_occupants(Affiliation);  // §7.2.10: owners and admins always get in
bool may_invite(Role, Affiliation, bool members_only, bool occupants_may_invite);  // §7.8

}  // namespace mucstream::core
