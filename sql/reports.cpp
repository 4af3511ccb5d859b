#include "sql/reports.hpp"

#include <algorithm>
#include <cctype>

#include "core/room_report.hpp"
#include "events/envelope.hpp"
#include "events/log.hpp"
#include "sql/stored_event.hpp"
#include "sql/telemetry_calls.hpp"

namespace mucstream::sql {
namespace {

// All state and report updates of a batch in one statement: a JSON array of
// [room_id, state, report] (one parameter, so nothing is spliced into SQL).
constexpr const char* kStore =
    "UPDATE rooms r SET report_state = x->1, reports = x->2"
    " FROM jsonb_array_elements($1::jsonb) x WHERE r.id = (x->>0)::uuid";

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The report-relevant type names as a PostgreSQL text[] literal, from core's own list.
const std::string& relevant_types() {
  static const std::string literal = [] {
    std::string s = "{";
    for (int i = 0; i < core::kEventTypeCount; ++i) {
      const auto t = static_cast<core::EventType>(i);
      if (!core::report_relevant(t)) continue;
      if (s.size() > 1) s += ',';
      s += core::to_string(t);
    }
    return s + "}";
  }();
  return literal;
}

core::RoomReport stored_state(const char* json) {
  if (json == nullptr) return {};
  std::string err;
  auto v = events::decode_value(json, &err);
  if (!v) {
    events::log_error("reports", "unreadable report state ({}); starting from empty", err);
    return {};
  }
  return core::state_from_value(*v);
}

FoldedReport folded_of(const core::RoomReport& r) {
  return {events::encode_value(core::state_to_value(r)), events::encode_value(core::to_value(r)), false};
}

// The calls only the clients' telemetry reported: what the views take from the report.
std::vector<const core::ReportP2P*> telemetry_calls(const core::RoomReport& r) {
  std::vector<const core::ReportP2P*> out;
  for (const core::ReportP2P& c : r.p2p)
    if (c.source == "telemetry") out.push_back(&c);
  return out;
}

bool same_calls(const std::vector<const core::ReportP2P*>& a, const std::vector<const core::ReportP2P*>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const core::ReportP2P* x, const core::ReportP2P* y) { return *x == *y; });
}

}  // namespace

std::map<std::string, FoldedReport> fold_new_events(pqxx::work& tx, const FreshByRoom& fresh) {
  std::map<std::string, FoldedReport> out;
  if (fresh.empty()) return out;
  std::map<std::string, std::string> key_of;  // PostgreSQL prints uuids in lower case
  std::string ids = "{";
  for (const auto& [room_id, events] : fresh) {
    if (ids.size() > 1) ids += ',';
    ids += room_id;  // a uuid: the events' COPY into a uuid column has just accepted it
    key_of[lower(room_id)] = room_id;
  }
  ids += '}';
  const pqxx::result rows = tx.exec_params(
      "SELECT id::text, report_state::text FROM rooms WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE", ids);
  std::map<std::string, const char*> stored;  // id -> state JSON (nullptr: none yet); lives with `rows`
  for (const auto& row : rows) stored[row[0].as<std::string>()] = row[1].is_null() ? nullptr : row[1].c_str();
  for (const auto& [id, room_id] : key_of) {
    std::vector<const core::Event*> events = fresh.at(room_id);
    std::stable_sort(events.begin(), events.end(),
                     [](const core::Event* a, const core::Event* b) { return a->seq < b->seq; });
    core::RoomReport r;
    if (auto it = stored.find(id); it != stored.end()) {
      r = stored_state(it->second);
    } else if (std::none_of(events.begin(), events.end(),
                            [](const core::Event* e) { return e->type == core::EventType::room_created; })) {
      continue;  // no rooms row and none coming
    }
    // Copied, not pointed at: the fold moves the report. Usually empty (chat, Jingle calls).
    std::vector<core::ReportP2P> before;
    for (const core::ReportP2P* c : telemetry_calls(r)) before.push_back(*c);
    for (const core::Event* e : events) r = core::fold(std::move(r), *e);
    FoldedReport f = folded_of(r);
    std::vector<const core::ReportP2P*> was;
    for (const core::ReportP2P& c : before) was.push_back(&c);
    f.telemetry_calls_changed = !same_calls(was, telemetry_calls(r));
    out[room_id] = std::move(f);
  }
  return out;
}

void store_reports(pqxx::work& tx, const std::map<std::string, FoldedReport>& folded) {
  if (folded.empty()) return;
  // [[room_id, state, report], …]: the parts are JSON already (ids are uuids).
  std::string json = "[";
  for (const auto& [room_id, f] : folded) {
    if (json.size() > 1) json += ',';
    json += "[\"" + room_id + "\"," + f.state + "," + f.report + "]";
  }
  json += ']';
  tx.exec_params0(kStore, json);
}

std::size_t fold_reports(pqxx::work& tx, const FreshByRoom& fresh) {
  const auto folded = fold_new_events(tx, fresh);
  store_reports(tx, folded);
  refresh_telemetry_calls(tx, folded);
  return folded.size();
}

namespace {

bool recompute_room(pqxx::connection& conn, const std::string& room_id, RecomputeResult& out) {
  pqxx::work tx(conn);
  if (tx.exec_params("SELECT 1 FROM rooms WHERE id = $1::uuid FOR UPDATE", room_id).empty()) return false;
  // Read after taking the lock: a materialiser that committed meanwhile is included.
  const pqxx::result rows = tx.exec_params(
      std::string("SELECT ") + kStoredEventColumns +
          " FROM events e WHERE e.room_id = $1::uuid AND e.type = ANY($2::text[]) ORDER BY e.seq",
      room_id, relevant_types());
  core::RoomReport r;
  for (const auto& row : rows) {
    if (auto e = event_from_row(row, "reports")) {
      r = core::fold(std::move(r), *e);
      ++out.events;
    }
  }
  store_reports(tx, {{room_id, folded_of(r)}});
  refresh_telemetry_calls(tx, {room_id});
  tx.commit();
  ++out.rooms;
  return true;
}

}  // namespace

RecomputeResult recompute_reports(pqxx::connection& conn, const std::optional<std::string>& room_id) {
  RecomputeResult out;
  if (room_id) {
    recompute_room(conn, lower(*room_id), out);
    return out;
  }
  std::vector<std::string> ids;
  {
    pqxx::read_transaction tx(conn);
    for (const auto& row : tx.exec("SELECT id::text FROM rooms ORDER BY created, id")) ids.push_back(row[0].as<std::string>());
  }
  for (const std::string& id : ids) recompute_room(conn, id, out);
  return out;
}

}  // namespace mucstream::sql
