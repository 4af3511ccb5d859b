#pragma once
// Occupant sessions' media rows (rollup_media_sessions, migrations 0015 and 0023): paused
// and shared seconds, screen shares, the intervals still open. Inside the writer's
// transaction, like the other rollups (sql/rollups.hpp).
#include <pqxx/pqxx>

namespace mucstream::sql {

// The per-transaction tables the statements below fill (ON COMMIT DELETE ROWS).
extern const char* const kCreateMediaRollupTemp;

// The rows of every session whose media events the batch stored new (mucstream_fresh).
// When all of a session's new events come after those its row was computed from, in seq
// and in time, the row is extended from the new events and its open intervals; otherwise
// (no row yet, a row of unknown extent, an event older than the row's last) the session is
// computed again from all its media events.
void update_media_sessions(pqxx::work& tx);

}  // namespace mucstream::sql
