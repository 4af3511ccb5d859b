// mucctl rooms destroy-empty | destroy-unused --days N: clearing out live rooms nobody uses
// (POST /v1/admin/rooms/destroy-empty|destroy-unused), as ejabberd's rooms_empty_destroy and
// rooms_unused_destroy; --dry-run lists what would go and destroys nothing.
#include <cstdlib>

#include "analytics/json.hpp"
#include "tools/mucctl/cli.hpp"

namespace mucstream::tools::mucctl {
namespace {

constexpr long kMaxDays = 36500;

int sweep(Context& ctx, const std::string& route, analytics::JsonOut& body, const char* what) {
  const bool dry_run = ctx.has("dry-run");
  if (dry_run) body.key("dry_run").boolean(true);
  body.member_if("reason", ctx.get("reason"));
  Api api(ctx);
  std::string raw;
  const auto doc = api.post("/v1/admin/rooms/" + route, body.end_object().take(), &raw);
  if (ctx.format == Format::json) {
    print(raw + "\n");
    return kOk;
  }
  Table t;
  const bool csv = ctx.format == Format::csv;
  t.columns = csv ? std::vector<std::string>{"room", "room_id", "name", "persistent", "created", "last_activity"}
                  : std::vector<std::string>{"ROOM", "NAME", "PERSISTENT", "CREATED", "LAST ACTIVITY"};
  for (const auto& r : doc["rooms"].GetArray()) {
    if (csv)
      t.rows.push_back({cell(r, "room"), cell(r, "room_id"), cell(r, "name"), cell(r, "persistent"), cell(r, "created"),
                        cell(r, "last_activity")});
    else
      t.rows.push_back(
          {cell(r, "room"), cell(r, "name"), cell(r, "persistent"), cell(r, "created"), cell(r, "last_activity")});
  }
  const auto n = doc["count"].GetInt64();
  if (csv) {
    print_rows(ctx, t);
    return kOk;
  }
  // Finding nothing to sweep is a normal outcome (a nightly job), said in words.
  if (n == 0) {
    print(std::string("no ") + what + " room" + (dry_run ? " would be destroyed\n" : " to destroy\n"));
    return kOk;
  }
  print_rows(ctx, t);
  print(std::to_string(n) + (n == 1 ? " room " : " rooms ") +
        (dry_run ? "would be destroyed (dry run: nothing was changed)\n" : "destroyed\n"));
  return kOk;
}

int cmd_destroy_empty(Context& ctx) {
  analytics::JsonOut b;
  b.begin_object();
  return sweep(ctx, "destroy-empty", b, "empty");
}

int cmd_destroy_unused(Context& ctx) {
  const auto days_text = ctx.get("days");
  if (!days_text) throw UsageError("--days N is required: rooms with no message and no join for N days go");
  char* end = nullptr;
  const long days = std::strtol(days_text->c_str(), &end, 10);
  if (days_text->empty() || *end != '\0' || days < 0 || days > kMaxDays)
    throw UsageError("--days must be a whole number of days, 0.." + std::to_string(kMaxDays) + ", got '" + *days_text + "'");
  analytics::JsonOut b;
  b.begin_object().key("days").i64(days);
  return sweep(ctx, "destroy-unused", b, "unused");
}

}  // namespace

const std::vector<Command>& room_sweep_commands() {
  static const std::vector<Command> commands = {
      {"rooms", "destroy-empty",
       "usage: mucctl rooms destroy-empty [--dry-run] [--reason TEXT]\n\n"
       "Destroys every live room that nobody is in and that holds no message (neither in its\n"
       "history nor among its recent messages: nothing said there, or all of it retracted), as\n"
       "ejabberd's rooms_empty_destroy (POST /v1/admin/rooms/destroy-empty). Lists the rooms.\n"
       "Needs an admin token; served by the process that owns the rooms (mucstreamd all).\n\n"
       "  --dry-run       list the rooms that would go; destroy nothing\n"
       "  --reason TEXT   the reason recorded in each room_destroyed event (default destroy-empty)",
       {{"dry-run", false}, {"reason", true}}, 0, cmd_destroy_empty},
      {"rooms", "destroy-unused",
       "usage: mucctl rooms destroy-unused --days N [--dry-run] [--reason TEXT]\n\n"
       "Destroys every live room that nobody is in and that had no message and no join for N\n"
       "days (its creation counts when it had neither), as ejabberd's rooms_unused_destroy\n"
       "(POST /v1/admin/rooms/destroy-unused). --days 0 takes every room nobody is in.\n"
       "Needs an admin token; served by the process that owns the rooms (mucstreamd all).\n\n"
       "  --days N        whole days, 0..36500 (required)\n"
       "  --dry-run       list the rooms that would go; destroy nothing\n"
       "  --reason TEXT   the reason recorded in each room_destroyed event (default destroy-unused)",
       {{"days", true}, {"dry-run", false}, {"reason", true}}, 0, cmd_destroy_unused},
  };
  return commands;
}

}  // namespace mucstream::tools::mucctl
