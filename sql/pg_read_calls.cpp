// PgReadStore's call and media queries: they read the views and the function of
// sql/migrations/0004_call_views.sql, so the API serves exactly what an analyst gets from
// SQL. Constant SQL text, every value a bound parameter; the views keep room_id and the
// start time as base-table columns, so these filters use the indexes (see 0004).
#include "sql/pg_read_pool.hpp"

namespace mucstream::sql {
using namespace pg;

namespace {

std::optional<double> opt_double(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<double>();
}

// The rollup reads below are estimated above PostgreSQL's jit_above_cost for long periods
// (per-row look-ups the planner cannot know run for a few rows only), and compiling them
// cost 45 ms to 1.7 s on the 10M benchmark, many times the query itself.
void without_jit(pqxx::read_transaction& tx) { tx.exec0("SET LOCAL jit = off"); }

}  // namespace

const std::vector<std::string>& timeline_kinds() {
  static const std::vector<std::string> kinds = {"present", "audio_paused", "video_paused", "screen_share", "p2p"};
  return kinds;
}

std::vector<TimelineItem> PgReadStore::room_timeline(const TimelineQuery& q) {
  static const std::string sql =
      "SELECT kind, session::text, nick, peer::text, peer_nick, " MS_EPOCH_US("started") ", " MS_EPOCH_US("ended")
      ", end_source, duration_seconds, detail::text "
      "FROM room_timeline WHERE room_id = $1::uuid AND ($2::text[] IS NULL OR kind = ANY($2::text[])) "
      "ORDER BY started, kind, session LIMIT $3";
  const auto kinds = text_array(q.kinds);
  const long long limit = q.limit + 1;
  return impl_->run([&](pqxx::read_transaction& tx) {
    // Planning room_timeline costs more than running it for one room (it joins events
    // seven ways, and the planner considers every monthly partition for each: ~15-40 ms
    // with three partitions).
    std::vector<TimelineItem> out;
    for (const auto& r : exec_generic(tx, "mucstream_room_timeline", sql, q.room_id, kinds, limit)) {
      TimelineItem t;
      t.kind = r[0].as<std::string>();
      t.session = r[1].as<std::string>();
      t.nick = opt_text(r[2]);
      t.peer = opt_text(r[3]);
      t.peer_nick = opt_text(r[4]);
      t.started = r[5].as<long long>();
      t.ended = r[6].as<long long>();
      t.end_source = r[7].as<std::string>();
      t.duration_seconds = r[8].as<double>();
      t.detail_json = r[9].as<std::string>();
      out.push_back(std::move(t));
    }
    return out;
  });
}

P2PQuality PgReadStore::p2p_quality(const CallPeriodQuery& q) {
  static const std::string sql =
      "SELECT sessions, completed, failed, interrupted, ongoing, with_stats, relayed, relayed_share, "
      "duration_mean_seconds, duration_p95_seconds, duration_total_seconds, samples, rtt_median_ms, rtt_p95_ms, "
      "jitter_mean_ms, packet_loss_mean, packet_loss_p95 "
      "FROM ";
  // One room's or every room's (migration 0018): p2p_quality() would have the planner plan
  // both (~8 ms, more than one room's query takes to run).
  static const std::string of_all = sql + "p2p_quality_of_all(" MS_US_TIME("$1") ", " MS_US_TIME("$2") ")";
  static const std::string of_room = sql + "p2p_quality_of_room(" MS_US_TIME("$1") ", " MS_US_TIME("$2") ", $3::uuid)";
  const auto since = q.since, until = q.until;
  return impl_->run([&](pqxx::read_transaction& tx) {
    without_jit(tx);
    const pqxx::row r = q.room_id ? exec_generic(tx, "mucstream_p2p_quality_of_room", of_room, since, until, q.room_id)[0]
                                  : exec_generic(tx, "mucstream_p2p_quality_of_all", of_all, since, until)[0];
    P2PQuality o;
    o.sessions = r[0].as<long long>();
    o.completed = r[1].as<long long>();
    o.failed = r[2].as<long long>();
    o.interrupted = r[3].as<long long>();
    o.ongoing = r[4].as<long long>();
    o.with_stats = r[5].as<long long>();
    o.relayed = r[6].as<long long>();
    o.relayed_share = opt_double(r[7]);
    o.duration_mean_seconds = opt_double(r[8]);
    o.duration_p95_seconds = opt_double(r[9]);
    o.duration_total_seconds = r[10].as<double>();
    o.samples = r[11].as<long long>();
    o.rtt_median_ms = opt_double(r[12]);
    o.rtt_p95_ms = opt_double(r[13]);
    o.jitter_mean_ms = opt_double(r[14]);
    o.packet_loss_mean = opt_double(r[15]);
    o.packet_loss_p95 = opt_double(r[16]);
    return o;
  });
}

MediaReport PgReadStore::media_usage(const CallPeriodQuery& q) {
  static const std::string where =
      "WHERE joined >= " MS_US_TIME("$1") " AND joined < " MS_US_TIME("$2") " AND ($3::uuid IS NULL OR room_id = $3::uuid) ";
  static const std::string list =
      "SELECT session::text, room_id::text, userid, nick, type, " MS_EPOCH_US("joined") ", " MS_EPOCH_US("left_at")
      ", present_seconds, audio_paused_seconds, video_paused_seconds, screen_share_seconds, screen_shares "
      "FROM media_usage " + where + "ORDER BY joined, session LIMIT $4 OFFSET $5";
  // Every room's totals: whole days from the day rows of migration 0019, the rest live.
  static const std::string totals_of_all =
      "SELECT * FROM media_totals_of_all(" MS_US_TIME("$1") ", " MS_US_TIME("$2") ")";
  // One room's totals from every session of the period: counts and presence from users, the media
  // sums from rollup_media_sessions (migration 0015: only sessions with media events have a
  // row), an interval still open finished at the session's or the room's end (or now), as
  // media_intervals does. Summing the view instead pairs every pause of the period (5 s for
  // 30 days of 10M events, docs/benchmarks.md). Rows with nothing open need no look-up.
#define MEDIA_ROWS                                                                        \
  "m.joined >= " MS_US_TIME("$1") " AND m.joined < " MS_US_TIME("$2") " AND m.room_id = $3::uuid"
  static const std::string totals_of_room =
      "WITH m AS (\n"
      "  SELECT audio_paused_seconds AS audio, video_paused_seconds AS video, screen_share_seconds AS screen, screen_shares\n"
      "  FROM rollup_media_sessions m WHERE " MEDIA_ROWS " AND m.audio_open IS NULL AND m.video_open IS NULL\n"
      "   AND m.screen_open IS NULL\n"
      "  UNION ALL\n"
      "  SELECT m.audio_paused_seconds + mucstream_open_seconds(m.audio_open, c.closed),\n"
      "         m.video_paused_seconds + mucstream_open_seconds(m.video_open, c.closed),\n"
      "         m.screen_share_seconds + mucstream_open_seconds(m.screen_open, c.closed), m.screen_shares\n"
      "  FROM rollup_media_sessions m\n"
      "  LEFT JOIN LATERAL (SELECT coalesce(u.ended, r.ended, now()) AS closed FROM users u\n"
      "                     LEFT JOIN rooms r ON r.id = m.room_id WHERE u.sessionid = m.session) c ON true\n"
      "  WHERE " MEDIA_ROWS " AND coalesce(m.audio_open, m.video_open, m.screen_open) IS NOT NULL)\n"
      "SELECT u.*, x.* FROM\n"
      " (SELECT count(*), coalesce(sum(extract(epoch FROM coalesce(ended, (SELECT r.ended FROM rooms r WHERE r.id = room_id),"
      " now()) - created)::float8), 0)\n"
      "  FROM users WHERE created >= " MS_US_TIME("$1") " AND created < " MS_US_TIME("$2") "\n"
      "   AND room_id = $3::uuid) u,\n"
      " (SELECT coalesce(sum(audio), 0), coalesce(sum(video), 0), coalesce(sum(screen), 0),\n"
      "  coalesce(sum(screen_shares), 0), count(*) FILTER (WHERE audio > 0), count(*) FILTER (WHERE video > 0),\n"
      "  count(*) FILTER (WHERE screen_shares > 0) FROM m) x";
#undef MEDIA_ROWS
  const auto since = q.since, until = q.until;
  return impl_->run([&](pqxx::read_transaction& tx) {
    without_jit(tx);
    MediaReport out;
    const long long offset = (q.page - 1) * q.per_page;
    for (const auto& r : tx.exec_params(list, since, until, q.room_id, static_cast<long long>(q.per_page), offset)) {
      MediaUsageRow m;
      m.session = r[0].as<std::string>();
      m.room_id = r[1].as<std::string>();
      m.userid = r[2].as<std::string>();
      m.nick = r[3].as<std::string>();
      m.type = opt_text(r[4]);
      m.joined = r[5].as<long long>();
      m.left = opt_time(r[6]);
      m.present_seconds = r[7].as<double>();
      m.audio_paused_seconds = r[8].as<double>();
      m.video_paused_seconds = r[9].as<double>();
      m.screen_share_seconds = r[10].as<double>();
      m.screen_shares = r[11].as<long long>();
      out.items.push_back(std::move(m));
    }
    const pqxx::row t =
        q.room_id ? exec_generic(tx, "mucstream_media_totals_of_room", totals_of_room, since, until, q.room_id)[0]
                  : exec_generic(tx, "mucstream_media_totals_of_all", totals_of_all, since, until)[0];
    out.total = t[0].as<long long>();
    out.present_seconds = t[1].as<double>();
    out.audio_paused_seconds = t[2].as<double>();
    out.video_paused_seconds = t[3].as<double>();
    out.screen_share_seconds = t[4].as<double>();
    out.screen_shares = t[5].as<long long>();
    out.sessions_audio_paused = t[6].as<long long>();
    out.sessions_video_paused = t[7].as<long long>();
    out.sessions_sharing = t[8].as<long long>();
    return out;
  });
}

Page<RoomCallsRow> PgReadStore::room_calls(const CallPeriodQuery& q) {
  static const std::string where = "WHERE created >= " MS_US_TIME("$1") " AND created < " MS_US_TIME("$2") " ";
  // The page of rooms first (rooms_created), then room_calls for those rooms only: asked
  // for a period, the view would group and join every room of the period before the LIMIT
  // (its GROUP BY hides `created` from the planner), while `room_id = …` reaches its indexes.
  // OFFSET 0 keeps the look-up a per-room subquery: flattened into the join, the planner
  // grouped every room's sessions once and hash-joined the page (0.2 s on 21k rooms).
  static const std::string list =
      "SELECT rc.room_id::text, rc.jid, " MS_EPOCH_US("rc.created") ", " MS_EPOCH_US("rc.ended") ", rc.ended_reason, "
      "rc.duration_seconds::float8, rc.sessions, rc.participants, rc.event_count, rc.p2p_sessions, rc.p2p_failed, "
      "rc.p2p_interrupted, rc.call_seconds "
      "FROM (SELECT id, created FROM rooms " + where + "ORDER BY created, id LIMIT $3 OFFSET $4) p "
      "CROSS JOIN LATERAL (SELECT * FROM room_calls WHERE room_id = p.id OFFSET 0) rc ORDER BY p.created, p.id";
  static const std::string count = "SELECT count(*) FROM rooms " + where;
  const auto since = q.since, until = q.until;
  return impl_->run([&](pqxx::read_transaction& tx) {
    without_jit(tx);
    Page<RoomCallsRow> page;
    const long long offset = (q.page - 1) * q.per_page;
    for (const auto& r : tx.exec_params(list, since, until, static_cast<long long>(q.per_page), offset)) {
      RoomCallsRow o;
      o.room_id = r[0].as<std::string>();
      o.jid = r[1].as<std::string>();
      o.created = r[2].as<long long>();
      o.ended = opt_time(r[3]);
      o.ended_reason = opt_text(r[4]);
      o.duration_seconds = r[5].as<double>();
      o.sessions = r[6].as<long long>();
      o.participants = r[7].as<long long>();
      o.event_count = r[8].as<long long>();
      o.p2p_sessions = r[9].as<long long>();
      o.p2p_failed = r[10].as<long long>();
      o.p2p_interrupted = r[11].as<long long>();
      o.call_seconds = r[12].as<double>();
      page.items.push_back(std::move(o));
    }
    page.total = tx.exec_params(count, since, until)[0][0].as<long long>();
    return page;
  });
}

}  // namespace mucstream::sql
