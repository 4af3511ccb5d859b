#pragma once
// Writes a batch of events into PostgreSQL in one transaction: COPY (pqxx::stream_to) into a
// temporary staging table, INSERT … ON CONFLICT DO NOTHING into events, and rooms/users
// maintained from exactly the rows that were new. A batch written twice changes nothing.
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
  pqxx::connection& conn_;
  bool prepared_ = false;
  std::set<std::string> months_;  // partitions known to exist ("YYYY-MM")
};

}  // namespace mucstream::sql
