// The endpoints the dashboard's pages read (analyst token): the overview (rooms and
// sessions now and per day/week/month, sessions by client), the room duration and peak
// occupant histograms (each filterable by a band of the other), a room's occupancy over
// time, and P2P quality per hour or day. The figures come from sql/pg_read_dashboard.cpp;
// here: parameters and JSON.
#include <algorithm>
#include <set>

#include "analytics/json.hpp"
#include "analytics/room_names.hpp"
#include "analytics/server.hpp"
#include "sql/read_store.hpp"

namespace mucstream::analytics {
namespace {

constexpr UnixMicros kDay = 86400LL * 1000000;

// from/to (default: the 7 days before now), at most 366 days.
void read_period(Query& q, UnixMicros& from, UnixMicros& to) {
  auto f = q.time("from");
  auto t = q.time("to");
  if (f && t && *t <= *f) throw ParamError("to", "must be later than from");
  if (!t) t = f ? *f + 7 * kDay : default_until(unix_now());
  if (!f) f = *t - 7 * kDay;
  if (*t - *f > 366 * kDay) throw ParamError("to", "the period is longer than 366 days");
  from = *f;
  to = *t;
}

sql::Bucket read_bucket(Query& q, std::initializer_list<std::string_view> allowed, sql::Bucket fallback) {
  const auto b = q.one_of("bucket", allowed);
  if (!b) return fallback;
  if (*b == "hour") return sql::Bucket::hour;
  if (*b == "week") return sql::Bucket::week;
  if (*b == "month") return sql::Bucket::month;
  return sql::Bucket::day;
}

template <std::size_t N>
std::optional<std::size_t> read_band(Query& q, const char* name, const std::array<const char*, N>& bands) {
  const auto v = q.text(name, 16);
  if (!v) return std::nullopt;
  for (std::size_t i = 0; i < N; ++i)
    if (*v == bands[i]) return i;
  throw ParamError(name, "not a band of this histogram");
}

void write_counts(JsonOut& j, const char* key, const std::vector<sql::CountBy>& counts) {
  j.key(key).begin_array();
  for (const auto& c : counts) j.begin_object().key("value").str(c.value).key("sessions").i64(c.sessions).end_object();
  j.end_array();
}

}  // namespace

void add_dashboard_routes(HttpServer& server, sql::ReadStore& store) {
  server.route("GET", "/v1/analytics/overview", Access::analyst, [&store](HttpRequest& req, HttpResponse& res) {
    sql::BucketQuery q;
    read_period(req.query, q.from, q.to);
    q.bucket = read_bucket(req.query, {"day", "week", "month"}, sql::Bucket::day);
    req.query.check_all_used();
    const sql::Overview o = store.overview(q);
    JsonOut j;
    j.begin_object().key("from").time(q.from).key("to").time(q.to).key("bucket").str(sql::bucket_name(q.bucket));
    j.key("now").begin_object().key("rooms").i64(o.rooms_now).key("sessions").i64(o.sessions_now).end_object();
    j.key("periods").begin_array();
    for (const auto& p : o.periods)
      j.begin_object().key("start").time(p.start).key("rooms").i64(p.rooms).key("sessions").i64(p.sessions).end_object();
    j.end_array().key("sessions_by").begin_object();
    write_counts(j, "type", o.by_type);
    write_counts(j, "os", o.by_os);
    write_counts(j, "browser", o.by_browser);
    j.end_object().end_object();
    res.body = j.take();
  });

  server.route("GET", "/v1/analytics/histograms", Access::analyst, [&store](HttpRequest& req, HttpResponse& res) {
    UnixMicros from = 0, to = 0;
    read_period(req.query, from, to);
    const auto duration = read_band(req.query, "duration", sql::kDurationBands);
    const auto peak = read_band(req.query, "peak", sql::kPeakBands);
    req.query.check_all_used();
    const sql::RoomBandMatrix m = store.room_bands(from, to);
    // The duration histogram of the rooms in the peak band asked for (all rooms when none),
    // and the peak histogram of the rooms in the duration band asked for.
    JsonOut j;
    j.begin_object().key("from").time(from).key("to").time(to);
    j.key("filters").begin_object().key("duration").str(duration ? std::optional<std::string>(sql::kDurationBands[*duration]) : std::nullopt);
    j.key("peak").str(peak ? std::optional<std::string>(sql::kPeakBands[*peak]) : std::nullopt).end_object();
    j.key("duration").begin_array();
    for (std::size_t d = 0; d < sql::kDurationBands.size(); ++d) {
      std::int64_t n = 0;
      for (std::size_t p = 0; p < m.cells[d].size(); ++p)
        if (!peak || p == *peak) n += m.cells[d][p];
      j.begin_object().key("band").str(sql::kDurationBands[d]).key("rooms").i64(n).end_object();
    }
    j.end_array().key("peak").begin_array();
    for (std::size_t p = 0; p < sql::kPeakBands.size(); ++p) {
      std::int64_t n = 0;
      for (std::size_t d = 0; d < sql::kDurationBands.size(); ++d)
        if (!duration || d == *duration) n += m.cells[d][p];
      j.begin_object().key("band").str(sql::kPeakBands[p]).key("rooms").i64(n).end_object();
    }
    j.end_array().end_object();
    res.body = j.take();
  });

  server.route("GET", "/v1/rooms/{id}/occupancy", Access::analyst, [&store](HttpRequest& req, HttpResponse& res) {
    req.query.check_all_used();
    const std::string id = resolve_room(store, req.path_params.at(0), "id").id;
    const auto room = store.room(id);
    if (!room) throw HttpError(404, "no room with id " + id);
    JsonOut j;
    j.begin_object().key("room_id").str(room->id).key("jid").str(room->jid);
    j.key("created").time(room->created).key("ended").time(room->ended).key("points").begin_array();
    for (const auto& p : store.room_occupancy(id))
      j.begin_object().key("time").time(p.time).key("occupants").i64(p.occupants).end_object();
    j.end_array().end_object();
    res.body = j.take();
  });

  server.route("GET", "/v1/analytics/p2p-quality", Access::analyst, [&store](HttpRequest& req, HttpResponse& res) {
    sql::BucketQuery q;
    read_period(req.query, q.from, q.to);
    q.bucket = read_bucket(req.query, {"hour", "day"}, sql::Bucket::day);
    req.query.check_all_used();
    // Hours over a year would be 8784 points: no chart shows that many.
    if (q.bucket == sql::Bucket::hour && q.to - q.from > 92 * kDay)
      throw ParamError("bucket", "hour buckets cover at most 92 days");
    JsonOut j;
    j.begin_object().key("from").time(q.from).key("to").time(q.to).key("bucket").str(sql::bucket_name(q.bucket));
    j.key("periods").begin_array();
    for (const auto& p : store.p2p_quality_series(q)) {
      j.begin_object().key("start").time(p.start).key("sessions").i64(p.sessions);
      j.key("avg_rtt_ms").number(p.avg_rtt_ms).key("avg_packet_loss").number(p.avg_packet_loss);
      j.key("avg_jitter_ms").number(p.avg_jitter_ms).key("samples").i64(p.samples);
      j.key("relayed_samples").i64(p.relayed_samples).key("ended").i64(p.ended).key("failed").i64(p.failed);
      j.end_object();
    }
    j.end_array().end_object();
    res.body = j.take();
  });
}

}  // namespace mucstream::analytics
