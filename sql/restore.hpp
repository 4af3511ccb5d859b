#pragma once
// Fast restart from PostgreSQL (the embedded default's commit point): every room that has not
// ended — persistent or not, with its occupants, sessions, history and calls — rebuilt as
// its latest snapshot (room_snapshots, migration 0008) plus the room's stored events after
// it (seq > the snapshot's seq), applied through core::apply. A room without a usable
// snapshot (none yet, or one of an earlier lifetime of its JID) is rebuilt from all its
// events. The result equals a full replay of the log without persistent_view. Needs a role
// that may read room_snapshots and room_secrets (the service's own, never analyst).
#include <pqxx/pqxx>

#include <cstdint>

#include "core/config.hpp"
#include "core/state.hpp"

namespace mucstream::sql {

struct RestoreStats {
  std::size_t rooms = 0;      // live rooms restored
  std::size_t snapshots = 0;  // of them, started from a snapshot
  std::size_t events = 0;     // events applied after the snapshots (or from the start)
  std::size_t gaps = 0;       // holes in a room's seq after its start (each logged at ERROR)
  std::size_t unreadable = 0; // snapshots that would not decode (the room replayed in full instead)
  std::int64_t snapshots_ms = 0;  // reading and decoding the snapshots
  std::int64_t total_ms = 0;      // everything: snapshots, events read, decoded and applied
};

// `history`: the service's history byte bounds, applied as the live service applies them.
core::Service restore_from_pg(pqxx::connection& conn, RestoreStats* stats = nullptr,
                              const core::HistoryLimits& history = {});

}  // namespace mucstream::sql
