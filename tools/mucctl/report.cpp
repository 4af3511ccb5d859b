// mucctl report summary|rooms|p2p|media: a period's figures from the analytics endpoints
// (GET /v1/analytics/summary, rooms, p2p, media), as a human table, CSV or the API's JSON.
#include <algorithm>
#include <cstdio>
#include <tuple>

#include "analytics/params.hpp"
#include "tools/mucctl/cli.hpp"

namespace mucstream::tools::mucctl {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

// --from/--to, or their older names --since/--until; checked here so a typo in a time is a
// usage error (exit 2) before any request.
Params period(const Context& ctx) {
  Params q;
  for (const auto& [name, alias, param] : {std::tuple{"from", "since", "since"}, std::tuple{"to", "until", "until"}}) {
    const auto a = ctx.get(name), b = ctx.get(alias);
    if (a && b) throw UsageError(std::string("--") + name + " and --" + alias + " are the same option, give one");
    const auto v = a ? a : b;
    if (!v) continue;
    if (!analytics::parse_rfc3339(*v))
      throw UsageError(std::string("--") + (a ? name : alias) + " must be an RFC 3339 time, e.g. 2026-11-16T00:00:00Z (got '" +
                       *v + "')");
    q.emplace_back(param, *v);
  }
  return q;
}

void add(Params& q, const Context& ctx, const char* option, const char* param) {
  if (auto v = ctx.get(option)) q.emplace_back(param, *v);
}

// A number cell: seconds without decimals, other figures with 4 significant digits.
std::string num(const rapidjson::Value& v, bool seconds = false) {
  if (!v.IsNumber()) return "";
  char buf[48];
  std::snprintf(buf, sizeof buf, seconds ? "%.0f" : "%.4g", v.GetDouble());
  return buf;
}
std::string num(const rapidjson::Value& obj, const char* key, bool seconds = false) {
  return obj.IsObject() && obj.HasMember(key) ? num(obj[key], seconds) : "";
}

// Prints one record: vertical FIELD/VALUE table, or a CSV header and one row.
void print_record(const Context& ctx, const std::vector<std::string>& fields, const std::vector<std::string>& values) {
  print(ctx.format == Format::csv ? render_csv(Table{fields, {values}}) : render_table(vertical(fields, values)));
}

void print_page_footer(const rapidjson::Value& doc, const char* noun) {
  const auto total = doc["total"].GetInt64(), page = doc["page"].GetInt64(), per = doc["per_page"].GetInt64();
  const auto pages = std::max<std::int64_t>(1, (total + per - 1) / per);
  print("page " + std::to_string(page) + " of " + std::to_string(pages) + ", " + std::to_string(total) + " " + noun +
        "\n");
}

int cmd_report_summary(Context& ctx) {
  const Params q = period(ctx);
  Api api(ctx);
  std::string raw;
  const auto doc = api.get("/v1/analytics/summary", q, &raw);
  if (ctx.format == Format::json) {
    print(raw + "\n");
    return kOk;
  }
  const auto& rooms = doc["rooms"];
  const auto& sessions = doc["sessions"];
  const std::vector<std::string> fields = {"since", "until", "rooms_created", "rooms_ended", "rooms_still_active",
                                           "duration_mean_s", "duration_p95_s", "peak_concurrent_occupants",
                                           "messages", "sessions", "distinct_users", "sessions_by_type",
                                           "sessions_by_os", "sessions_by_browser"};
  const std::vector<std::string> values = {
      cell(doc, "since"), cell(doc, "until"), cell(rooms, "created"), cell(rooms, "ended"), cell(rooms, "still_active"),
      num(rooms["duration_seconds"], "mean", true), num(rooms["duration_seconds"], "p95", true),
      cell(doc, "peak_concurrent_occupants"), cell(doc, "messages"), cell(sessions, "total"),
      cell(sessions, "distinct_users"), cell(sessions, "by_type"), cell(sessions, "by_os"), cell(sessions, "by_browser")};
  print_record(ctx, fields, values);
  return kOk;
}

int cmd_report_rooms(Context& ctx) {
  Params q = period(ctx);
  add(q, ctx, "page", "page");
  add(q, ctx, "per-page", "per_page");
  Api api(ctx);
  std::string raw;
  const auto doc = api.get("/v1/analytics/rooms", q, &raw);
  if (ctx.format == Format::json) {
    print(raw + "\n");
    return kOk;
  }
  Table t;
  t.columns = ctx.format == Format::csv
                  ? std::vector<std::string>{"room_id", "jid", "created", "ended", "duration_seconds", "sessions",
                                             "participants", "p2p_sessions", "p2p_failed", "p2p_interrupted",
                                             "call_seconds"}
                  : std::vector<std::string>{"ROOM_ID", "JID", "CREATED", "ENDED", "DURATION_S", "SESSIONS", "PEOPLE",
                                             "CALLS", "FAILED", "INTERRUPTED", "CALL_S"};
  for (const auto& r : doc["items"].GetArray())
    t.rows.push_back({cell(r, "room_id"), cell(r, "jid"), cell(r, "created"), cell(r, "ended"),
                      num(r, "duration_seconds", true), cell(r, "sessions"), cell(r, "participants"),
                      cell(r, "p2p_sessions"), cell(r, "p2p_failed"), cell(r, "p2p_interrupted"),
                      num(r, "call_seconds", true)});
  print_rows(ctx, t);
  if (ctx.format == Format::table) print_page_footer(doc, doc["total"].GetInt64() == 1 ? "room" : "rooms");
  return kOk;
}

int cmd_report_p2p(Context& ctx) {
  Params q = period(ctx);
  add(q, ctx, "room", "room");
  Api api(ctx);
  std::string raw;
  const auto doc = api.get("/v1/analytics/p2p", q, &raw);
  if (ctx.format == Format::json) {
    print(raw + "\n");
    return kOk;
  }
  const auto& s = doc["sessions"];
  const auto& d = doc["duration_seconds"];
  const std::vector<std::string> fields = {
      "since",           "until",          "room",          "sessions",      "completed",       "failed",
      "interrupted",     "ongoing",        "with_stats",    "relayed",       "relayed_share",   "duration_mean_s",
      "duration_p95_s",  "duration_total_s", "samples",     "rtt_median_ms", "rtt_p95_ms",      "jitter_mean_ms",
      "packet_loss_mean", "packet_loss_p95"};
  const std::vector<std::string> values = {
      cell(doc, "since"), cell(doc, "until"), cell(doc, "room"), cell(s, "total"), cell(s, "completed"),
      cell(s, "failed"), cell(s, "interrupted"), cell(s, "ongoing"), cell(s, "with_stats"), cell(s, "relayed"),
      num(s, "relayed_share"), num(d, "mean", true), num(d, "p95", true), num(d, "total", true), cell(doc, "samples"),
      num(doc["rtt_ms"], "median"), num(doc["rtt_ms"], "p95"), num(doc["jitter_ms"], "mean"),
      num(doc["packet_loss"], "mean"), num(doc["packet_loss"], "p95")};
  print_record(ctx, fields, values);
  return kOk;
}

int cmd_report_media(Context& ctx) {
  Params q = period(ctx);
  add(q, ctx, "room", "room");
  add(q, ctx, "page", "page");
  add(q, ctx, "per-page", "per_page");
  Api api(ctx);
  std::string raw;
  const auto doc = api.get("/v1/analytics/media", q, &raw);
  if (ctx.format == Format::json) {
    print(raw + "\n");
    return kOk;
  }
  Table t;
  t.columns = ctx.format == Format::csv
                  ? std::vector<std::string>{"session", "nick", "userid", "room_id", "joined", "left",
                                             "present_seconds", "audio_paused_seconds", "video_paused_seconds",
                                             "screen_share_seconds", "screen_shares"}
                  : std::vector<std::string>{"SESSION", "NICK", "USERID", "JOINED", "LEFT", "PRESENT_S",
                                             "AUDIO_PAUSED_S", "VIDEO_PAUSED_S", "SCREEN_S", "SHARES"};
  for (const auto& m : doc["items"].GetArray()) {
    std::vector<std::string> row = {cell(m, "session"), cell(m, "nick"), cell(m, "userid")};
    if (ctx.format == Format::csv) row.push_back(cell(m, "room_id"));
    for (const auto& v : {cell(m, "joined"), cell(m, "left"), num(m, "present_seconds", true),
                          num(m, "audio_paused_seconds", true), num(m, "video_paused_seconds", true),
                          num(m, "screen_share_seconds", true), cell(m, "screen_shares")})
      row.push_back(v);
    t.rows.push_back(std::move(row));
  }
  print_rows(ctx, t);
  if (ctx.format == Format::table) {
    const auto& tot = doc["totals"];
    print("total: " + cell(tot, "sessions") + " sessions, audio paused " + num(tot, "audio_paused_seconds", true) +
          " s (" + cell(tot, "sessions_audio_paused") + " sessions), video paused " +
          num(tot, "video_paused_seconds", true) + " s (" + cell(tot, "sessions_video_paused") +
          " sessions), screen shared " + num(tot, "screen_share_seconds", true) + " s (" +
          cell(tot, "sessions_sharing") + " sessions)\n");
    print_page_footer(doc, doc["total"].GetInt64() == 1 ? "session" : "sessions");
  }
  return kOk;
}

constexpr const char* kPeriodHelp =
    "  --from TIME          start of the period (RFC 3339, e.g. 2026-11-16T00:00:00Z; alias --since)\n"
    "  --to TIME            end of the period, exclusive (alias --until)\n"
    "Without them: the last 7 days; a period is at most 366 days.";

const std::vector<Option> kPeriodOptions = {{"from", true}, {"to", true}, {"since", true}, {"until", true}};

std::vector<Option> with_period(std::vector<Option> more) {
  more.insert(more.begin(), kPeriodOptions.begin(), kPeriodOptions.end());
  return more;
}

}  // namespace

