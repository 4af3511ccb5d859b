// mucctl purge and mucctl users forget: the data lifecycle (sql/retention.hpp,
// sql/forget.hpp) run against PostgreSQL directly, as `mucctl migrate` is, so an operator
// needs the database connection and no API token. The purge takes the same limits as the
// daemon (flags, else the MUCSTREAM_RETENTION_* variables mucstreamd reads).
#include <chrono>
#include <cstdlib>

#include "analytics/json.hpp"
#include "core/jid.hpp"
#include "core/log.hpp"
#include "sql/forget.hpp"
#include "sql/retention.hpp"
#include "tools/mucctl/cli.hpp"

namespace mucstream::tools::mucctl {
namespace {

std::unique_ptr<pqxx::connection> connect(Context& ctx) {
  // sql/ logs what it does; mucctl prints its own summary, and only warnings go to stderr.
  core::set_log_sink([](core::LogLevel level, std::string_view component, std::string_view message) {
    if (level >= core::LogLevel::warn)
      std::fprintf(stderr, "mucctl: %.*s: %.*s\n", static_cast<int>(component.size()), component.data(),
                   static_cast<int>(message.size()), message.data());
  });
  if (auto v = ctx.get("pg")) ctx.pg = *v;
  if (ctx.pg.empty())
    throw UsageError("no PostgreSQL connection string: pass --pg, set MUCSTREAM_PG, or put pg in the config file");
  try {
    return std::make_unique<pqxx::connection>(ctx.pg);
  } catch (const std::exception& e) {
    std::string why = e.what();  // libpq's message names host and port, never the password
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    throw Exit(kUnreachable, "cannot connect to PostgreSQL: " + why);
  }
}

// A limit in days from --NAME, else from the daemon's environment variable, else 0.
int days(const Context& ctx, const char* option, const char* env_name) {
  std::string v;
  if (auto f = ctx.get(option)) v = *f;
  else if (const char* e = std::getenv(env_name)) v = e;
  else return 0;
  const bool digits = !v.empty() && v.size() <= 5 && v.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || std::stoi(v) > 36500)
    throw UsageError(std::string("--") + option + " must be a whole number of days from 0 to 36500, got '" + v + "'");
  return std::stoi(v);
}

template <class F>
auto on_database(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const pqxx::broken_connection& e) {
    throw Exit(kUnreachable, std::string("lost the PostgreSQL connection: ") + e.what());
  } catch (const pqxx::undefined_table&) {
    throw Exit(kFailed, "the schema is not migrated: run `mucctl migrate` first");
  } catch (const pqxx::undefined_function&) {
    throw Exit(kFailed, "the schema is not migrated: run `mucctl migrate` first");
  } catch (const pqxx::sql_error& e) {
    throw Exit(kFailed, std::string("PostgreSQL refused, nothing was changed by the failing step: ") + e.what());
  }
}

int cmd_purge(Context& ctx) {
  const bool dry = ctx.has("dry-run"), apply = ctx.has("apply");
  if (dry == apply) throw UsageError("say --dry-run (count what would go) or --apply (purge it)");
  const sql::RetentionPolicy policy{.events_days = days(ctx, "events-days", "MUCSTREAM_RETENTION_EVENTS_DAYS"),
                                    .bodies_days = days(ctx, "bodies-days", "MUCSTREAM_RETENTION_BODIES_DAYS"),
                                    .personal_days = days(ctx, "personal-days", "MUCSTREAM_RETENTION_PERSONAL_DAYS")};
  if (!policy.any())
    throw UsageError("every limit is 0 (keep forever): give --events-days, --bodies-days or --personal-days");
  auto conn = connect(ctx);
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const sql::PurgeReport r = on_database([&] { return sql::purge(*conn, policy, now_ms, apply); });
  if (r.skipped) throw Exit(kFailed, "another purge is running (a materialiser's): nothing was done, try again later");

  const auto partition_state = [&](const sql::PurgeReport::Partition& p) -> std::string {
    if (!p.held_by.empty()) return "kept: " + p.held_by;
    return apply ? "dropped" : "would drop";
  };
  if (ctx.format == Format::json) {
    analytics::JsonOut j;
    j.begin_object().key("applied").boolean(apply).key("partitions").begin_array();
    for (const auto& p : r.partitions) {
      j.begin_object().key("name").str(p.name).key("until").str(p.until).key("events").i64(p.events);
      j.key("held_by").str(p.held_by.empty() ? std::nullopt : std::optional<std::string>(p.held_by)).end_object();
    }
    j.end_array().key("partitions_dropped").i64(r.partitions_dropped).key("events_dropped").i64(r.events_dropped);
    j.key("bodies").i64(r.bodies).key("sessions").i64(r.sessions).end_object();
    print(j.take() + "\n");
    return kOk;
  }
  Table t{{"class", "what", "count", "state"}, {}};
  for (const auto& p : r.partitions)
    t.rows.push_back({"events", "partition " + p.name + " (before " + p.until + ")", std::to_string(p.events),
                      partition_state(p)});
  if (policy.events_days > 0 && r.partitions.empty())
    t.rows.push_back({"events", "partitions past " + std::to_string(policy.events_days) + " days", "0", ""});
  const std::string done = apply ? "cleared" : "would clear";
  if (policy.bodies_days > 0)
    t.rows.push_back({"bodies", "message bodies older than " + std::to_string(policy.bodies_days) + " days",
                      std::to_string(r.bodies), done});
  if (policy.personal_days > 0)
    t.rows.push_back({"personal", "sessions ended more than " + std::to_string(policy.personal_days) + " days ago",
                      std::to_string(r.sessions), apply ? "pseudonymised" : "would pseudonymise"});
  print(ctx.format == Format::csv ? render_csv(t) : render_table(t));
  return kOk;
}

