#pragma once
// Keeping history within its bounds; called by apply() only. Deterministic: what goes
// depends only on the state and the bounds, never on the clock or on allocation.
#include "core/config.hpp"
#include "core/state.hpp"

namespace mucstream::core::detail {

// Drops a room's oldest entries until it holds at most history_length entries and
// limits.room_bytes counted bytes (a single entry above the byte bound is not kept).
void trim_room_history(Room&, const HistoryLimits&);

// The service-wide bound: once every room's history together exceeds limits.total_bytes,
// drops the oldest entries of any room (by time, then room JID) until the total is 1/8
// below the bound, so the scan over the rooms happens once per eighth of the bound rather
// than once per message.
void trim_service_history(Service&, const HistoryLimits&);

// The service's history total, counted now if nothing has counted it yet.
std::size_t& history_total(Service&);

}  // namespace mucstream::core::detail
