#pragma once
// Rollups (sql/migrations/0011_rollups.sql, 0015_call_rollups.sql): the materialiser's side.
// Inside the writer's transaction, after rooms and users are maintained, these add what the
// batch changed — the events it stored new, the rooms and sessions rows it created or ended
// (recorded by the writer's statements into the change tables below) — so the rollups move
// exactly with the rows they summarise: a redelivered event adds nothing, a failed batch adds
// nothing. The rows of a P2P session whose start or end the batch stored are computed again
// from its events instead (an end decides which earlier samples count); an occupant session's
// media row is extended by its new events, or computed again when they do not extend it
// (sql/media_session_rollups.hpp).
// recompute_rollups() rebuilds them from the base tables with the same definitions.
#include <pqxx/pqxx>

#include <cstdint>
#include <vector>

#include "core/event.hpp"

namespace mucstream::sql {

// The per-transaction tables the writer's maintenance statements fill (ON COMMIT DELETE
// ROWS, created with the writer's other temporary tables):
//   mucstream_room_changes    (room_id, t, d)  d = +1 a rooms row created at t, -1 ended at t
//   mucstream_session_changes (room_id, t, d, type, os, browser, domain, created)  the same for
//                             users rows (created: the session's start, on its -1 row)
extern const char* const kCreateRollupTemp;

// Event types the rollups read from mucstream_fresh (P2P and media events): the writer's
// fast path must copy them there too.
bool rollup_reads_fresh(core::EventType t);

// All-new batch: events per hour and the P2P samples' values counted here from the batch.
void rollup_new_events(pqxx::work& tx, const std::vector<core::Event>& batch);
// Redelivery: the same counted from mucstream_fresh (what was stored new).
void rollup_fresh_events(pqxx::work& tx);
// Rooms, sessions and P2P rollups from the change tables and mucstream_fresh. `types`: the
// batch's event types as bits (core::EventType), ~0 when unknown; statements whose inputs
// the batch cannot have are skipped.
void rollup_changes(pqxx::work& tx, std::uint64_t types);

// Rebuilds every rollup from events, rooms and users in one transaction (the SQL function
// mucstream_recompute_rollups of migration 0011). Safe beside a live materialiser.
void recompute_rollups(pqxx::connection& conn);

}  // namespace mucstream::sql
