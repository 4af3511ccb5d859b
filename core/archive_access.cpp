#include "core/archive_access.hpp"

#include "core/roles.hpp"

namespace mucstream::core {

bool normalise_archive_id(std::string& id) {
  if (id.size() != 36) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    char& c = id[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
      continue;
    }
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::variant<ArchiveGrant, Error> check_archive_access(const Service& svc, const std::string& room_jid,
                                                       const Jid& asker) {
  const Room* r = svc.find(room_jid);
  const std::string bare = asker.bare();
  if (r == nullptr) return make_error(ErrorCondition::item_not_found, "No such room");
  const Affiliation aff = r->affiliation_of(bare);
  if (r->awaiting_configuration && aff != Affiliation::owner)
    return make_error(ErrorCondition::item_not_found, "No such room");
  if (aff == Affiliation::outcast) return make_error(ErrorCondition::forbidden, "You are banned from this room");
  const Occupant* me = r->occupant_by_bare_jid(bare);
  if (me == nullptr) {
    if ((r->config.members_only || r->locked) && aff < Affiliation::member)
      return make_error(ErrorCondition::forbidden, "Only members may read this room's archive");
    if (r->config.password_protected() && aff < Affiliation::admin)
      return make_error(ErrorCondition::forbidden, "Only occupants may read this room's archive");
  }
  ArchiveGrant g;
  const Role role = me != nullptr ? me->role : default_role(aff, r->config.moderated);
  g.real_jids = may_see_real_jids(role, r->config.whois == Whois::anyone);
  g.room_id = r->room_id;
  g.min_seq = static_cast<std::int64_t>(r->seq);
  return g;
}

std::variant<ArchiveGrant, Error> prepare_archive_query(const Service& svc, const Jid& asker, ArchiveQuery& q) {
  auto access = check_archive_access(svc, q.room, asker);
  if (std::holds_alternative<Error>(access)) return access;
  const ArchiveGrant& g = std::get<ArchiveGrant>(access);
  if (q.with_bare_jid && !g.real_jids)
    return make_error(ErrorCondition::forbidden, "Searching by real JID needs the right to see real JIDs in this room");
  auto id_ok = [](std::optional<std::string>& id) { return !id || normalise_archive_id(*id); };
  if (!id_ok(q.after_id) || !id_ok(q.before_id) || !id_ok(q.rsm_after) || !id_ok(q.rsm_before))
    return make_error(ErrorCondition::item_not_found, "No message with that id in this archive");
  for (std::string& id : q.ids)
    if (!normalise_archive_id(id)) return make_error(ErrorCondition::item_not_found, "No message with that id in this archive");
  q.room_id = g.room_id;
  q.min_seq = g.min_seq;
  return access;
}

}  // namespace mucstream::core
