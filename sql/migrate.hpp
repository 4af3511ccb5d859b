#pragma once
// Schema migrations: sql/migrations/NNNN_name.sql, embedded at build time, applied in
// order, each in its own transaction together with its schema_migrations row, under an
// advisory lock so concurrent starters do not race. Running it twice changes nothing.
#include <pqxx/pqxx>

#include <string>
#include <vector>

namespace mucstream::sql {

struct Migration {
  std::string name;  // e.g. "0001_events"
  std::string sql;
};
const std::vector<Migration>& migrations();

// Applies what is missing; returns the names applied now (empty when up to date).
std::vector<std::string> migrate(pqxx::connection& conn);

}  // namespace mucstream::sql
