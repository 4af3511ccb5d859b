// mucstreamd migrate: applies the SQL migrations that are missing, then exits.
#include "sql/migrate.hpp"
#include "tools/common/log.hpp"
#include "tools/mucstreamd/pipeline.hpp"
#include "tools/mucstreamd/roles.hpp"

namespace mucstream::tools {

int run_migrate(const Settings& s) {
  const std::string& pg = s.get("pg");
  if (pg.empty()) throw SettingsError("--pg (a libpq connection string, MUCSTREAM_PG) is required");
  pqxx::connection conn(pg);
  const auto applied = sql::migrate(conn);
  log::info("migrate", "{} migration(s) applied, schema up to date ({} known)", applied.size(),
            sql::migrations().size());
  return 0;
}

}  // namespace mucstream::tools
