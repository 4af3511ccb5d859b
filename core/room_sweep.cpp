// Room sweeps: selecting empty or unused rooms, and destroying them in one decision.
#include "core/room_sweep.hpp"

#include "core/features.hpp"

namespace mucstream::core {

std::vector<const Room*> select_rooms(const Service& svc, const RoomSweep& sweep) {
  std::vector<const Room*> out;
  for (const auto& [jid, r] : svc.rooms) {
    if (!r.occupants.empty()) continue;
    if (!sweep.domain.empty()) {
      const auto at = jid.find('@');
      if (at == std::string::npos || std::string_view(jid).substr(at + 1) != sweep.domain) continue;
    }
    const bool selected = sweep.kind == RoomSweep::Kind::empty
                              ? r.history.empty() && r.recent.empty()
                              : r.last_activity_ms != 0 && r.last_activity_ms <= sweep.inactive_since_ms;
    if (selected) out.push_back(&r);
  }
  return out;
}

std::string default_sweep_reason(RoomSweep::Kind kind) {
  return kind == RoomSweep::Kind::empty ? "destroy-empty" : "destroy-unused";
}

namespace detail {

// The rooms have nobody in them: each goes with its room_destroyed event alone, by the
// administrator who asked. A sweep that selects nothing decides nothing.
Decision decide_destroy_rooms(const Service& svc, const DestroyRooms& c, Context& ctx) {
  if (!c.by.service_admin)
    return Decision::fail(reject(ErrorCondition::forbidden, "Only service administrators may sweep rooms"));
  Decision d;
  const std::string reason = c.reason.empty() ? default_sweep_reason(c.sweep.kind) : c.reason;
  for (const Room* r : select_rooms(svc, c.sweep)) {
    Emitter e(d, ctx, *r);
    destroy_room(d, e, *r, {}, data::RoomDestroyed{.reason = reason, .alternate = {}, .by = by_name(c.by)});
  }
  return d;
}

}  // namespace detail
}  // namespace mucstream::core
