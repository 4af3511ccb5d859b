// PgReadStore's queries for the dashboard's endpoints (read_dashboard.hpp): the overview
// per bucket, the room duration x peak matrix behind both histograms, a room's occupancy
// over time and P2P quality per bucket. All but the occupancy read the rollups of migration
// 0011 (sql/rollups.hpp). Constant SQL text, every value a bound parameter.
#include "sql/pg_read_pool.hpp"

namespace mucstream::sql {
using namespace pg;

namespace {

std::optional<double> opt_double(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<double>();
}

// The buckets overlapping [$1, $2) of width $3 ('hour' | 'day' | …), in UTC: s and e
// (timestamps, UTC), start and stop (timestamptz).
#define MS_BUCKETS                                                                                   \
  "SELECT s, s + ('1 ' || $3::text)::interval AS e, timezone('UTC', s) AS start, "                 \
  "timezone('UTC', s + ('1 ' || $3::text)::interval) AS stop "                                      \
  "FROM generate_series(date_trunc($3::text, timezone('UTC', " MS_US_TIME("$1") ")), "            \
  "timezone('UTC', " MS_US_TIME("$2") ") - interval '1 microsecond', ('1 ' || $3::text)::interval) s"

#define FROM_ MS_US_TIME("$1")
#define TO_ MS_US_TIME("$2")

std::vector<CountBy> counts_by(const pqxx::result& r) {
  std::vector<CountBy> out;
  for (const auto& row : r) out.push_back({row[0].as<std::string>(), row[1].as<long long>()});
  return out;
}

}  // namespace

const char* bucket_name(Bucket b) {
  switch (b) {
    case Bucket::hour: return "hour";
    case Bucket::day: return "day";
    case Bucket::week: return "week";
    case Bucket::month: return "month";
  }
  return "day";
}

Overview PgReadStore::overview(const BucketQuery& q) {
  // Active in a bucket: created before its end and not ended before its start, i.e. open
  // at its start (everything created before it less everything ended before it) plus what
  // was created in it. Buckets are whole days, so rollup_daily answers exactly.
  static const std::string periods =
      "SELECT " MS_EPOCH_US("b.start") ",\n"
      "  coalesce((SELECT sum(rooms_created - rooms_ended) FROM rollup_daily WHERE day < b.s::date), 0)\n"
      "  + coalesce((SELECT sum(rooms_created) FROM rollup_daily WHERE day >= b.s::date AND day < b.e::date), 0),\n"
      "  coalesce((SELECT sum(sessions_created - sessions_ended) FROM rollup_daily WHERE day < b.s::date), 0)\n"
      "  + coalesce((SELECT sum(sessions_created) FROM rollup_daily WHERE day >= b.s::date AND day < b.e::date), 0)\n"
      "FROM (" MS_BUCKETS ") b ORDER BY b.start";
  // Sessions created in [from, to): whole days from rollup_sessions_daily, the partial day
  // at each end from users (pg_read_pool.hpp, MS_CEIL).
  auto by = [](const char* column) {
    const std::string c = column;
    return "SELECT v, sum(n)::bigint FROM (\n"
           "  SELECT " + c + " AS v, sessions AS n FROM rollup_sessions_daily\n"
           "   WHERE day >= timezone('UTC', " MS_CEIL("day", FROM_) ")::date AND day < timezone('UTC', " MS_FLOOR("day", TO_) ")::date\n"
           "  UNION ALL SELECT coalesce(" + c + ", 'unknown'), 1 FROM users\n"
           "   WHERE created >= " FROM_ " AND created < least(" MS_CEIL("day", FROM_) ", " TO_ ")\n"
           "  UNION ALL SELECT coalesce(" + c + ", 'unknown'), 1 FROM users\n"
           "   WHERE created >= greatest(" MS_FLOOR("day", TO_) ", " MS_CEIL("day", FROM_) ") AND created < " TO_ ") x\n"
           "GROUP BY 1 ORDER BY 2 DESC, 1";
  };
  static const std::string by_type = by("type"), by_os = by("os"), by_browser = by("browser");
  const std::string bucket = bucket_name(q.bucket);
  return impl_->run([&](pqxx::read_transaction& tx) {
    Overview o;
    const pqxx::row now = tx.exec(
        "SELECT (SELECT count(*) FROM rooms WHERE ended IS NULL), (SELECT count(*) FROM users WHERE ended IS NULL)")[0];
    o.rooms_now = now[0].as<long long>();
    o.sessions_now = now[1].as<long long>();
    for (const auto& r : tx.exec_params(periods, q.from, q.to, bucket))
      o.periods.push_back({r[0].as<long long>(), r[1].as<long long>(), r[2].as<long long>()});
    o.by_type = counts_by(tx.exec_params(by_type, q.from, q.to));
    o.by_os = counts_by(tx.exec_params(by_os, q.from, q.to));
    o.by_browser = counts_by(tx.exec_params(by_browser, q.from, q.to));
    return o;
  });
}

RoomBandMatrix PgReadStore::room_bands(UnixMicros from, UnixMicros to) {
  // Each room's lifetime and peak are kept in rollup_rooms by the materialiser.
  static const std::string sql =
      "SELECT width_bucket(extract(epoch FROM coalesce(ended, now()) - created)::float8,\n"
      "                    ARRAY[5,30,60,300,600,1200,1800,2700,3600,7200,14400,28800,43200,86400]::float8[]),\n"
      "       peak_occupants, count(*)\n"
      "FROM rollup_rooms WHERE created >= " FROM_ " AND created < " TO_ " GROUP BY 1, 2";
  return impl_->run([&](pqxx::read_transaction& tx) {
    RoomBandMatrix m;
    for (const auto& row : tx.exec_params(sql, from, to)) {
      const auto d = static_cast<std::size_t>(row[0].as<int>());
      const long long peak = row[1].as<long long>();
      const std::size_t p = peak <= 0 ? kPeakBands.size() : static_cast<std::size_t>(std::min<long long>(peak, 11) - 1);
      m.cells.at(d).at(p) += row[2].as<long long>();
    }
    return m;
  });
}

std::vector<OccupancyPoint> PgReadStore::room_occupancy(const std::string& room_id) {
  static const std::string sql =
      "SELECT " MS_EPOCH_US("t") ", sum(sum(d)) OVER (ORDER BY t)::bigint FROM (\n"
      "  SELECT created AS t, 1 AS d FROM users WHERE room_id = $1::uuid\n"
      "  UNION ALL SELECT ended, -1 FROM users WHERE room_id = $1::uuid AND ended IS NOT NULL) e\n"
      "GROUP BY t ORDER BY t";
  return impl_->run([&](pqxx::read_transaction& tx) {
    std::vector<OccupancyPoint> out;
    for (const auto& r : tx.exec_params(sql, room_id)) out.push_back({r[0].as<long long>(), r[1].as<long long>()});
    return out;
  });
}

std::vector<P2PQualityPeriod> PgReadStore::p2p_quality_series(const BucketQuery& q) {
  // Whole buckets (hours or days) from the hourly rollups.
  static const std::string sql =
      "SELECT " MS_EPOCH_US("b.start") ",\n"
      "  coalesce((SELECT sum(events) FROM rollup_events_hourly\n"
      "            WHERE type = 'p2p_session_started' AND hour >= b.start AND hour < b.stop), 0)::bigint,\n"
      "  coalesce(p.samples, 0)::bigint, coalesce(p.relayed, 0)::bigint, coalesce(p.ended, 0)::bigint,\n"
      "  coalesce(p.failed, 0)::bigint, p.rtt_sum / nullif(p.rtt_n, 0), p.jitter_sum / nullif(p.jitter_n, 0),\n"
      "  p.loss_sum / nullif(p.loss_n, 0)\n"
      "FROM (" MS_BUCKETS ") b\n"
      "CROSS JOIN LATERAL (SELECT sum(samples) AS samples, sum(relayed_samples) AS relayed, sum(ended) AS ended,\n"
      "                           sum(failed) AS failed, sum(rtt_sum) AS rtt_sum, sum(rtt_n) AS rtt_n,\n"
      "                           sum(jitter_sum) AS jitter_sum, sum(jitter_n) AS jitter_n,\n"
      "                           sum(loss_sum) AS loss_sum, sum(loss_n) AS loss_n\n"
      "                    FROM rollup_p2p_hourly WHERE hour >= b.start AND hour < b.stop) p\n"
      "ORDER BY b.start";
  const std::string bucket = bucket_name(q.bucket);
  return impl_->run([&](pqxx::read_transaction& tx) {
    std::vector<P2PQualityPeriod> out;
    for (const auto& r : tx.exec_params(sql, q.from, q.to, bucket)) {
      P2PQualityPeriod p;
      p.start = r[0].as<long long>();
      p.sessions = r[1].as<long long>();
      p.samples = r[2].as<long long>();
      p.relayed_samples = r[3].as<long long>();
      p.ended = r[4].as<long long>();
      p.failed = r[5].as<long long>();
      p.avg_rtt_ms = opt_double(r[6]);
      p.avg_jitter_ms = opt_double(r[7]);
      p.avg_packet_loss = opt_double(r[8]);
      out.push_back(p);
    }
    return out;
  });
}

}  // namespace mucstream::sql
