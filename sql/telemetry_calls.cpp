#include "sql/telemetry_calls.hpp"

namespace mucstream::sql {

void refresh_telemetry_calls(pqxx::work& tx, const std::vector<std::string>& room_ids) {
  if (room_ids.empty()) return;
  // A uuid[] literal: the ids are uuids (the rooms rows' own, or checked by the caller's
  // COPY into a uuid column), bound as one parameter.
  std::string ids = "{";
  for (const std::string& id : room_ids) {
    if (ids.size() > 1) ids += ',';
    ids += id;
  }
  ids += '}';
  tx.exec_params("SELECT mucstream_refresh_p2p_telemetry($1::uuid[])", ids);
}

void refresh_telemetry_calls(pqxx::work& tx, const std::map<std::string, FoldedReport>& folded) {
  std::vector<std::string> changed;
  for (const auto& [room_id, f] : folded)
    if (f.telemetry_calls_changed) changed.push_back(room_id);
  refresh_telemetry_calls(tx, changed);
}

}  // namespace mucstream::sql
