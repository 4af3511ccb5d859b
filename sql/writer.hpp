#pragma once
// Writes a batch of events into PostgreSQL in one transaction, rooms and users maintained in
// the same transaction from exactly the events that were new, and so are the room reports
// (sql/reports.hpp: the new events folded into each room's stored state). A batch written
// twice changes nothing. Two paths:
//  - all new (the common case): COPY (pqxx::stream_to) straight into events;
//  - some already stored (redelivery; detected by the COPY's unique violation, which rolls
//    it back): COPY into a temporary staging table, INSERT … ON CONFLICT (id, time) DO NOTHING
//    RETURNING the new rows, and maintain rooms/users from those.
#include <pqxx/pqxx>

#include <set>
#include <string>
#include <vector>

#include "core/event.hpp"

namespace mucstream::sql {

struct WriteResult {
  std::size_t inserted = 0;    // new events rows
  std::size_t duplicates = 0;  // events already stored (redelivery)
};

class EventWriter {
 public:
  // The connection must stay open while the writer is used (the staging tables are
  // per-session temporary tables).
  explicit EventWriter(pqxx::connection& conn);
  WriteResult write(const std::vector<core::Event>& batch);

 private:
  WriteResult write_new(const std::vector<core::Event>& batch);
  WriteResult write_dedup(const std::vector<core::Event>& batch);
  void ensure_partitions(pqxx::work& tx, const std::vector<core::Event>& batch, std::set<std::string>& created);
  void maintain(pqxx::work& tx, std::uint64_t types);

  pqxx::connection& conn_;
  bool prepared_ = false;
  std::set<std::string> months_;  // partitions known to exist ("YYYY-MM")
};

}  // namespace mucstream::sql
