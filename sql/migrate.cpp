#include "sql/migrate.hpp"

#include "events/log.hpp"

namespace mucstream::sql {

std::vector<std::string> migrate(pqxx::connection& conn) {
  {
    pqxx::work tx(conn);
    tx.exec("SELECT pg_advisory_xact_lock(hashtext('mucstream_migrations'))");
    tx.exec0(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version text PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())");
    tx.commit();
  }
  std::vector<std::string> applied;
  for (const Migration& m : migrations()) {
    pqxx::work tx(conn);
    tx.exec("SELECT pg_advisory_xact_lock(hashtext('mucstream_migrations'))");
    if (!tx.exec_params("SELECT 1 FROM schema_migrations WHERE version = $1", m.name).empty()) continue;
    tx.exec(m.sql);
    tx.exec_params0("INSERT INTO schema_migrations (version) VALUES ($1)", m.name);
    tx.commit();
    events::log_info("migrate", "applied {}", m.name);
    applied.push_back(m.name);
  }
  return applied;
}

}  // namespace mucstream::sql
