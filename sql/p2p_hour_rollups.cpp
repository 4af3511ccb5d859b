#include "sql/p2p_hour_rollups.hpp"

#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "events/envelope.hpp"
#include "sql/rollup_keys.hpp"

namespace mucstream::sql {
namespace {

// Upserts add to what is stored, rows in key order (two materialisers lock the same rows in
// the same order: no deadlock).
const std::string kAddToHour =
    " ON CONFLICT (hour, domain) DO UPDATE SET samples = rollup_p2p_hourly.samples + excluded.samples,"
    "  relayed_samples = rollup_p2p_hourly.relayed_samples + excluded.relayed_samples,"
    "  rtt_sum = rollup_p2p_hourly.rtt_sum + excluded.rtt_sum, rtt_n = rollup_p2p_hourly.rtt_n + excluded.rtt_n,"
    "  jitter_sum = rollup_p2p_hourly.jitter_sum + excluded.jitter_sum,"
    "  jitter_n = rollup_p2p_hourly.jitter_n + excluded.jitter_n,"
    "  loss_sum = rollup_p2p_hourly.loss_sum + excluded.loss_sum, loss_n = rollup_p2p_hourly.loss_n + excluded.loss_n,"
    "  ended = rollup_p2p_hourly.ended + excluded.ended, failed = rollup_p2p_hourly.failed + excluded.failed";

const std::string kAddFreshHourly =
    "INSERT INTO rollup_p2p_hourly (hour, domain, samples, relayed_samples, rtt_sum, rtt_n, jitter_sum, jitter_n,"
    "  loss_sum, loss_n, ended, failed)"
    " SELECT c.hour, split_part(f.room, '@', 2), sum(c.samples), sum(c.relayed), sum(c.rtt_sum), sum(c.rtt_n),"
    "  sum(c.jitter_sum), sum(c.jitter_n), sum(c.loss_sum), sum(c.loss_n), sum(c.ended), sum(c.failed)"
    " FROM mucstream_fresh f CROSS JOIN LATERAL mucstream_p2p_contribution(f.time, f.type, f.data) c"
    " WHERE f.type IN ('p2p_session_stats', 'p2p_session_ended') GROUP BY 1, 2 ORDER BY 1, 2" + kAddToHour;

const std::string kAddCountedHourly =
    "INSERT INTO rollup_p2p_hourly (hour, domain, samples, relayed_samples, rtt_sum, rtt_n, jitter_sum, jitter_n,"
    "  loss_sum, loss_n, ended, failed)"
    " SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::bigint[], $4::bigint[], $5::float8[], $6::bigint[],"
    "  $7::float8[], $8::bigint[], $9::float8[], $10::bigint[], $11::bigint[], $12::bigint[]) ORDER BY 1, 2" +
    kAddToHour;

// The stats samples' values, counted per five-minute slot, merged into the day, hour and
// slot rows of their metric (migrations 0018, 0022): one row per (domain, day, hour or slot,
// metric) however many distinct values the batch had.
constexpr const char* kAddFreshValues =
    "SELECT mucstream_p2p_figures_add(array_agg(domain), array_agg(slot), array_agg(metric), array_agg(value),"
    "  array_agg(n))"
    " FROM (SELECT mucstream_domain(f.room) AS domain, mucstream_slot(f.time) AS slot, m.metric, m.value,"
    "  count(*) AS n FROM mucstream_fresh f CROSS JOIN LATERAL mucstream_p2p_values(mucstream_num(f.data->'rtt_ms'),"
    "   mucstream_num(f.data->'jitter_ms'), mucstream_num(f.data->'packet_loss')) m"
    "  WHERE f.type = 'p2p_session_stats' GROUP BY 1, 2, 3, 4) x"
    " HAVING count(*) > 0";

constexpr const char* kAddCountedValues =
    "SELECT mucstream_p2p_figures_add($1::text[], $2::timestamptz[], $3::text[], $4::float8[], $5::bigint[])";

// What mucstream_num(data->key) reads: a JSON number as float8, nothing for anything else
// (the encoder writes a non-finite double as null).
std::optional<double> figure(const core::Value& figures, std::string_view key) {
  const core::Value* v = figures.find(key);
  if (v == nullptr || !v->is_number()) return std::nullopt;
  const double d = v->as_double();
  if (!std::isfinite(d)) return std::nullopt;
  return d == 0 ? 0.0 : d;  // -0 and 0 are one value
}

// data->>key = 'relay' (mucstream_relayed)
bool relay(const core::Value& figures, std::string_view key) {
  const core::Value* v = figures.find(key);
  return v != nullptr && v->is_string() && v->as_string() == "relay";
}

// mucstream_p2p_outcome(reason, true, true) = 'failed'
bool failed(std::string_view reason) {
  for (std::string_view ok : {"", "success", "gone", "cancel", "left", "kicked", "banned", "room_destroyed", "shutdown",
                              "connectivity-error"})
    if (reason == ok) return false;
  return true;
}

// One (hour, tenant)'s row of rollup_p2p_hourly.
struct HourSums {
  long long samples = 0, relayed = 0, rtt_n = 0, jitter_n = 0, loss_n = 0, ended = 0, failed = 0;
  double rtt_sum = 0, jitter_sum = 0, loss_sum = 0;
};

void add(double& sum, long long& n, std::optional<double> v) {
  if (!v) return;
  sum += *v;
  ++n;
}

}  // namespace

void add_p2p_hours_counted(pqxx::work& tx, const std::vector<core::Event>& batch) {
  std::map<std::pair<std::int64_t, std::string_view>, HourSums> hours;
  std::map<std::tuple<std::string_view, std::int64_t, std::string_view, double>, long long> values;
  for (const core::Event& e : batch) {
    if (const auto* end = std::get_if<core::data::P2PSessionEnded>(&e.data)) {
      HourSums& h = hours[{hour_of(e.time_ms), domain_of(e.room)}];
      ++h.ended;
      if (failed(end->reason)) ++h.failed;
      continue;
    }
    const auto* stats = std::get_if<core::data::P2PSessionStats>(&e.data);
    if (stats == nullptr) continue;
    const std::int64_t hour = hour_of(e.time_ms);
    const std::string_view domain = domain_of(e.room);
    const core::Value& f = stats->figures;
    const auto rtt = figure(f, "rtt_ms"), jitter = figure(f, "jitter_ms"), loss = figure(f, "packet_loss");
    HourSums& h = hours[{hour, domain}];
    ++h.samples;
    if (relay(f, "local_candidate_type") || relay(f, "remote_candidate_type")) ++h.relayed;
    add(h.rtt_sum, h.rtt_n, rtt);
    add(h.jitter_sum, h.jitter_n, jitter);
    add(h.loss_sum, h.loss_n, loss);
    const std::int64_t slot = slot_of(e.time_ms);
    ++values[{domain, slot, "sample", 0.0}];
    if (rtt) ++values[{domain, slot, "rtt_ms", *rtt}];
    if (jitter) ++values[{domain, slot, "jitter_ms", *jitter}];
    if (loss) ++values[{domain, slot, "packet_loss", *loss}];
  }
  if (!hours.empty()) {
    ArrayLiteral hour, domain, samples, relayed, rtt_sum, rtt_n, jitter_sum, jitter_n, loss_sum, loss_n, ended, failed;
    for (const auto& [key, h] : hours) {
      hour.add(std::string_view(events::format_time(key.first)));
      domain.add(key.second);
      samples.add(h.samples);
      relayed.add(h.relayed);
      rtt_sum.add(h.rtt_sum);
      rtt_n.add(h.rtt_n);
      jitter_sum.add(h.jitter_sum);
      jitter_n.add(h.jitter_n);
      loss_sum.add(h.loss_sum);
      loss_n.add(h.loss_n);
      ended.add(h.ended);
      failed.add(h.failed);
    }
    tx.exec_params0(kAddCountedHourly, hour.str(), domain.str(), samples.str(), relayed.str(), rtt_sum.str(), rtt_n.str(),
                    jitter_sum.str(), jitter_n.str(), loss_sum.str(), loss_n.str(), ended.str(), failed.str());
  }
  if (!values.empty()) {
    ArrayLiteral domains, slots, metrics, vals, ns;
    for (const auto& [key, n] : values) {
      domains.add(std::get<0>(key));
      slots.add(std::string_view(events::format_time(std::get<1>(key))));
      metrics.add(std::get<2>(key));
      vals.add(std::get<3>(key));
      ns.add(n);
    }
    tx.exec_params(kAddCountedValues, domains.str(), slots.str(), metrics.str(), vals.str(), ns.str());
  }
}

void add_p2p_hours_fresh(pqxx::work& tx) {
  tx.exec0(kAddFreshHourly);
  tx.exec(kAddFreshValues);
}

}  // namespace mucstream::sql
