// XEP-0045 §10.9 destroying a room, and the service shutting down (status 332).
#include "core/calls.hpp"
#include "core/features.hpp"
#include "core/room_ops.hpp"

namespace mucstream::core::detail {

void destroy_room(Decision& d, Emitter& e, const Room& r, const std::string& actor, data::RoomDestroyed how) {
  CallTeardown calls(e, r);
  calls.end_all("room_destroyed");  // calls end before anyone leaves
  for (const auto& [nick, o] : r.occupants) {
    emit_leave_all(e, calls, o, "room_destroyed");
    // §10.9: each occupant gets its own unavailable presence carrying <destroy/>.
    for (const auto& s : o.sessions) {
      PresenceOut p = presence_of(r, o, s.full_jid, o.role);
      p.available = false;
      p.role = Role::none;
      p.affiliation = Affiliation::none;
      p.real_jid.reset();
      p.status = {status::kSelf};
      p.destroyed = true;
      p.destroy_alternate = how.alternate;
      p.reason = how.reason;
      d.deliveries.emplace_back(std::move(p));
    }
  }
  e.emit(actor, std::move(how));
}

Decision decide_destroy(const Service& svc, const DestroyRoom& c, Context& ctx) {
  const Room* r = room_or_null(svc, c.room);
  if (r == nullptr) return Decision::fail(reject(ErrorCondition::item_not_found, "No such room"));
  if (!may_destroy(actor_in(*r, c.by))) return Decision::fail(reject(ErrorCondition::forbidden, "Only owners may destroy this room"));
  Decision d;
  Emitter e(d, ctx, *r);
  const std::string actor = actor_session(*r, c.by);  // before the sessions are gone
  destroy_room(d, e, *r, actor,
               data::RoomDestroyed{.reason = c.reason,
                                   .alternate = c.alternate_venue,
                                   .by = by_name(c.by),
                                   .purge = c.purge ? std::optional<bool>(true) : std::nullopt});
  return d;
}

Decision decide_shutdown(const Service& svc, const Shutdown&, Context& ctx) {
  Decision d;
  for (const auto& [jid, r] : svc.rooms) {
    if (r.occupants.empty()) continue;
    Emitter e(d, ctx, r);
    CallTeardown calls(e, r);
    calls.end_all("shutdown");
    for (const auto& [nick, o] : r.occupants) {
      emit_leave_all(e, calls, o, "shutdown");
      for (const auto& s : o.sessions) {
        PresenceOut p = presence_of(r, o, s.full_jid, o.role);
        p.available = false;
        p.role = Role::none;
        p.status = {status::kSelf, status::kShutdown};
        d.deliveries.emplace_back(std::move(p));
      }
    }
    destroy_if_abandoned(e, r, 0, "shutdown");
  }
  return d;
}

}  // namespace mucstream::core::detail
