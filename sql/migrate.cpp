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
  // The tenant-scoped reads use invoker-rights copies of the views (migration 0014): a
  // migration that adds or changes a view gets its copy here, without naming it.
  if (!applied.empty()) {
    pqxx::work tx(conn);
    tx.exec("SELECT pg_advisory_xact_lock(hashtext('mucstream_migrations'))");
    if (!tx.exec("SELECT to_regprocedure('mucstream_refresh_tenant_views()')")[0][0].is_null())
      tx.exec("SELECT mucstream_refresh_tenant_views()");
    tx.commit();
  }
  return applied;
}

}  // namespace mucstream::sql
