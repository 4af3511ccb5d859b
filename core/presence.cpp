// A presence to room/nick as the wire carried it, turned into the room feature it means
// (XEP-0045 §7.2 enter, §7.6 nick change, §7.7 status change, §7.14 exit), decided here
// against the room state rather than by the decoder.
#include "core/features.hpp"

namespace mucstream::core {

PresenceKind classify_presence(const Service& svc, const Presence& p) {
  if (!p.available) return PresenceKind::leave;
  if (p.muc_x) return PresenceKind::join;
  const Room* r = svc.find(p.room);
  const Occupant* me = r ? r->occupant_by_session_jid(p.user.full()) : nullptr;
  if (me == nullptr) return PresenceKind::join;  // no MUC element is still a join (older clients)
  return me->nick == p.nick ? PresenceKind::update : PresenceKind::nick_change;
}

namespace detail {

Decision decide_presence(const Service& svc, const Presence& p, Context& ctx) {
  switch (classify_presence(svc, p)) {
    case PresenceKind::leave: return decide_leave(svc, Leave{p.user, p.room, p.status}, ctx);
    case PresenceKind::update: return decide_presence_update(svc, UpdatePresence{p.user, p.room}, ctx);
    case PresenceKind::nick_change: return decide_nick_change(svc, ChangeNick{p.user, p.room, p.nick}, ctx);
    case PresenceKind::join: break;
  }
  return decide_join(svc, Join{p.user, p.room, p.nick, p.password, p.history, p.client}, ctx);
}

}  // namespace detail
}  // namespace mucstream::core
