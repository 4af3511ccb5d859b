// mucctl rooms show: one room (GET /v1/rooms/{id}) with its room report, as a person reads
// it — the record, the report's figures with durations in h/m/s, then who took part and the
// P2P sessions. CSV adds the figures (milliseconds, as the API gives them) to the record's
// one row; JSON is the API's answer as is.
#include <cstdio>
#include <string>
#include <vector>

#include "analytics/params.hpp"
#include "tools/mucctl/cli.hpp"

namespace mucstream::tools::mucctl {
namespace {

const std::vector<std::string> kRoomFields = {"id",        "name",      "jid",         "created",      "ended",
                                              "active",    "occupants", "event_count", "ended_reason", "creator",
                                              "persistent", "locked",   "last_event",  "config"};

// The report's figures as CSV columns: name in the CSV header, key in the report (p2p.* in
// its p2p object).
struct Figure {
  const char* column;
  const char* key;
  bool in_p2p;
};
const std::vector<Figure> kFigures = {
    {"report_as_of_ms", "as_of_ms", false},           {"report_duration_ms", "duration_ms", false},
    {"report_peak_sessions", "peak_sessions", false}, {"report_peak_participants", "peak_participants", false},
    {"report_participants", "participants", false},   {"report_sessions", "sessions", false},
    {"report_initial_wait_ms", "initial_wait_ms", false}, {"report_usable_ms", "usable_ms", false},
    {"report_p2p_count", "count", true},              {"report_p2p_completed", "completed", true},
    {"report_p2p_failed", "failed", true},            {"report_p2p_interrupted", "interrupted", true},
    {"report_p2p_open", "open", true},                {"report_p2p_total_ms", "total_ms", true}};

const rapidjson::Value* member(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject()) return nullptr;
  const auto it = obj.FindMember(key);
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

// Milliseconds as 1h02m03s / 4m05s / 7s / 0.25s; empty for null or absent.
std::string duration(const rapidjson::Value* v) {
  if (v == nullptr || !v->IsInt64()) return "";
  const std::int64_t ms = v->GetInt64();
  char buf[64];
  if (ms == 0) {
    return "0s";
  } else if (ms < 1000) {
    std::snprintf(buf, sizeof buf, "%.2fs", static_cast<double>(ms) / 1000);
  } else {
    const std::int64_t s = ms / 1000, h = s / 3600, m = s / 60 % 60, sec = s % 60;
    if (h > 0) std::snprintf(buf, sizeof buf, "%lldh%02lldm%02llds", static_cast<long long>(h), static_cast<long long>(m),
                             static_cast<long long>(sec));
    else if (m > 0) std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(m), static_cast<long long>(sec));
    else std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(sec));
  }
  return buf;
}

// Unix milliseconds as RFC 3339; empty for null or absent.
std::string when(const rapidjson::Value* v) {
  if (v == nullptr || !v->IsInt64()) return "";
  return analytics::format_rfc3339(v->GetInt64() * 1000);
}

std::string duration(const rapidjson::Value& obj, const char* key) { return duration(member(obj, key)); }
std::string when(const rapidjson::Value& obj, const char* key) { return when(member(obj, key)); }

void print_figures(const rapidjson::Value& r) {
  const rapidjson::Value* p2p = member(r, "p2p");
  const rapidjson::Value& calls = p2p != nullptr ? *p2p : r;  // absent: the cells stay empty
  const bool ended = member(r, "ended") != nullptr && (*member(r, "ended")).IsBool() && (*member(r, "ended")).GetBool();
  const std::vector<std::string> fields = {"as_of",        "ended",          "duration",     "peak_sessions",
                                           "peak_participants", "participants", "sessions",  "initial_wait",
                                           "usable_time",  "p2p_sessions",   "p2p_completed", "p2p_failed",
                                           "p2p_interrupted", "p2p_open",    "p2p_time"};
  const std::vector<std::string> values = {
      when(r, "as_of_ms"),       ended ? when(r, "ended_ms") + " (" + cell(r, "ended_reason") + ")" : "no, live",
      duration(r, "duration_ms"), cell(r, "peak_sessions"), cell(r, "peak_participants"), cell(r, "participants"),
      cell(r, "sessions"),       duration(r, "initial_wait_ms"), duration(r, "usable_ms"), cell(calls, "count"),
      cell(calls, "completed"),  cell(calls, "failed"),   cell(calls, "interrupted"), cell(calls, "open"),
      duration(calls, "total_ms")};
  print("\nReport\n" + render_table(vertical(fields, values)));
}

