// A session whose client is gone ("ghost"): it leaves like an unavailable presence, with
// reason "ghost", and the others see status 333 (XEP-0045: removed because of an error).
// Nothing goes to the ghost itself: its server would only bounce it again.
#include "core/calls.hpp"
#include "core/features.hpp"
#include "core/room_ops.hpp"

namespace mucstream::core::detail {

Decision decide_remove_ghost(const Service& svc, const RemoveGhost& c, Context& ctx) {
  Decision d;
  const Room* r = room_or_null(svc, c.room);
  if (r == nullptr) return d;  // gone already: nothing to do, nothing to answer
  const Occupant* o = r->occupant_by_session_jid(c.full_jid);
  if (o == nullptr) return d;
  const Session* s = r->session_by_jid(c.full_jid);

  Emitter e(d, ctx, *r);
  CallTeardown calls(e, *r);
  calls.session_leaving(*s, "ghost");
  e.emit(s->id, data::OccupantLeft{.nick = o->nick, .reason = "ghost"});
  if (o->sessions.size() > 1) return d;  // the nick stays with its other sessions: nobody sees a change

  for (const auto& rc : recipients(*r)) {
    if (*rc.full_jid == c.full_jid) continue;
    PresenceOut p = presence_of(*r, *o, *rc.full_jid, rc.occupant->role);
    p.available = false;
    p.role = Role::none;
    p.session_id = s->id;
    p.status.push_back(status::kRemovedByError);
    if (rc.occupant->nick == o->nick) p.status.push_back(status::kSelf);
    d.deliveries.emplace_back(std::move(p));
  }
  destroy_if_abandoned(e, *r, r->occupants.size() - 1);
  return d;
}

}  // namespace mucstream::core::detail
