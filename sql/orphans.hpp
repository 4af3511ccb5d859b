#pragma once
// Rows a restart left open: rooms and occupant sessions that PostgreSQL shows active but the
// restored rooms do not hold — the log they were restored from lost them (a Kafka cluster
// wiped or restarted in memory, retention), so no event will ever close them. They are
// closed here with reason 'orphaned' at the last moment anything was known of them (the
// room's last event), so durations stay what was seen. Rows created at or after `before`
// (the restore's start) are never touched: they belong to the running service.
#include <pqxx/pqxx>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "core/state.hpp"

namespace mucstream::sql {

// What the restore held: the ids of its rooms and of their occupants' sessions.
struct LiveIds {
  std::vector<std::string> rooms;
  std::vector<std::string> sessions;
  std::chrono::system_clock::time_point before;  // the restore's start
  // Non-empty: the restore covered only these MUC domains (one restore per domain served);
  // rooms of other domains, and their sessions, are not its to close.
  std::vector<std::string> domains;
};
LiveIds live_ids(const core::Service& restored, std::chrono::system_clock::time_point before);

struct OrphanStats {
  std::size_t rooms = 0;  // rooms rows closed
  std::size_t users = 0;  // users rows closed
};

// Closes, in one transaction, the open rows created before `live.before` that `live` does not hold.
OrphanStats close_orphans(pqxx::connection& conn, const LiveIds& live);

}  // namespace mucstream::sql
