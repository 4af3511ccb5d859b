#pragma once
// The calls only the clients' HTTP telemetry reported (peer_session_added and the rest), in
// the call views: their rows of rollup_p2p_sessions (source 'telemetry', migration 0020) are
// read from each room's stored report state, so the views count such a call exactly as the
// room report does. Called in the transaction that stored the states.
#include <pqxx/pqxx>

#include <map>
#include <string>
#include <vector>

#include "sql/reports.hpp"

namespace mucstream::sql {

// Rewrites the telemetry rows of the folded rooms whose telemetry calls changed; nothing at
// all (no statement) when none did, which is every batch without telemetry about a call.
void refresh_telemetry_calls(pqxx::work& tx, const std::map<std::string, FoldedReport>& folded);

// The same for these rooms, changed or not (a recompute).
void refresh_telemetry_calls(pqxx::work& tx, const std::vector<std::string>& room_ids);

}  // namespace mucstream::sql
