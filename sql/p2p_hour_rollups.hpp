#pragma once
// The P2P rollups kept per hour: per hour and tenant the samples, their sums and the failed
// ends (rollup_p2p_hourly, as mucstream_p2p_contribution defines them), and the samples'
// values per metric and five-minute slot, merged into the day, hour and slot rows
// (mucstream_p2p_figures_add, with the values mucstream_p2p_values gives). Inside the writer's transaction, like the other
// rollups (sql/rollups.hpp).
#include <pqxx/pqxx>

#include <vector>

#include "core/event.hpp"

namespace mucstream::sql {

// All-new batch: counted here from the batch's events. Scanning the samples' JSON in SQL
// cost more than all the other call rollups of a batch together.
void add_p2p_hours_counted(pqxx::work& tx, const std::vector<core::Event>& batch);
// Redelivery: counted in SQL from mucstream_fresh (what the batch stored new).
void add_p2p_hours_fresh(pqxx::work& tx);

}  // namespace mucstream::sql