const std::vector<Command>& report_commands() {
  static const std::string summary_usage =
      std::string("usage: mucctl report summary [--from TIME] [--to TIME]\n\n"
                  "A period in numbers (GET /v1/analytics/summary): rooms created and ended, mean and p95\n"
                  "duration, peak concurrent occupants, messages, sessions by type, OS and browser.\n\n") +
      kPeriodHelp;
  static const std::string rooms_usage =
      std::string("usage: mucctl report rooms [--from TIME] [--to TIME] [--page N] [--per-page N]\n\n"
                  "Rooms created in the period, oldest first, with their calls (GET /v1/analytics/rooms):\n"
                  "duration, sessions, distinct people, P2P sessions, how many failed or were interrupted,\n"
                  "and the time spent in P2P sessions.\n\n") +
      kPeriodHelp + "\n  --page N, --per-page N   paging (default 1, 50)";
  static const std::string p2p_usage =
      std::string("usage: mucctl report p2p [--from TIME] [--to TIME] [--room ROOM]\n\n"
                  "P2P call quality (GET /v1/analytics/p2p): sessions started in the period by outcome\n"
                  "(completed, failed, interrupted, ongoing), the share relayed (TURN) among those that\n"
                  "reported stats, durations, and rtt / jitter / packet loss over the period's samples.\n\n") +
      kPeriodHelp + "\n  --room ROOM          one room only (id, bare JID or local part)";
  static const std::string media_usage =
      std::string("usage: mucctl report media [--from TIME] [--to TIME] [--room ROOM] [--page N] [--per-page N]\n\n"
                  "Per occupant session that joined in the period (GET /v1/analytics/media): time present,\n"
                  "time with audio paused, with video paused, and sharing its screen; then the totals.\n\n") +
      kPeriodHelp + "\n  --room ROOM          one room only (id, bare JID or local part)\n  --page N, --per-page N   paging (default 1, 50)";
  static const std::vector<Command> commands = {
      {"report", "summary", summary_usage.c_str(), with_period({}), 0, cmd_report_summary},
      {"report", "rooms", rooms_usage.c_str(), with_period({{"page", true}, {"per-page", true}}), 0, cmd_report_rooms},
      {"report", "p2p", p2p_usage.c_str(), with_period({{"room", true}}), 0, cmd_report_p2p},
      {"report", "media", media_usage.c_str(), with_period({{"room", true}, {"page", true}, {"per-page", true}}), 0,
       cmd_report_media},
  };
  return commands;
}

}  // namespace mucstream::tools::mucctl
