#pragma once
// Clearing out rooms nobody uses, in one go (the admin API; ejabberd's rooms_empty_destroy
// and rooms_unused_destroy): which live rooms a sweep selects. Pure, so the admin API's
// dry run lists exactly what the command itself would destroy.
#include <cstdint>
#include <string>
#include <vector>

#include "core/state.hpp"

namespace mucstream::core {

struct RoomSweep {
  // empty: nobody is in the room and it keeps no message (neither in its history nor in its
  // index of recent messages), i.e. nothing was said there that the room still holds.
  // unused: nobody is in the room and its last message or join (its creation before any)
  // was at or before `inactive_since_ms`. A room whose last activity is unknown (restored
  // from a snapshot older than that field) is never unused.
  enum class Kind { empty, unused };
  Kind kind = Kind::empty;
  std::int64_t inactive_since_ms = 0;  // unused only
  // Not empty: only rooms of this MUC domain (a tenant's sweep leaves other tenants' rooms).
  std::string domain;
};

// The live rooms `sweep` selects, in room JID order.
std::vector<const Room*> select_rooms(const Service& svc, const RoomSweep& sweep);

// What a sweep's room_destroyed events carry as `reason` unless the operator gave one.
std::string default_sweep_reason(RoomSweep::Kind kind);

}  // namespace mucstream::core
