// PgReadStore's queries for the dashboard's endpoints (read_dashboard.hpp): the overview
// per bucket, the room duration x peak matrix behind both histograms, a room's occupancy
// over time and P2P quality per bucket. Constant SQL text, every value a bound parameter.
#include "sql/pg_read_pool.hpp"

namespace mucstream::sql {
using namespace pg;

namespace {

std::optional<double> opt_double(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<double>();
}

// The buckets overlapping [$1, $2) of width $3 ('hour' | 'day' | …), in UTC: start and stop.
#define MS_BUCKETS                                                                                              \
  "SELECT timezone('UTC', s) AS start, timezone('UTC', s + ('1 ' || $3::text)::interval) AS stop "           \
  "FROM generate_series(date_trunc($3::text, timezone('UTC', " MS_US_TIME("$1") ")), "                       \
  "timezone('UTC', " MS_US_TIME("$2") ") - interval '1 microsecond', ('1 ' || $3::text)::interval) s"

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
  // Active in a bucket: created before its end and not ended before its start. For
  // sessions that is the GiST span test of migration 0006.
  static const std::string periods =
      "SELECT " MS_EPOCH_US("b.start") ", "
      "(SELECT count(*) FROM rooms r WHERE r.created < b.stop AND (r.ended IS NULL OR r.ended >= b.start)), "
      "(SELECT count(*) FROM users u WHERE mucstream_session_span(u.created, u.ended) && tstzrange(b.start, b.stop, '[)')) "
      "FROM (" MS_BUCKETS ") b ORDER BY b.start";
  auto by = [](const char* column) {
    return std::string("SELECT coalesce(") + column + ", 'unknown'), count(*) FROM users "
           "WHERE created >= " MS_US_TIME("$1") " AND created < " MS_US_TIME("$2") " GROUP BY 1 ORDER BY 2 DESC, 1";
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
  // A room's peak: the running sum of +1 per join and -1 per leave over its sessions (a
  // leave sorts before a join at the same instant, as in the summary's sweep).
  static const std::string sql =
      "WITH r AS (SELECT id, created, ended FROM rooms WHERE created >= " MS_US_TIME("$1") " AND created < " MS_US_TIME("$2") "),\n"
      "     e AS (SELECT u.room_id, u.created AS t, 1 AS d FROM users u JOIN r ON u.room_id = r.id\n"
      "           UNION ALL SELECT u.room_id, u.ended, -1 FROM users u JOIN r ON u.room_id = r.id WHERE u.ended IS NOT NULL),\n"
      "     p AS (SELECT room_id, max(n) AS peak FROM (\n"
      "             SELECT room_id, sum(d) OVER (PARTITION BY room_id ORDER BY t, d ROWS UNBOUNDED PRECEDING) AS n FROM e) w\n"
      "           GROUP BY room_id)\n"
      "SELECT width_bucket(extract(epoch FROM coalesce(r.ended, now()) - r.created)::float8,\n"
      "                    ARRAY[5,30,60,300,600,1200,1800,2700,3600,7200,14400,28800,43200,86400]::float8[]),\n"
      "       coalesce(p.peak, 0), count(*)\n"
      "FROM r LEFT JOIN p ON p.room_id = r.id GROUP BY 1, 2";
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
#define IN_PERIOD "time >= " MS_US_TIME("$1") " AND time < " MS_US_TIME("$2")
#define BUCKET_OF(col) "timezone('UTC', date_trunc($3::text, timezone('UTC', " col ")))"
  static const std::string sql =
      "WITH s AS (SELECT " BUCKET_OF("time") " AS k, count(*) AS n FROM events\n"
      "           WHERE type = 'p2p_session_started' AND " IN_PERIOD " GROUP BY 1),\n"
      "     x AS (SELECT " BUCKET_OF("time") " AS k, count(*) AS n,\n"
      "                  count(*) FILTER (WHERE mucstream_p2p_outcome(data->>'reason', true, true) = 'failed') AS failed\n"
      "           FROM events WHERE type = 'p2p_session_ended' AND " IN_PERIOD " GROUP BY 1),\n"
      "     q AS (SELECT " BUCKET_OF("time") " AS k, count(*) AS n, count(*) FILTER (WHERE relayed) AS relayed,\n"
      "                  avg(rtt_ms) AS rtt, avg(jitter_ms) AS jitter, avg(packet_loss) AS loss\n"
      "           FROM p2p_stats_samples WHERE " IN_PERIOD " GROUP BY 1)\n"
      "SELECT " MS_EPOCH_US("b.start") ", coalesce(s.n, 0), coalesce(q.n, 0), coalesce(q.relayed, 0),\n"
      "       coalesce(x.n, 0), coalesce(x.failed, 0), q.rtt, q.jitter, q.loss\n"
      "FROM (" MS_BUCKETS ") b LEFT JOIN s ON s.k = b.start LEFT JOIN x ON x.k = b.start LEFT JOIN q ON q.k = b.start\n"
      "ORDER BY b.start";
#undef IN_PERIOD
#undef BUCKET_OF
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
