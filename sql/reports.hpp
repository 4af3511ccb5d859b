#pragma once
// Room reports in PostgreSQL (core/room_report.hpp): rooms.report_state holds each room's
// fold state, rooms.reports the report rendered from it. The materialiser folds a batch's new
// events into the state in the transaction that stores them (no rescan); recompute rebuilds
// a room's state and report from its stored events and gives the same result.
#include <pqxx/pqxx>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/event.hpp"

namespace mucstream::sql {

// room_id -> the room's new report-relevant events of one batch (core::report_relevant).
using FreshByRoom = std::map<std::string, std::vector<const core::Event*>>;

// A room's state and report after folding, as JSON text ready for a jsonb column.
// telemetry_calls_changed: the fold changed a call only the clients' telemetry reported,
// so the room's rows of it in rollup_p2p_sessions must follow (sql/telemetry_calls.hpp).
struct FoldedReport {
  std::string state, report;
  bool telemetry_calls_changed = false;
};

// Inside the writer's transaction: loads the rooms' states (locking their rows, so a recompute
// running beside waits) and folds the new events in seq order; keyed like `fresh`. A room
// without a rooms row is folded from empty when its room_created is among the events (the
// writer inserts the row in this transaction), else skipped: a recompute fills it in later.
std::map<std::string, FoldedReport> fold_new_events(pqxx::work& tx, const FreshByRoom& fresh);

// Stores folded reports with one UPDATE (a jsonb array of [room_id, state, report]), once
// the rooms rows exist.
void store_reports(pqxx::work& tx, const std::map<std::string, FoldedReport>& folded);

// fold_new_events + store_reports + refresh_telemetry_calls, after the rooms rows exist;
// returns the rooms updated.
std::size_t fold_reports(pqxx::work& tx, const FreshByRoom& fresh);

struct RecomputeResult {
  std::size_t rooms = 0;   // rooms whose report was rewritten
  std::size_t events = 0;  // events folded
};

// Rebuilds reports from the stored events, with the rows of their telemetry calls: the room
// `room_id` (rooms = 0 when there is no such room) or, with nullopt, every room. Each room is its own transaction holding its
// rooms row, so it may run beside a live materialiser; running it twice changes nothing.
RecomputeResult recompute_reports(pqxx::connection& conn, const std::optional<std::string>& room_id);

}  // namespace mucstream::sql
