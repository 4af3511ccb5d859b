// XEP-0045 §7.14: leaving a room; the last one out of a non-persistent room closes it.
#include "core/calls.hpp"
#include "core/features.hpp"
#include "core/room_ops.hpp"

namespace mucstream::core::detail {

Decision decide_leave(const Service& svc, const Leave& c, Context& ctx) {
  Decision d;
  const Room* r = room_or_null(svc, c.room);
  if (r == nullptr) return d;  // unavailable presence to a room one is not in: ignored (§7.14)
  const Occupant* o = r->occupant_by_session_jid(c.user.full());
  if (o == nullptr) return d;
  const Session* s = r->session_by_jid(c.user.full());

  Emitter e(d, ctx, *r);
  CallTeardown calls(e, *r);
  calls.session_leaving(*s, "left");  // its calls, screen share and RTT end first
  data::OccupantLeft left{.nick = o->nick, .reason = "left"};
  if (!c.status.empty()) left.status = c.status;
  e.emit(s->id, std::move(left));

  if (o->sessions.size() > 1) {
    // Other sessions keep the nick: only the leaving session hears its own departure.
    PresenceOut p = presence_of(*r, *o, c.user.full(), o->role);
    p.available = false;
    p.role = Role::none;
    p.session_id = s->id;
    p.status = {status::kSelf};
    d.deliveries.emplace_back(std::move(p));
    return d;
  }
  broadcast_presence(d, *r, *o, [&](PresenceOut& p) {
    p.available = false;
    p.role = Role::none;
    p.session_id = s->id;
  });
  destroy_if_abandoned(e, *r, r->occupants.size() - 1);
  return d;
}

}  // namespace mucstream::core::detail
