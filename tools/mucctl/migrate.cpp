// mucctl migrate: applies the missing SQL migrations, exactly as `mucstreamd migrate` does
// (sql::migrate: the migrations embedded at build time, each in a transaction under an
// advisory lock), for operators who have mucctl but not the daemon's settings at hand.
#include "core/log.hpp"
#include "sql/migrate.hpp"
#include "tools/mucctl/cli.hpp"

namespace mucstream::tools::mucctl {
namespace {

int cmd_migrate(Context& ctx) {
  if (auto v = ctx.get("pg")) ctx.pg = *v;
  if (ctx.pg.empty())
    throw UsageError("no PostgreSQL connection string: pass --pg, set MUCSTREAM_PG, or put pg in the config file");
  // sql/ logs each migration it applies; mucctl prints its own summary instead.
  core::set_log_sink([](core::LogLevel level, std::string_view component, std::string_view message) {
    if (level >= core::LogLevel::warn)
      std::fprintf(stderr, "mucctl: %.*s: %.*s\n", static_cast<int>(component.size()), component.data(),
                   static_cast<int>(message.size()), message.data());
  });
  std::unique_ptr<pqxx::connection> conn;
  try {
    conn = std::make_unique<pqxx::connection>(ctx.pg);
  } catch (const std::exception& e) {
    // libpq's message names host and port but never the password.
    std::string why = e.what();
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    throw Exit(kUnreachable, "cannot connect to PostgreSQL: " + why);
  }
  std::vector<std::string> applied;
  try {
    applied = sql::migrate(*conn);
  } catch (const pqxx::sql_error& e) {
    throw Exit(kFailed, std::string("migration failed, nothing of it was applied: ") + e.what());
  } catch (const pqxx::broken_connection& e) {
    throw Exit(kUnreachable, std::string("lost the PostgreSQL connection while migrating: ") + e.what());
  }
  const std::size_t known = sql::migrations().size();
  if (ctx.format == Format::json) {
    std::string out = "{\"applied\":[";
    for (std::size_t i = 0; i < applied.size(); ++i) out += (i ? ",\"" : "\"") + applied[i] + "\"";
    print(out + "],\"known\":" + std::to_string(known) + "}\n");
  } else if (ctx.format == Format::csv) {
    Table t{{"migration"}, {}};
    for (const auto& a : applied) t.rows.push_back({a});
    print(render_csv(t));
  } else {
    std::string out;
    for (const auto& a : applied) out += "applied " + a + "\n";
    print(out + "schema up to date: " + std::to_string(applied.size()) + " applied now, " + std::to_string(known) +
          " known\n");
  }
  return kOk;
}

}  // namespace

const std::vector<Command>& migrate_commands() {
  static const std::vector<Command> commands = {
      {"migrate", "",
       "usage: mucctl migrate [--pg CONNINFO]\n\n"
       "Applies the SQL migrations PostgreSQL is missing (the same ones, embedded in the binary,\n"
       "that `mucstreamd migrate` applies), each in its own transaction; running it again\n"
       "changes nothing. Talks to PostgreSQL directly, not to the API.\n\n"
       "  --pg CONNINFO        libpq connection string, e.g. 'host=127.0.0.1 dbname=mucstream'\n"
       "                       (env MUCSTREAM_PG, config pg)\n\n"
       "Exit status: 0 up to date, 1 a migration failed (rolled back), 2 no --pg,\n"
       "3 PostgreSQL cannot be reached.",
       {{"pg", true}}, 0, cmd_migrate},
  };
  return commands;
}

}  // namespace mucstream::tools::mucctl