void print_participants(const rapidjson::Value& r) {
  const rapidjson::Value* list = member(r, "participant_times");
  if (list == nullptr || !list->IsArray() || list->Empty()) return;
  Table t;
  t.columns = {"NICK", "USERID", "SESSIONS", "FIRST_JOINED", "PRESENT", "SPEAKING"};
  for (const auto& p : list->GetArray())
    t.rows.push_back({cell(p, "nick"), cell(p, "userid"), cell(p, "sessions"), when(p, "first_joined_ms"),
                      duration(p, "present_ms"), duration(p, "speaking_ms")});
  print("\nParticipants\n" + render_table(t));
}

void print_p2p(const rapidjson::Value& r) {
  const rapidjson::Value* p2p = member(r, "p2p");
  const rapidjson::Value* list = p2p != nullptr ? member(*p2p, "sessions") : nullptr;
  if (list == nullptr || !list->IsArray() || list->Empty()) return;
  Table t;
  t.columns = {"SID", "INITIATOR", "RESPONDER", "MEDIA", "STARTED", "DURATION", "OUTCOME", "REASON", "SOURCE"};
  for (const auto& c : list->GetArray()) {
    std::string media;
    if (const rapidjson::Value* m = member(c, "media"); m != nullptr && m->IsArray())
      for (const auto& k : m->GetArray())
        if (k.IsString()) media += (media.empty() ? "" : ",") + std::string(k.GetString(), k.GetStringLength());
    t.rows.push_back({cell(c, "sid"), cell(c, "initiator"), cell(c, "responder"), media, when(c, "started_ms"),
                      duration(c, "duration_ms"), cell(c, "outcome"), cell(c, "reason"), cell(c, "source")});
  }
  print("\nP2P sessions\n" + render_table(t));
}

}  // namespace

int cmd_rooms_show(Context& ctx) {
  Api api(ctx);
  std::string raw;
  // ROOM: the room's id, bare JID or local part; the API resolves it (a JID used by several
  // rooms over time means the live one, else the latest).
  const auto doc = api.get("/v1/rooms/" + percent(room_arg(ctx, ctx.args.at(0))), {}, &raw);
  if (ctx.format == Format::json) {
    print(raw + "\n");
    return kOk;
  }
  std::vector<std::string> fields = kRoomFields, values;
  for (const auto& f : fields) values.push_back(cell(doc, f.c_str()));
  const rapidjson::Value* report = member(doc, "reports");
  if (report != nullptr && !report->IsObject()) report = nullptr;  // null until materialised
  if (ctx.format == Format::csv) {
    for (const Figure& f : kFigures) {
      fields.push_back(f.column);
      const rapidjson::Value* from = report == nullptr ? nullptr : f.in_p2p ? member(*report, "p2p") : report;
      values.push_back(from == nullptr ? "" : cell(*from, f.key));
    }
    print(render_csv(Table{fields, {values}}));
    return kOk;
  }
  print(render_table(vertical(fields, values)));
  if (report == nullptr) {
    print("\nReport: none yet (the room's events have not been materialised)\n");
    return kOk;
  }
  print_figures(*report);
  print_participants(*report);
  print_p2p(*report);
  return kOk;
}

}  // namespace mucstream::tools::mucctl
