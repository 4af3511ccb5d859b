#pragma once
// Reading stored events back into core::Event: one column list and one row decoder for
// every reader of the events table (replay at start-up, room report recompute).
#include <pqxx/pqxx>

#include <optional>

#include "core/event.hpp"

namespace mucstream::sql {

// The select list event_from_row() reads, for a FROM events e.
inline constexpr const char* kStoredEventColumns =
    "e.id, e.type, e.room, e.room_id, e.seq, e.actor, e.peer, (extract(epoch FROM e.time) * 1000)::bigint, e.data::text";

// nullopt (and an error logged under `who`) for an unknown type or unreadable data.
std::optional<core::Event> event_from_row(const pqxx::row& row, const char* who);

}  // namespace mucstream::sql
