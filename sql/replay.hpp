#pragma once
// Rebuilds the room service from the stored events, for the component's start-up: every
// room that has not ended, its events in seq order, through core::apply, then
// core::persistent_view (occupant sessions do not survive a restart). Destroyed rooms stay
// destroyed because their room_destroyed event is applied too (and ended rooms are skipped).
// Password hashes, kept apart from events.data in room_secrets, are put back into the
// configuration of the room_created / room_configured events that set them. Needs a role
// that may read room_secrets (the service's own, never analyst).
#include <pqxx/pqxx>

#include "core/state.hpp"

namespace mucstream::sql {

struct ReplayStats {
  std::size_t events = 0;
  std::size_t rooms = 0;  // persistent rooms restored
  std::size_t gaps = 0;   // holes in a room's stored seq (events missing; each logged at ERROR)
};

core::Service replay_service(pqxx::connection& conn, ReplayStats* stats = nullptr);

}  // namespace mucstream::sql