int cmd_users_forget(Context& ctx) {
  const auto parsed = core::Jid::parse(ctx.args[0]);
  if (std::holds_alternative<core::JidError>(parsed) || !std::get<core::Jid>(parsed).is_bare() ||
      std::get<core::Jid>(parsed).node().empty())
    throw UsageError("JID must be a bare JID such as alice@example.org, got '" + ctx.args[0] + "'");
  const std::string jid = std::get<core::Jid>(parsed).bare();
  auto conn = connect(ctx);
  const sql::ForgetReport r = on_database([&] { return sql::forget_user(*conn, jid); });
  const std::vector<std::string> fields = {"jid", "pseudonym", "sessions", "events", "archive", "rooms", "snapshots"};
  const std::vector<std::string> values = {jid,
                                           r.pseudonym,
                                           std::to_string(r.sessions),
                                           std::to_string(r.events),
                                           std::to_string(r.archive),
                                           std::to_string(r.rooms),
                                           std::to_string(r.snapshots)};
  if (ctx.format == Format::json) {
    analytics::JsonOut j;
    j.begin_object().key("jid").str(jid).key("pseudonym").str(r.pseudonym).key("sessions").i64(r.sessions);
    j.key("events").i64(r.events).key("archive").i64(r.archive).key("rooms").i64(r.rooms);
    j.key("snapshots").i64(r.snapshots).end_object();
    print(j.take() + "\n");
  } else {
    print_rows(ctx, vertical(fields, values));
  }
  return kOk;
}

}  // namespace

const std::vector<Command>& lifecycle_commands() {
  static const std::vector<Command> commands = {
      {"purge", "",
       "usage: mucctl purge --dry-run|--apply [--events-days N] [--bodies-days N] [--personal-days N] [--pg CONNINFO]\n\n"
       "Retention, as the materialiser runs it every retention.purge_interval_s: events older than\n"
       "--events-days go by whole monthly partitions (detached and dropped; a partition a live room\n"
       "still needs for a restore is kept and says why), message bodies older than --bodies-days\n"
       "are cleared (the rows stay), sessions that ended more than --personal-days ago lose their\n"
       "real JIDs and user agent (bare JIDs become pseudonyms). Rooms, sessions and room reports\n"
       "stay. --dry-run counts what would go and changes nothing. Talks to PostgreSQL directly.\n\n"
       "  --dry-run            count only\n"
       "  --apply              purge\n"
       "  --events-days N      (env MUCSTREAM_RETENTION_EVENTS_DAYS; 0 or absent: keep forever)\n"
       "  --bodies-days N      (env MUCSTREAM_RETENTION_BODIES_DAYS)\n"
       "  --personal-days N    (env MUCSTREAM_RETENTION_PERSONAL_DAYS)\n"
       "  --pg CONNINFO        libpq connection string (env MUCSTREAM_PG, config pg)\n\n"
       "Exit status: 0 done, 1 PostgreSQL refused or another purge was running, 2 usage,\n"
       "3 PostgreSQL cannot be reached.",
       {{"dry-run", false}, {"apply", false}, {"events-days", true}, {"bodies-days", true}, {"personal-days", true},
        {"pg", true}},
       0, cmd_purge},
      {"users", "forget",
       "usage: mucctl users forget JID [--pg CONNINFO]\n\n"
       "Forgets one person everywhere in PostgreSQL, in one transaction: the bare JID and every\n"
       "nick its sessions used become a pseudonym (the same for every run), its message bodies,\n"
       "real JIDs and client details go; rows stay, so counts, durations and reports still add up.\n"
       "Forget a person once they have left their rooms: events stored while a session is present\n"
       "name it again. The Kafka topic is not rewritten (its own retention ends those copies).\n\n"
       "  --pg CONNINFO        libpq connection string (env MUCSTREAM_PG, config pg)\n\n"
       "Exit status: 0 done (also when the JID was never seen: all counts 0), 1 PostgreSQL\n"
       "refused, 2 usage (not a bare JID), 3 PostgreSQL cannot be reached.",
       {{"pg", true}}, 1, cmd_users_forget},
  };
  return commands;
}

}  // namespace mucstream::tools::mucctl
