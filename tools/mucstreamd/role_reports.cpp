// mucstreamd reports --recompute (--room-id ID | --all): rebuilds room reports
// (rooms.reports and rooms.report_state) from the stored events with the same fold the
// materialiser runs incrementally, and with --all also every rollup (sql/rollups.hpp), then
// exits. Safe beside a running materialiser (each room
// is rewritten holding its rooms row) and idempotent.
#include <cctype>
#include <cstdio>

#include "sql/migrate.hpp"
#include "sql/reports.hpp"
#include "sql/rollups.hpp"
#include "tools/common/log.hpp"
#include "tools/mucstreamd/pipeline.hpp"
#include "tools/mucstreamd/roles.hpp"

namespace mucstream::tools {
namespace {

bool is_uuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

}  // namespace

int run_reports(const Settings& s) {
  if (!s.get_bool("reports.recompute"))
    throw SettingsError("say what to do: --recompute (with --room-id ID or --all)");
  const std::string& room = s.get("reports.room_id");
  const bool all = s.get_bool("reports.all");
  if (room.empty() == !all) throw SettingsError("--recompute needs exactly one of --room-id ID or --all");
  if (!room.empty() && !is_uuid(room)) throw SettingsError("--room-id: '" + room + "' is not a room id (a UUID)");
  const std::string& pg = s.get("pg");
  if (pg.empty()) throw SettingsError("--pg (a libpq connection string, MUCSTREAM_PG) is required");
  pqxx::connection conn(pg);
  sql::migrate(conn);  // the report columns come with migration 0005
  const sql::RecomputeResult r =
      sql::recompute_reports(conn, room.empty() ? std::nullopt : std::optional<std::string>(room));
  if (!room.empty() && r.rooms == 0) {
    log::error("reports", "no room with id {}", room);
    return 1;
  }
  std::printf("recomputed %zu room report(s) from %zu event(s)\n", r.rooms, r.events);
  if (all) {
    // The rollups summarise every room at once: only a whole rebuild makes sense.
    sql::recompute_rollups(conn);
    std::printf("recomputed the rollups\n");
  }
  return 0;
}

}  // namespace mucstream::tools
