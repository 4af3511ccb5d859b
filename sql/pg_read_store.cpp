#include "sql/pg_read_store.hpp"

#include "sql/pg_read_pool.hpp"

namespace mucstream::sql {
using namespace pg;  // pg_read_pool.hpp: opt_text, opt_time, text_array

namespace {

const char* const kRoomColumns =
    "r.id::text, r.name, r.jid, " MS_EPOCH_US("r.created") ", " MS_EPOCH_US("r.ended") ", r.ended_reason, "
    "r.creator, r.persistent, r.locked, (r.config - 'password_hash')::text, r.last_seq, r.event_count, "
    MS_EPOCH_US("r.last_event") ", "
    "(SELECT count(*) FROM users u WHERE u.room_id = r.id AND u.ended IS NULL), r.reports::text";

// kRoomColumns with the report's summary in place of the report: the scalar figures and the
// P2P counts without the per-participant and per-session lists, which make most of its size.
const std::string kRoomSummaryColumns =
    std::string(kRoomColumns, std::string_view(kRoomColumns).rfind("r.reports::text")) +
    "((r.reports - 'participant_times' - 'p2p') || jsonb_build_object('p2p', (r.reports->'p2p') - 'sessions'))::text";

RoomRow room_row(const pqxx::row& r) {
  RoomRow o;
  o.id = r[0].as<std::string>();
  o.name = r[1].as<std::string>();
  o.jid = r[2].as<std::string>();
  o.created = r[3].as<long long>();
  o.ended = opt_time(r[4]);
  o.ended_reason = opt_text(r[5]);
  o.creator = opt_text(r[6]);
  o.persistent = r[7].as<bool>();
  o.locked = r[8].as<bool>();
  o.config_json = opt_text(r[9]);
  o.last_seq = r[10].as<long long>();
  o.event_count = r[11].as<long long>();
  o.last_event = opt_time(r[12]);
  o.occupants = r[13].as<long long>();
  o.reports_json = opt_text(r[14]);
  return o;
}

const char* const kUserColumns =
    "sessionid::text, userid, room_id::text, nick, jid, role, affiliation, occupant_id, type, os, browser, "
    "useragent, " MS_EPOCH_US("created") ", " MS_EPOCH_US("ended") ", ended_reason";

UserRow user_row(const pqxx::row& r) {
  UserRow u;
  u.sessionid = r[0].as<std::string>();
  u.userid = r[1].as<std::string>();
  u.room_id = r[2].as<std::string>();
  u.nick = r[3].as<std::string>();
  u.jid = opt_text(r[4]);
  u.role = opt_text(r[5]);
  u.affiliation = opt_text(r[6]);
  u.occupant_id = opt_text(r[7]);
  u.type = opt_text(r[8]);
  u.os = opt_text(r[9]);
  u.browser = opt_text(r[10]);
  u.useragent = opt_text(r[11]);
  u.created = r[12].as<long long>();
  u.ended = opt_time(r[13]);
  u.ended_reason = opt_text(r[14]);
  return u;
}

const std::string kEventSelect =
    "SELECT id::text, type, room, room_id::text, seq, actor::text, peer::text, " MS_EPOCH_US("time") ", data::text "
    "FROM events "
    "WHERE ($1::text[] IS NULL OR type = ANY($1::text[])) "
    "AND ($2::uuid IS NULL OR room_id = $2::uuid) "
    "AND ($3::text IS NULL OR room = $3::text) "
    "AND ($4::uuid IS NULL OR actor = $4::uuid) "
    "AND ($5::bigint IS NULL OR time >= " MS_US_TIME("$5") ") "
    "AND ($6::bigint IS NULL OR time < " MS_US_TIME("$6") ") ";
const std::string kEventsAsc =
    kEventSelect + "AND ($7::bigint IS NULL OR (time, id) > (" MS_US_TIME("$7") ", $8::uuid)) ORDER BY time, id LIMIT $9";
const std::string kEventsDesc = kEventSelect +
                                "AND ($7::bigint IS NULL OR (time, id) < (" MS_US_TIME("$7") ", $8::uuid)) "
                                "ORDER BY time DESC, id DESC LIMIT $9";

}  // namespace

PgReadStore::PgReadStore(std::string conninfo, std::size_t max_connections)
    : impl_(std::make_unique<Impl>()) {
  impl_->conninfo = std::move(conninfo);
  impl_->max = max_connections == 0 ? 1 : max_connections;
}

PgReadStore::~PgReadStore() { impl_->stop_warm_up(); }

Page<RoomRow> PgReadStore::rooms(const RoomQuery& q) {
  static const std::string where =
      "WHERE ($1::boolean IS NULL OR (r.ended IS NULL) = $1::boolean) "
      "AND ($2::text IS NULL OR r.name = $2::text) "
      "AND ($3::bigint IS NULL OR r.created >= " MS_US_TIME("$3") ") "
      "AND ($4::bigint IS NULL OR r.created < " MS_US_TIME("$4") ") "
      "AND ($5::text IS NULL OR r.domain = $5::text) ";
  static const std::string list_tail = " FROM rooms r " + where + "ORDER BY r.created DESC, r.id DESC LIMIT $6 OFFSET $7";
  static const std::string list = std::string("SELECT ") + kRoomColumns + list_tail;
  static const std::string list_summaries = "SELECT " + kRoomSummaryColumns + list_tail;
  static const std::string count = "SELECT count(*) FROM rooms r " + where;
  const auto& since = q.created.since;
  const auto& until = q.created.until;
  return impl_->run([&](pqxx::read_transaction& tx) {
    Page<RoomRow> page;
    const long long offset = (q.page - 1) * q.per_page;
    const std::string& sql = q.full_reports ? list : list_summaries;
    for (const auto& row :
         tx.exec_params(sql, q.active, q.name, since, until, q.domain, static_cast<long long>(q.per_page), offset)) {
      page.items.push_back(room_row(row));
      if (!q.full_reports) std::swap(page.items.back().reports_json, page.items.back().report_summary_json);
    }
    page.total = tx.exec_params(count, q.active, q.name, since, until, q.domain)[0][0].as<long long>();
    return page;
  });
}

std::optional<RoomRow> PgReadStore::room(const std::string& id) {
  static const std::string sql = std::string("SELECT ") + kRoomColumns + " FROM rooms r WHERE r.id = $1::uuid";
  return impl_->run([&](pqxx::read_transaction& tx) -> std::optional<RoomRow> {
    const pqxx::result r = tx.exec_params(sql, id);
    if (r.empty()) return std::nullopt;
    return room_row(r[0]);
  });
}

Page<UserRow> PgReadStore::room_users(const UserQuery& q) {
  static const std::string where =
      "WHERE room_id = $1::uuid AND ($2::boolean IS NULL OR (ended IS NULL) = $2::boolean) ";
  static const std::string list = std::string("SELECT ") + kUserColumns + " FROM users " + where +
                                  "ORDER BY created, sessionid LIMIT $3 OFFSET $4";
  static const std::string count = "SELECT count(*) FROM users " + where;
  return impl_->run([&](pqxx::read_transaction& tx) {
    Page<UserRow> page;
    const long long offset = (q.page - 1) * q.per_page;
    for (const auto& row : tx.exec_params(list, q.room_id, q.active, static_cast<long long>(q.per_page), offset))
      page.items.push_back(user_row(row));
    page.total = tx.exec_params(count, q.room_id, q.active)[0][0].as<long long>();
    return page;
  });
}

std::optional<UserRow> PgReadStore::user(const std::string& sessionid) {
  static const std::string sql = std::string("SELECT ") + kUserColumns + " FROM users WHERE sessionid = $1::uuid";
  return impl_->run([&](pqxx::read_transaction& tx) -> std::optional<UserRow> {
    const pqxx::result r = tx.exec_params(sql, sessionid);
    if (r.empty()) return std::nullopt;
    return user_row(r[0]);
  });
}

std::vector<EventRow> PgReadStore::events(const EventQuery& q) {
  const auto types = text_array(q.types);
  const auto& since = q.time.since;
  const auto& until = q.time.until;
  const auto after_time = q.after ? std::optional<UnixMicros>(q.after->time) : std::nullopt;
  const auto after_id = q.after ? std::optional<std::string>(q.after->id) : std::nullopt;
  const long long limit = q.limit + 1;  // one more tells the caller there is a next page
  return impl_->run([&](pqxx::read_transaction& tx) {
    std::vector<EventRow> out;
    const pqxx::result r = tx.exec_params(q.descending ? kEventsDesc : kEventsAsc, types, q.room_id, q.room_jid,
                                          q.actor, since, until, after_time, after_id, limit);
    out.reserve(r.size());
    for (const auto& row : r) {
      EventRow e;
      e.id = row[0].as<std::string>();
      e.type = row[1].as<std::string>();
      e.room = row[2].as<std::string>();
      e.room_id = row[3].as<std::string>();
      e.seq = row[4].as<long long>();
      e.actor = opt_text(row[5]);
      e.peer = opt_text(row[6]);
      e.time = row[7].as<long long>();
      e.data_json = row[8].as<std::string>();
      out.push_back(std::move(e));
    }
    return out;
  });
}

Summary PgReadStore::summary(const TimeRange& period) {
  // Each figure reads what is small for a long period: rollups for whole hours or days, the
  // base tables for the partial unit at each end (pg_read_pool.hpp, MS_CEIL), and the base
  // tables where no rollup can be exact (rooms' durations: 21k rows for 30 days of 10M
  // events; distinct users).
  //
  // Rooms count where they were created. The peak is the most sessions open at one instant
  // of the period (a session is open from created up to, not at, ended): the partial hour at
  // the start is swept from users (the sessions open at `since`, then each instant's net
  // change), the whole hours come from rollup_peak_hourly (migration 0016: per hour its net
  // change and its highest running count, per tenant and for all tenants under '*', whose
  // peaks do not add up) starting from the sessions open just before the first whole hour,
  // and the partial hour at the end is swept again from the count the hours leave. The open
  // counts use the GiST span index of migration 0006.
#define SINCE MS_US_TIME("$1")
#define UNTIL MS_US_TIME("$2")
#define FIRST_HOUR "least(" MS_CEIL("hour", SINCE) ", " UNTIL ")"
#define LAST_HOUR "greatest(" MS_FLOOR("hour", UNTIL) ", " FIRST_HOUR ")"
#define FIRST_DAY "least(" MS_CEIL("day", SINCE) ", " UNTIL ")"
#define LAST_DAY "greatest(" MS_FLOOR("day", UNTIL) ", " FIRST_DAY ")"
// A partial period's session edges at instants in [lo, hi) — lo_op '>' leaves lo out: +1 at
// created, -1 at ended (at created for a session that "ended" before it began: open at no instant).
#define EDGES(lo_op, lo, hi)                                                                                    \
  "SELECT created AS t, 1 AS d FROM users WHERE created " lo_op " " lo " AND created < " hi "\n"             \
  "       UNION ALL SELECT ended, -1 FROM users WHERE ended " lo_op " " lo " AND ended < " hi " AND ended >= created\n" \
  "       UNION ALL SELECT created, -1 FROM users WHERE created " lo_op " " lo " AND created < " hi " AND ended < created\n"
  static const std::string sql =
      "WITH sess AS (\n"
      "  SELECT type, os, browser, sum(n) AS n FROM (\n"
      "    SELECT type, os, browser, sessions AS n FROM rollup_sessions_daily\n"
      "     WHERE day >= timezone('UTC', " FIRST_DAY ")::date AND day < timezone('UTC', " LAST_DAY ")::date\n"
      "    UNION ALL SELECT coalesce(type, 'unknown'), coalesce(os, 'unknown'), coalesce(browser, 'unknown'), 1 FROM users\n"
      "     WHERE created >= " SINCE " AND created < " FIRST_DAY "\n"
      "    UNION ALL SELECT coalesce(type, 'unknown'), coalesce(os, 'unknown'), coalesce(browser, 'unknown'), 1 FROM users\n"
      "     WHERE created >= " LAST_DAY " AND created < " UNTIL ") x\n"
      "  GROUP BY 1, 2, 3),\n"
      " hours AS (\n"
      "  SELECT coalesce(p.delta, 0) AS d, coalesce(p.peak, 0) AS m, g.h\n"
      "  FROM generate_series(" FIRST_HOUR ", " LAST_HOUR " - interval '1 hour', interval '1 hour') g(h)\n"
      "  LEFT JOIN rollup_peak_hourly p ON p.hour = g.h\n"
      "   AND p.domain = coalesce(nullif(current_setting('mucstream.tenant', true), ''), '*')),\n"
      " whole AS (SELECT max(before + m) AS top, coalesce(sum(d), 0) AS total\n"
      "  FROM (SELECT d, m, sum(d) OVER (ORDER BY h) - d AS before FROM hours) x),\n"
      " open_first AS (SELECT count(*) AS n FROM users WHERE mucstream_session_span(created, ended) @> " FIRST_HOUR "\n"
      "  AND created < " FIRST_HOUR " AND (ended IS NULL OR ended >= " FIRST_HOUR ")),\n"
      " head AS (SELECT max(run) AS top FROM (SELECT sum(n) OVER (ORDER BY t) AS run FROM (\n"
      "  SELECT t, sum(d) AS n FROM (\n"
      "       SELECT " SINCE " AS t, count(*) AS d FROM users WHERE mucstream_session_span(created, ended) @> " SINCE "\n"
      "        AND (ended IS NULL OR ended > " SINCE ")\n"
      "       UNION ALL " EDGES(">", SINCE, FIRST_HOUR) ") e GROUP BY t) i) r),\n"
      " tail AS (SELECT max(run) AS top FROM (SELECT sum(n) OVER (ORDER BY t) AS run FROM (\n"
      "  SELECT t, sum(d) AS n FROM (\n"
      "       SELECT " LAST_HOUR " AS t, 0 AS d\n"
      "       UNION ALL " EDGES(">=", LAST_HOUR, UNTIL) ") e WHERE " LAST_HOUR " < " UNTIL " GROUP BY t) i) r),\n"
      " rm AS (SELECT count(*) AS created, count(ended) AS ended, avg(secs) AS mean,\n"
      "         percentile_cont(0.95) WITHIN GROUP (ORDER BY secs) AS p95\n"
      "  FROM (SELECT ended, extract(epoch FROM ended - created)::float8 AS secs FROM rooms\n"
      "        WHERE created >= " SINCE " AND created < " UNTIL ") r)\n"
      "SELECT rm.created, rm.ended, rm.created - rm.ended, rm.mean, rm.p95,\n"
      "       coalesce(greatest(head.top, open_first.n + whole.top, open_first.n + whole.total + tail.top), 0),\n"
      // messages: whole hours from rollup_events_hourly, the partial hour at each end from events
      "       ((SELECT coalesce(sum(events), 0) FROM rollup_events_hourly WHERE type = 'message_sent'\n"
      "         AND hour >= " MS_CEIL("hour", SINCE) " AND hour < " MS_FLOOR("hour", UNTIL) ")\n"
      "       + (SELECT count(*) FROM events WHERE type = 'message_sent' AND time >= " SINCE "\n"
      "           AND time < least(" MS_CEIL("hour", SINCE) ", " UNTIL "))\n"
      "       + (SELECT count(*) FROM events WHERE type = 'message_sent'\n"
      "           AND time >= greatest(" MS_FLOOR("hour", UNTIL) ", " MS_CEIL("hour", SINCE) ") AND time < " UNTIL "))::bigint,\n"
      "       (SELECT coalesce(sum(n), 0) FROM sess)::bigint,\n"
      "       (SELECT count(*) FROM (SELECT DISTINCT userid FROM users WHERE created >= " SINCE " AND created < " UNTIL ") u),\n"
      "       (SELECT coalesce(jsonb_object_agg(k, n), '{}')::text FROM (SELECT type k, sum(n) n FROM sess GROUP BY 1) x),\n"
      "       (SELECT coalesce(jsonb_object_agg(k, n), '{}')::text FROM (SELECT os k, sum(n) n FROM sess GROUP BY 1) x),\n"
      "       (SELECT coalesce(jsonb_object_agg(k, n), '{}')::text FROM (SELECT browser k, sum(n) n FROM sess GROUP BY 1) x)\n"
      "FROM rm, whole, open_first, head, tail";
#undef EDGES
#undef LAST_DAY
#undef FIRST_DAY
#undef LAST_HOUR
#undef FIRST_HOUR
#undef SINCE
#undef UNTIL
  const auto& since = period.since;
  const auto& until = period.until;
  return impl_->run([&](pqxx::read_transaction& tx) {
    const pqxx::row r = tx.exec_params(sql, since, until)[0];
    Summary out;
    out.rooms_created = r[0].as<long long>();
    out.rooms_ended = r[1].as<long long>();
    out.rooms_still_active = r[2].as<long long>();
    if (!r[3].is_null()) out.duration_mean_seconds = r[3].as<double>();
    if (!r[4].is_null()) out.duration_p95_seconds = r[4].as<double>();
    out.peak_concurrent_occupants = r[5].as<long long>();
    out.messages = r[6].as<long long>();
    out.sessions = r[7].as<long long>();
    out.distinct_users = r[8].as<long long>();
    out.sessions_by_type = r[9].as<std::string>();
    out.sessions_by_os = r[10].as<std::string>();
    out.sessions_by_browser = r[11].as<std::string>();
    return out;
  });
}

std::vector<DailyCount> PgReadStore::events_per_day(const TimeRange& period, const std::vector<std::string>& types,
                                                const std::optional<std::string>& room_id) {
  // Group by the date, format the ~30 x types groups afterwards: to_char on every row
  // cost more than the scan itself (docs/benchmarks.md).
  static const std::string one_room =
      "SELECT to_char(day, 'YYYY-MM-DD'), type, n FROM ("
      "SELECT (time AT TIME ZONE 'UTC')::date AS day, type, count(*) AS n FROM events "
      "WHERE time >= " MS_US_TIME("$1") " AND time < " MS_US_TIME("$2") " "
      "AND ($3::text[] IS NULL OR type = ANY($3::text[])) AND room_id = $4::uuid "
      "GROUP BY 1, 2) d ORDER BY day, type";
  // Every room: whole hours from rollup_events_hourly, the partial hour at each end from
  // events (pg_read_pool.hpp, MS_CEIL).
#define SINCE MS_US_TIME("$1")
#define UNTIL MS_US_TIME("$2")
#define TYPES "($3::text[] IS NULL OR type = ANY($3::text[]))"
  static const std::string all_rooms =
      "SELECT to_char(day, 'YYYY-MM-DD'), type, sum(n)::bigint FROM (\n"
      "  SELECT mucstream_day(hour) AS day, type, events AS n FROM rollup_events_hourly\n"
      "   WHERE hour >= " MS_CEIL("hour", SINCE) " AND hour < " MS_FLOOR("hour", UNTIL) " AND " TYPES "\n"
      "  UNION ALL SELECT mucstream_day(time), type, count(*) FROM events\n"
      "   WHERE time >= " SINCE " AND time < least(" MS_CEIL("hour", SINCE) ", " UNTIL ") AND " TYPES " GROUP BY 1, 2\n"
      "  UNION ALL SELECT mucstream_day(time), type, count(*) FROM events\n"
      "   WHERE time >= greatest(" MS_FLOOR("hour", UNTIL) ", " MS_CEIL("hour", SINCE) ") AND time < " UNTIL " AND " TYPES
      "   GROUP BY 1, 2) d\n"
      "GROUP BY day, type ORDER BY day, type";
#undef SINCE
#undef UNTIL
#undef TYPES
  const auto& since = period.since;
  const auto& until = period.until;
  const auto type_list = text_array(types);
  return impl_->run([&](pqxx::read_transaction& tx) {
    std::vector<DailyCount> out;
    const pqxx::result rows = room_id ? tx.exec_params(one_room, since, until, type_list, room_id)
                                      : tx.exec_params(all_rooms, since, until, type_list);
    for (const auto& r : rows) out.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<long long>()});
    return out;
  });
}

bool PgReadStore::healthy() {
  try {
    return impl_->run([](pqxx::read_transaction& tx) { return tx.exec("SELECT 1")[0][0].as<int>() == 1; });
  } catch (const std::exception&) {
    return false;
  }
}

std::int64_t PgReadStore::active_rooms() {
  return impl_->run(
      [](pqxx::read_transaction& tx) { return tx.exec("SELECT count(*) FROM rooms WHERE ended IS NULL")[0][0].as<long long>(); });
}

std::int64_t PgReadStore::active_sessions() {
  return impl_->run(
      [](pqxx::read_transaction& tx) { return tx.exec("SELECT count(*) FROM users WHERE ended IS NULL")[0][0].as<long long>(); });
}

}  // namespace mucstream::sql
