// Rollups kept by the materialiser (sql/rollups.hpp, migration 0011) against real
// PostgreSQL and the mock Kafka cluster: written batch by batch, through redelivered
// batches, a batch whose connection died mid-transaction and a materialiser crash between
// the PostgreSQL and the Kafka commit, every rollup equals a recomputation from the raw
// events (mucstream_recompute_rollups), and `mucstreamd reports --recompute --all`
// rebuilds them.
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "events/envelope.hpp"
#include "sql/migrate.hpp"
#include "sql/pg_read_store.hpp"
#include "sql/rollups.hpp"
#include "sql/tenant_scope.hpp"
#include "sql/writer.hpp"
#include "tests/events/scenario.hpp"
#include "tests/sql/run_mucstreamd.hpp"
#include "tests/sql/support.hpp"

using namespace mucstream;
using namespace mucstream::testing;

namespace {

// The core's scenario with P2P calls as clients report them: a session from each newcomer
// to someone present, a stats sample after each message (every fourth relayed, some without
// a packet loss figure), a session ended every third message with a success or a failure,
// and "left" when a party leaves; the speaker of every sixth message pauses its audio and
// resumes it at one of its later odd-numbered messages, the speaker of every eleventh starts
// a screen share it ends at a later multiple of three (a party leaving first leaves either
// open: its leave closes it). Times are stretched (a second of the scenario becomes five
// minutes) so the log spans several days and many hours; seq is renumbered per room.
std::vector<core::Event> with_p2p(World& w, const std::vector<core::Event>& log) {
  std::vector<core::Event> out;
  std::map<std::string, std::vector<std::string>> present;
  std::map<std::string, std::map<std::string, std::pair<std::string, std::string>>> open;
  std::map<std::string, std::uint64_t> seq;
  int sids = 0, samples = 0, messages = 0;
  std::set<std::string> paused, sharing;
  const char* reasons[] = {"success", "failed-transport", "timeout", "decline", "connectivity-error"};
  auto emit = [&](const core::Event& like, core::EventType type, const std::string& actor,
                  std::optional<std::string> peer, core::Value data) {
    core::Event e;
    e.id = w.ids.next_id(like.time_ms);
    e.room = like.room;
    e.room_id = like.room_id;
    e.actor = actor;
    e.peer = std::move(peer);
    e.time_ms = like.time_ms;
    e.set_data(events::read_data(type, std::move(data)));
    out.push_back(std::move(e));
  };
  // A timed-out call's end is reported again by the other party at the room's next message
  // (usually a later batch): the materialiser computes the ended session again, which takes
  // its figures away from the rollups of 0018 and adds them back.
  std::map<std::string, std::vector<std::tuple<std::string, std::string, std::string>>> late_ends;
  auto end_call = [&](const core::Event& like, const std::string& sid, const std::string& reason) {
    const auto [a, b] = open[like.room_id][sid];
    core::Value d = core::Value::object();
    d.set("sid", sid);
    d.set("reason", reason);
    emit(like, core::EventType::p2p_session_ended, a, b, std::move(d));
    if (reason == "timeout") late_ends[like.room_id].emplace_back(sid, b, a);
    open[like.room_id].erase(sid);
  };
  for (const core::Event& e : log) {
    out.push_back(e);
    auto& here = present[e.room_id];
    if (e.type == core::EventType::occupant_joined) {
      if (!here.empty()) {
        const std::string sid = "sid-" + std::to_string(++sids);
        core::Value d = core::Value::object();
        d.set("sid", sid);
        d.set("media", core::Value::Array{core::Value("audio")});
        emit(e, core::EventType::p2p_session_started, e.actor, here.front(), std::move(d));
        open[e.room_id][sid] = {e.actor, here.front()};
      }
      here.push_back(e.actor);
    } else if (e.type == core::EventType::occupant_left) {
      here.erase(std::remove(here.begin(), here.end(), e.actor), here.end());
      std::vector<std::string> gone;
      for (const auto& [sid, parties] : open[e.room_id])
        if (parties.first == e.actor || parties.second == e.actor) gone.push_back(sid);
      for (const std::string& sid : gone) end_call(e, sid, "left");
    }
    if (e.type == core::EventType::message_sent) {
      for (const auto& [sid, a, b] : late_ends[e.room_id]) {
        core::Value d = core::Value::object();
        d.set("sid", sid);
        d.set("reason", "timeout");
        emit(e, core::EventType::p2p_session_ended, a, b, std::move(d));
      }
      late_ends[e.room_id].clear();
    }
    if (e.type == core::EventType::message_sent && !e.actor.empty()) {
      ++messages;
      core::Value d = core::Value::object();
      d.set("source", "presence");
      if (paused.count(e.actor) && messages % 2 == 1) {
        paused.erase(e.actor);
        emit(e, core::EventType::audio_resumed, e.actor, std::nullopt, d);
      } else if (!paused.count(e.actor) && messages % 6 == 0) {
        paused.insert(e.actor);
        emit(e, core::EventType::audio_paused, e.actor, std::nullopt, d);
      }
      if (sharing.count(e.actor) && messages % 3 == 0) {
        sharing.erase(e.actor);
        emit(e, core::EventType::screencapture_ended, e.actor, std::nullopt, d);
      } else if (!sharing.count(e.actor) && messages % 11 == 0) {
        sharing.insert(e.actor);
        emit(e, core::EventType::screencapture_started, e.actor, std::nullopt, d);
      }
    }
    if (e.type == core::EventType::message_sent && !open[e.room_id].empty()) {
      const auto& [sid, parties] = *open[e.room_id].begin();
      ++samples;
      core::Value d = core::Value::object();
      d.set("sid", sid);
      d.set("rtt_ms", static_cast<std::int64_t>(20 + samples * 37 % 300));
      d.set("jitter_ms", 1.5 * (samples % 7));
      if (samples % 5 != 0) d.set("packet_loss", (samples % 10) / 100.0);
      d.set("local_candidate_type", samples % 4 == 0 ? "relay" : "host");
      d.set("remote_candidate_type", "srflx");
      emit(e, core::EventType::p2p_session_stats, parties.first, parties.second, std::move(d));
      if (samples % 3 == 0) end_call(e, sid, reasons[samples % 5]);
    }
  }
  const std::int64_t t0 = out.front().time_ms;
  for (core::Event& e : out) {
    e.seq = ++seq[e.room_id];
    e.time_ms = t0 + (e.time_ms - t0) * 300;
  }
  return out;
}

// Every rollup's rows as text, in key order (float sums to 6 decimals: a sum in another
// order may differ in its last bits).
std::map<std::string, std::string> rollups(pqxx::transaction_base& tx) {
  const std::map<std::string, std::string> queries = {
      {"events_hourly", "SELECT hour, type, events FROM rollup_events_hourly ORDER BY 1, 2"},
      {"daily", "SELECT * FROM rollup_daily ORDER BY 1"},
      {"sessions_daily", "SELECT * FROM rollup_sessions_daily ORDER BY 1, 2, 3, 4"},
      {"rooms", "SELECT * FROM rollup_rooms ORDER BY 1"},
      {"p2p_hourly",
       "SELECT hour, samples, relayed_samples, round(rtt_sum::numeric, 6), rtt_n, round(jitter_sum::numeric, 6), "
       "jitter_n, round(loss_sum::numeric, 6), loss_n, ended, failed FROM rollup_p2p_hourly ORDER BY 1"},
      {"p2p_sessions", "SELECT * FROM rollup_p2p_sessions ORDER BY domain, room_id, event_id"},
      {"peak_hourly", "SELECT * FROM rollup_peak_hourly ORDER BY 1, 2"},
      // 0018: sums in value order, so equal items give equal bits however they arrived
      {"p2p_figures_daily", "SELECT * FROM rollup_p2p_figures_daily ORDER BY 1, 2, 3"},
      {"p2p_figures_hourly", "SELECT * FROM rollup_p2p_figures_hourly ORDER BY 1, 2, 3"},
      {"p2p_figures_slots", "SELECT * FROM rollup_p2p_figures_slots ORDER BY 1, 2, 3"},
      {"media_sessions",
       "SELECT domain, session, room_id, joined, round(audio_paused_seconds::numeric, 6), "
       "round(video_paused_seconds::numeric, 6), round(screen_share_seconds::numeric, 6), screen_shares, audio_open, "
       "video_open, screen_open FROM rollup_media_sessions ORDER BY 1, 2, 3"},
      // 0019: numeric sums, exact in any order; the media seconds to 6 decimals as above
      {"media_daily",
       "SELECT domain, day, sessions, present_seconds, round(audio_paused_seconds, 6), round(video_paused_seconds, 6), "
       "round(screen_share_seconds, 6), screen_shares, sessions_audio_paused, sessions_video_paused, sessions_sharing "
       "FROM rollup_media_daily ORDER BY 1, 2"}};
  std::map<std::string, std::string> out;
  for (const auto& [name, sql] : queries)
    out[name] = tx.exec1("SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM (" + sql + ") t")[0].as<std::string>();
  return out;
}

// The stored rollups equal what mucstream_recompute_rollups makes from the raw events (run
// in a transaction rolled back afterwards, so the incremental rollups carry on).
void check_equal_recomputation(pqxx::connection& c) {
  pqxx::work tx(c);
  const auto kept = rollups(tx);
  tx.exec("SELECT mucstream_recompute_rollups()");
  const auto recomputed = rollups(tx);
  for (const auto& [name, rows] : recomputed) {
    CAPTURE(name);
    CHECK(kept.at(name) == rows);
  }
  tx.abort();
}

// The rollups hold what the comparison is about, and agree with the base tables' totals.
void check_rollups_cover(pqxx::connection& c, std::int64_t events) {
  pqxx::nontransaction tx(c);
  auto one = [&](const char* sql) { return tx.exec1(sql)[0].as<std::int64_t>(); };
  CHECK(one("SELECT sum(events) FROM rollup_events_hourly") == events);
  CHECK(one("SELECT count(*) FROM rollup_events_hourly") > 24);
  CHECK(one("SELECT count(*) FROM rollup_daily") >= 3);
  CHECK(one("SELECT sum(sessions_created) FROM rollup_daily") == one("SELECT count(*) FROM users"));
  CHECK(one("SELECT sum(sessions_ended) FROM rollup_daily") == one("SELECT count(*) FROM users WHERE ended IS NOT NULL"));
  CHECK(one("SELECT sum(rooms_ended) FROM rollup_daily") >= 1);
  CHECK(one("SELECT count(*) FROM rollup_rooms") == one("SELECT count(*) FROM rooms"));
  CHECK(one("SELECT sum(occupants) FROM rollup_rooms") == one("SELECT count(*) FROM users WHERE ended IS NULL"));
  CHECK(one("SELECT max(peak_occupants) FROM rollup_rooms") >= 3);
  CHECK(one("SELECT sum(samples) FROM rollup_p2p_hourly") == one("SELECT count(*) FROM events WHERE type = 'p2p_session_stats'"));
  CHECK(one("SELECT sum(loss_n) FROM rollup_p2p_hourly") < one("SELECT sum(samples) FROM rollup_p2p_hourly"));
  CHECK(one("SELECT sum(relayed_samples) FROM rollup_p2p_hourly") > 0);
  CHECK(one("SELECT sum(failed) FROM rollup_p2p_hourly") > 0);
  CHECK(one("SELECT sum(failed) FROM rollup_p2p_hourly") < one("SELECT sum(ended) FROM rollup_p2p_hourly"));
  // 0015: a row per P2P session of p2p_sessions, every sample once per day, media per session
  CHECK(one("SELECT count(*) FROM rollup_p2p_sessions") == one("SELECT count(*) FROM p2p_sessions"));
  CHECK(one("SELECT count(*) FROM rollup_p2p_sessions WHERE ended IS NULL") > 0);
  CHECK(one("SELECT count(*) FROM rollup_p2p_sessions WHERE samples > 0") > 0);
  // 0018, 0022: every sample once per day, hour and slot, every final session once by its start
  const char* figures[] = {"rollup_p2p_figures_daily", "rollup_p2p_figures_hourly", "rollup_p2p_figures_slots"};
  for (const char* t : figures) {
    CAPTURE(t);
    auto items = [&](const char* metric) {
      return one(("SELECT coalesce(sum(cum[cardinality(cum)]), 0) FROM " + std::string(t) + " WHERE metric = '" + metric +
                  "'").c_str());
    };
    CHECK(items("sample") == one("SELECT count(*) FROM events WHERE type = 'p2p_session_stats'"));
    CHECK(items("rtt_ms") == one("SELECT count(*) FROM p2p_stats_samples WHERE rtt_ms IS NOT NULL"));
    CHECK(items("session") == one("SELECT count(*) FROM rollup_p2p_sessions WHERE ended IS NOT NULL"));
    CHECK(items("session") > 0);
    CHECK(items("failed") > 0);
    CHECK(items("duration") == one("SELECT count(*) FROM rollup_p2p_sessions WHERE ended IS NOT NULL AND accepted"));
    CHECK(one(("SELECT count(*) FROM " + std::string(t) + " WHERE cardinality(vals) <> cardinality(cum)"
               " OR cardinality(vals) = 0").c_str()) == 0);
  }
  CHECK(one("SELECT count(DISTINCT day) FROM rollup_p2p_figures_daily") >= 3);
  CHECK(one("SELECT count(*) FROM rollup_media_sessions WHERE audio_paused_seconds > 0") > 0);
  CHECK(one("SELECT count(*) FROM rollup_media_sessions WHERE screen_shares > 0") > 0);
  CHECK(one("SELECT count(*) FROM rollup_media_sessions WHERE audio_open IS NOT NULL OR screen_open IS NOT NULL") > 0);
  CHECK(one("SELECT count(*) FROM rollup_media_sessions WHERE domain = ''") == 0);
  // 0016: every hour with a join or leave has a row for its tenant and one for all tenants;
  // the deltas add up to the sessions still open
  CHECK(one("SELECT count(*) FROM rollup_peak_hourly WHERE domain = '*'") > 24);
  CHECK(one("SELECT count(*) FROM rollup_peak_hourly WHERE domain <> '*'") ==
        one("SELECT count(*) FROM rollup_peak_hourly WHERE domain = '*'"));
  CHECK(one("SELECT sum(delta) FROM rollup_peak_hourly WHERE domain = '*'") ==
        one("SELECT count(*) FROM users WHERE ended IS NULL"));
  CHECK(one("SELECT max(peak) FROM rollup_peak_hourly WHERE domain = '*'") >= 3);
}

// GET /v1/analytics/summary (whole hours and days from the rollups, partial ones from users)
// equals the definitions over users: the peak as the sweep over every session edge of the
// period (+1 at its start, clipped to the period, -1 at its end, a leave before a join at
// the same instant), sessions, their clients and distinct users counted from users; for
// periods on and off whole hours and days, inside one hour, around the data, and for the
// tenant that owns the rows and one that owns none.
void check_summary_matches_users(pqxx::connection& c, const std::string& conninfo) {
  pqxx::nontransaction tx(c);
  const std::string domain = tx.exec1("SELECT min(domain) FROM users")[0].as<std::string>();
  const auto bounds = tx.exec1("SELECT (extract(epoch FROM mucstream_hour(min(created))) * 1000000)::bigint,"
                               " (extract(epoch FROM max(created)) * 1000000)::bigint FROM users");
  const std::int64_t lo = bounds[0].as<std::int64_t>(), hi = bounds[1].as<std::int64_t>();
  const std::int64_t hour = 3600LL * 1000000, day = 24 * hour;
  std::vector<std::pair<std::int64_t, std::int64_t>> periods = {
      {lo, lo + 3 * day},                                     // whole days
      {lo + 7 * hour + 1700017, lo + 2 * day + 13 * hour},    // partial hour and day at both ends
      {lo + 5 * hour + 600000000, lo + 5 * hour + 3000000000LL},  // inside one hour
      {lo + 5 * hour, lo + 6 * hour},                         // exactly one hour
      {lo + 5 * hour, lo + 5 * hour + 1800000000LL},          // from an hour to within it
      {lo + 5 * hour + 1800000000LL, lo + 6 * hour + 1800000000LL},  // across one boundary only
      {lo - 30 * day, lo + 60 * day}};                        // every session and empty hours
  std::uint64_t x = 12345;
  for (int i = 0; i < 24; ++i) {  // and periods anywhere in the data, to the microsecond
    auto next = [&] { return (x = x * 6364136223846793005ULL + 1442695040888963407ULL) >> 17; };
    const std::int64_t a = lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo));
    periods.push_back({a, a + 1 + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(2 * day))});
  }
  const std::string at = "(timestamptz 'epoch' + $1::bigint * interval '1 microsecond')";
  const std::string to = "(timestamptz 'epoch' + $2::bigint * interval '1 microsecond')";
  const std::string mine = " AND ($3::text IS NULL OR domain = $3)";
  const std::string sweep =
      "SELECT coalesce(max(n), 0) FROM (SELECT sum(delta) OVER (ORDER BY t, delta) AS n FROM ("
      " SELECT greatest(created, " + at + ") AS t, 1 AS delta FROM users WHERE created < " + to +
      "  AND (ended IS NULL OR ended > " + at + ")" + mine +
      " UNION ALL SELECT ended, -1 FROM users WHERE ended > " + at + " AND ended < " + to + " AND created < " + to + mine +
      ") e) w";
  const std::string sessions =
      "SELECT count(*), count(DISTINCT userid),"
      " coalesce((SELECT jsonb_object_agg(k, n) FROM (SELECT coalesce(type, 'unknown') k, count(*) n FROM users"
      "  WHERE created >= " + at + " AND created < " + to + mine + " GROUP BY 1) x), '{}')::text,"
      " coalesce((SELECT jsonb_object_agg(k, n) FROM (SELECT coalesce(os, 'unknown') k, count(*) n FROM users"
      "  WHERE created >= " + at + " AND created < " + to + mine + " GROUP BY 1) x), '{}')::text,"
      " coalesce((SELECT jsonb_object_agg(k, n) FROM (SELECT coalesce(browser, 'unknown') k, count(*) n FROM users"
      "  WHERE created >= " + at + " AND created < " + to + mine + " GROUP BY 1) x), '{}')::text"
      " FROM users WHERE created >= " + at + " AND created < " + to + mine;
  sql::PgReadStore store(conninfo, 1);
  std::int64_t peaks = 0;
  for (const std::optional<std::string>& tenant :
       std::vector<std::optional<std::string>>{std::nullopt, domain, std::string("rooms.other.example")}) {
    sql::TenantScope scope(tenant.value_or(""));
    for (const auto& [since, until] : periods) {
      const std::string what = tenant.value_or("every tenant") + " " + std::to_string(since) + " " + std::to_string(until);
      CAPTURE(what);
      sql::TimeRange r;
      r.since = since;
      r.until = until;
      const sql::Summary got = store.summary(r);
      CHECK(got.peak_concurrent_occupants == tx.exec_params1(sweep, since, until, tenant)[0].as<std::int64_t>());
      const pqxx::row want = tx.exec_params1(sessions, since, until, tenant);
      CHECK(got.sessions == want[0].as<std::int64_t>());
      CHECK(got.distinct_users == want[1].as<std::int64_t>());
      CHECK(got.sessions_by_type == want[2].as<std::string>());
      CHECK(got.sessions_by_os == want[3].as<std::string>());
      CHECK(got.sessions_by_browser == want[4].as<std::string>());
      if (tenant != std::string("rooms.other.example")) peaks += got.peak_concurrent_occupants;
      else CHECK(got.peak_concurrent_occupants == 0);
    }
  }
  CHECK(peaks > 0);
}

// What the API reads from the rollups equals 0004's definitions over the events: P2P
// quality of every room for whole days, partial days and a period beyond the data, and
// each room's calls (room_calls against the p2p_sessions view it was defined with).
void check_readers_match_events(pqxx::connection& c, const std::string& conninfo) {
  pqxx::work tx(c);
  const std::string first = tx.exec1("SELECT min(time)::date::text FROM events")[0].as<std::string>();
  auto rounded = [](const std::string& from) {
    return "SELECT sessions, completed, failed, interrupted, ongoing, with_stats, relayed, round(relayed_share::numeric, 9), "
           "round(duration_mean_seconds::numeric, 6), round(duration_p95_seconds::numeric, 6), "
           "round(duration_total_seconds::numeric, 3), samples, round(rtt_median_ms::numeric, 9), "
           "round(rtt_p95_ms::numeric, 9), round(jitter_mean_ms::numeric, 9), round(packet_loss_mean::numeric, 12), "
           "round(packet_loss_p95::numeric, 12) FROM " + from;
  };
  std::vector<std::string> busiest_hours;
  for (const auto& r : tx.exec("SELECT h::text FROM (SELECT mucstream_hour(time) AS h FROM p2p_stats_samples GROUP BY 1 "
                               "ORDER BY count(*) DESC, 1 LIMIT 2) x ORDER BY 1"))
    busiest_hours.push_back(r[0].as<std::string>());
  REQUIRE(busiest_hours.size() == 2);
  auto at = [](const std::string& hour, const char* offset) {
    return hour + "'::timestamptz + interval '" + offset + "' || '";
  };
  const std::vector<std::pair<std::string, std::string>> periods = {
      {first, first + " 00:00'::date + 1 || '"},
      {first + " 00:00", first + " 00:00'::date + 3 || '"},
      {first + " 07:30", first + " 00:00'::date + 2 || ' 13:15"},
      {first + " 07:30", first + " 19:45"},
      {first + " 07:00", first + " 00:00'::date + 1 || ' 05:00"},
      // 0022: slots of a partial hour, and what is left inside one slot at each end, in the
      // hours with the most samples
      {at(busiest_hours[0], "12 minutes 10 seconds"), at(busiest_hours[1], "47 minutes 30 seconds")},
      {at(busiest_hours[0], "2 minutes 10 seconds"), at(busiest_hours[0], "58 minutes 5 seconds")},
      {at(busiest_hours[0], "5 minutes"), at(busiest_hours[0], "1 hour")},
      {at(busiest_hours[0], "31 minutes"), at(busiest_hours[0], "33 minutes 30 seconds")},
      {first + " 00:00'::date - 30 || '", first + " 00:00'::date + 60 || '"}};
  int sessions = 0;
  for (const auto& [since, until] : periods) {
    const std::string args = "(('" + since + "')::timestamptz, ('" + until + "')::timestamptz)";
    CAPTURE(args);
    const std::string kept = tx.exec1("SELECT t::text FROM (" + rounded("p2p_quality" + args) + ") t")[0].as<std::string>();
    const std::string raw =
        tx.exec1("SELECT t::text FROM (" + rounded("p2p_quality_from_events" + args) + ") t")[0].as<std::string>();
    CHECK(kept == raw);
    sessions += tx.exec1("SELECT sessions FROM p2p_quality" + args)[0].as<int>();
    // one room's (0018: p2p_quality_of_room, from rollup_p2p_sessions), for a few rooms
    for (const auto& room : tx.exec("SELECT DISTINCT room_id::text FROM rollup_p2p_sessions ORDER BY 1 LIMIT 4")) {
      const std::string room_args = "(('" + since + "')::timestamptz, ('" + until + "')::timestamptz, '" +
                                    room[0].as<std::string>() + "'::uuid)";
      CAPTURE(room_args);
      CHECK(tx.exec1("SELECT t::text FROM (" + rounded("p2p_quality" + room_args) + ") t")[0].as<std::string>() ==
            tx.exec1("SELECT t::text FROM (" + rounded("p2p_quality_from_events" + room_args) + ") t")[0].as<std::string>());
    }
  }
  CHECK(sessions > 0);
  const std::string calls = "SELECT room_id, p2p_sessions, p2p_failed, p2p_interrupted, round(call_seconds::numeric, 3) FROM ";
  const std::string kept = tx.exec1("SELECT string_agg(t::text, E'\\n' ORDER BY t::text) FROM (" + calls + "room_calls) t")[0]
                               .as<std::string>();
  const std::string raw =
      tx.exec1("SELECT string_agg(t::text, E'\\n' ORDER BY t::text) FROM (" + calls +
               "(SELECT rs.room_id, count(p.sid) AS p2p_sessions, count(*) FILTER (WHERE p.outcome = 'failed') AS p2p_failed,"
               " count(*) FILTER (WHERE p.outcome = 'interrupted') AS p2p_interrupted,"
               " coalesce(sum(p.duration_seconds), 0) AS call_seconds"
               " FROM room_summary rs LEFT JOIN p2p_sessions p ON p.room_id = rs.room_id GROUP BY rs.room_id) x) t")[0]
          .as<std::string>();
  CHECK(kept == raw);
  tx.commit();

  // Media totals (GET /v1/analytics/media) from the day rows and the rest read live equal the
  // sums over every session of media_usage: the whole seeded span, a third of it, whole UTC
  // days only, a period inside one day, one ending mid-day and a room's. An interval or a
  // session still open ends now(): the two reads run a moment apart, hence the tolerances.
  sql::PgReadStore store(conninfo, 1);
  pqxx::nontransaction ntx(c);
  const auto bounds = ntx.exec1("SELECT (extract(epoch FROM min(time)) * 1000000)::bigint,"
                                " (extract(epoch FROM max(time)) * 1000000)::bigint FROM events");
  const std::int64_t lo = bounds[0].as<std::int64_t>(), hi = bounds[1].as<std::int64_t>() + 1;
  constexpr std::int64_t kDay = 86'400'000'000;
  const std::int64_t day1 = (lo / kDay + 1) * kDay;  // the first midnight after the first event
  const std::string busiest = ntx.exec1("SELECT room_id::text FROM users GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")[0]
                                  .as<std::string>();
  const std::vector<std::tuple<std::int64_t, std::int64_t, std::optional<std::string>>> media_periods = {
      {lo, hi, std::nullopt},
      {lo + (hi - lo) / 3, lo + (hi - lo) / 2, std::nullopt},
      {day1, day1 + kDay, std::nullopt},
      {day1 + kDay / 4, day1 + kDay / 2, std::nullopt},
      {lo, day1 + kDay + kDay / 3, std::nullopt},
      {lo, hi, busiest}};
  REQUIRE(day1 + kDay < hi);  // the scenario spans whole days, so the day rows are read
  for (const auto& [since, until, room] : media_periods) {
    CAPTURE(since);
    CAPTURE(until);
    sql::CallPeriodQuery q;
    q.since = since;
    q.until = until;
    q.room_id = room;
    const sql::MediaReport kept_media = store.media_usage(q);
    const pqxx::row v = ntx.exec_params1(
        "SELECT count(*), coalesce(sum(audio_paused_seconds), 0), coalesce(sum(video_paused_seconds), 0),"
        " coalesce(sum(screen_share_seconds), 0), coalesce(sum(screen_shares), 0),"
        " count(*) FILTER (WHERE audio_paused_seconds > 0), count(*) FILTER (WHERE video_paused_seconds > 0),"
        " count(*) FILTER (WHERE screen_shares > 0), coalesce(sum(present_seconds), 0),"
        " count(*) FILTER (WHERE left_at IS NULL) FROM media_usage"
        " WHERE joined >= to_timestamp($1::float8 / 1e6) AND joined < to_timestamp($2::float8 / 1e6)"
        " AND ($3::uuid IS NULL OR room_id = $3::uuid)",
        since, until, room);
    CHECK(kept_media.total == v[0].as<std::int64_t>());
    CHECK(kept_media.total > 0);
    // each session still present gains the time between the two reads
    CHECK(std::abs(kept_media.present_seconds - v[8].as<double>()) < 1.0 + 2.0 * v[9].as<double>());
    CHECK(kept_media.present_seconds > 0);
    CHECK(std::abs(kept_media.audio_paused_seconds - v[1].as<double>()) < 1.0);
    CHECK(std::abs(kept_media.video_paused_seconds - v[2].as<double>()) < 1.0);
    CHECK(std::abs(kept_media.screen_share_seconds - v[3].as<double>()) < 1.0);
    CHECK(kept_media.screen_shares == v[4].as<std::int64_t>());
    CHECK(kept_media.sessions_audio_paused == v[5].as<std::int64_t>());
    CHECK(kept_media.sessions_video_paused == v[6].as<std::int64_t>());
    CHECK(kept_media.sessions_sharing == v[7].as<std::int64_t>());
    if (since == lo) CHECK(kept_media.audio_paused_seconds > 0);
  }
}

// The next batch's connection dies inside its transaction (the server ends the session the
// way it ends a crashed client's), after events, rooms, users and reports were written and
// before the rollups and the commit. Fires once.
void arm_death_mid_batch(pqxx::connection& c) {
  pqxx::nontransaction tx(c);
  tx.exec0(
      "CREATE SEQUENCE mucstream_test_death;"
      "CREATE FUNCTION mucstream_test_die() RETURNS trigger LANGUAGE plpgsql AS $$"
      " BEGIN IF nextval('mucstream_test_death') = 1 THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;"
      " RETURN NULL; END $$;"
      "CREATE TRIGGER mucstream_test_die AFTER INSERT ON rollup_events_hourly"
      " FOR EACH STATEMENT EXECUTE FUNCTION mucstream_test_die()");
}

std::pair<int, std::string> mucstreamd(std::vector<std::string> args) { return testing::run_mucstreamd(std::move(args)); }

}  // namespace

TEST_CASE("sql: rollups written batch by batch, redelivered and after a batch that died mid-transaction equal a recomputation") {
  TestDb db;
  World w;
  run_scenario(w, 4, 800, 21);
  const std::vector<core::Event> log = with_p2p(w, w.log);
  auto c = std::make_unique<pqxx::connection>(db.conn_string());
  sql::migrate(*c);
  auto writer = std::make_unique<sql::EventWriter>(*c);
  // Overlapping batches as a restarted consumer delivers them (each repeats the last 18
  // events of the one before), each delivered once more; one batch dies mid-transaction and
  // is then written again on a new connection, as the materialiser's retry does.
  const std::size_t dying = 8;
  std::size_t inserted = 0, duplicates = 0, batches = 0;
  for (std::size_t from = 0; from < log.size(); from += 37, ++batches) {
    const std::size_t begin = from < 18 ? 0 : from - 18;
    const std::vector<core::Event> batch(log.begin() + static_cast<std::ptrdiff_t>(begin),
                                         log.begin() + static_cast<std::ptrdiff_t>(std::min(log.size(), from + 37)));
    if (batches == dying) {
      arm_death_mid_batch(*c);
      const std::int64_t before = stored_events(db);
      CHECK_THROWS(writer->write(batch));
      CHECK(stored_events(db) == before);  // nothing of the batch landed
      writer.reset();
      c = std::make_unique<pqxx::connection>(db.conn_string());
      writer = std::make_unique<sql::EventWriter>(*c);
      check_equal_recomputation(*c);
    }
    const sql::WriteResult first = writer->write(batch);
    inserted += first.inserted;
    duplicates += first.duplicates;
    CHECK(writer->write(batch).inserted == 0);
    if (batches % 4 == 0) check_equal_recomputation(*c);
  }
  REQUIRE(batches > dying);
  CHECK(inserted == log.size());
  CHECK(duplicates > 0);
  CHECK(writer->write(std::vector<core::Event>(log.begin() + 100, log.begin() + 400)).inserted == 0);
  check_equal_recomputation(*c);
  check_rollups_cover(*c, static_cast<std::int64_t>(log.size()));
  check_readers_match_events(*c, db.conn_string());
  check_summary_matches_users(*c, db.conn_string());
  {
    // 0019's day rows follow any writer of users and rollup_media_sessions (a forget, a
    // recomputation, an operator's fix): sessions that end later, media sums that change,
    // rows that go and come back each take their old figures away and add the new ones.
    pqxx::work tx(*c);
    auto media_daily = [&] {
      return tx.exec1("SELECT string_agg(t::text, E'\\n' ORDER BY t::text) FROM (SELECT domain, day, sessions,"
                      " present_seconds, round(audio_paused_seconds, 6), round(video_paused_seconds, 6),"
                      " round(screen_share_seconds, 6), screen_shares, sessions_audio_paused, sessions_video_paused,"
                      " sessions_sharing FROM rollup_media_daily) t")[0]
          .as<std::string>();
    };
    const std::string before = media_daily();
    CHECK(tx.exec1("SELECT count(*) FROM rollup_media_daily WHERE sessions > 0 AND sessions_audio_paused > 0")[0]
              .as<std::int64_t>() > 0);
    CHECK(tx.exec("UPDATE users SET ended = ended + interval '90 minutes' WHERE ended IS NOT NULL AND "
                  "sessionid IN (SELECT sessionid FROM users WHERE ended IS NOT NULL ORDER BY sessionid LIMIT 5)")
              .affected_rows() == 5);
    CHECK(tx.exec("UPDATE rollup_media_sessions SET audio_paused_seconds = audio_paused_seconds + 7.25,"
                  " screen_shares = screen_shares + 1 WHERE audio_open IS NULL AND video_open IS NULL AND screen_open IS NULL")
              .affected_rows() > 0);
    tx.exec0("CREATE TEMP TABLE media_again ON COMMIT DROP AS SELECT * FROM rollup_media_sessions;"
             "DELETE FROM rollup_media_sessions; INSERT INTO rollup_media_sessions SELECT * FROM media_again");
    const std::string kept = media_daily();
    CHECK(kept != before);
    tx.exec("SELECT mucstream_recompute_media_daily()");
    CHECK(kept == media_daily());
    tx.abort();
  }
  {
    // The tenant policy of the 0015 tables: a reader RLS applies to (analysts) sees the rows
    // of the tenant its transaction names, every row when it names none.
    pqxx::work tx(*c);
    tx.exec0("SET LOCAL ROLE analyst");
    const char* tables[] = {"rollup_p2p_sessions", "rollup_p2p_figures_daily", "rollup_p2p_figures_hourly",
                            "rollup_p2p_figures_slots", "rollup_media_sessions", "rollup_media_daily"};
    const std::string domain = tx.exec1("SELECT min(domain) FROM rollup_p2p_sessions")[0].as<std::string>();
    CHECK(!domain.empty());
    for (const char* t : tables) {
      CAPTURE(t);
      const std::string count = std::string("SELECT count(*) FROM ") + t;
      const auto all = tx.exec1(count)[0].as<std::int64_t>();
      CHECK(all > 0);
      tx.exec_params("SELECT set_config('mucstream.tenant', $1, true)", domain);
      CHECK(tx.exec1(count)[0].as<std::int64_t>() == all);
      tx.exec("SELECT set_config('mucstream.tenant', 'rooms.other.example', true)");
      CHECK(tx.exec1(count)[0].as<std::int64_t>() == 0);
      tx.exec("SELECT set_config('mucstream.tenant', '', true)");
    }
    tx.abort();
  }

  // The command rebuilds wiped rollups to exactly what the materialiser kept.
  std::map<std::string, std::string> kept;
  {
    pqxx::work tx(*c);
    kept = rollups(tx);
  }
  {
    pqxx::nontransaction tx(*c);
    tx.exec0("DELETE FROM rollup_events_hourly; DELETE FROM rollup_daily; DELETE FROM rollup_sessions_daily;"
             "DELETE FROM rollup_rooms; DELETE FROM rollup_p2p_hourly; DELETE FROM rollup_p2p_sessions;"
             "DELETE FROM rollup_p2p_figures_daily; DELETE FROM rollup_p2p_figures_hourly; DELETE FROM rollup_p2p_figures_slots;"
             "DELETE FROM rollup_media_sessions;"
             "DELETE FROM rollup_media_daily; DELETE FROM rollup_peak_hourly");
  }
  const auto [code, out] = mucstreamd({"reports", "--recompute", "--all", "--pg", db.conn_string()});
  CHECK(code == 0);
  CHECK(out.find("recomputed the rollups\n") != std::string::npos);
  {
    pqxx::work tx(*c);
    CHECK(rollups(tx) == kept);
  }
}

TEST_CASE("sql: rollups through Kafka survive a materialiser crash and a connection lost mid-batch") {
  TestDb db;
  std::unique_ptr<events::MockCluster> mock;
  const std::string brokers = fresh_mock(mock).bootstraps();
  World w;
  run_scenario(w, 6, 1200, 22);
  const std::vector<core::Event> log = with_p2p(w, w.log);
  const auto n = static_cast<std::int64_t>(log.size());
  events::Producer p(events::ProducerConfig{brokers, "mucstream.events", {}, events::ProducerConfig::QueueFull::wait,
                                            1000, ""});
  for (const auto& e : log) p.publish(e);
  REQUIRE(p.flush(30000));
  {
    // Crashes after PostgreSQL committed its fifth batch, before Kafka did: that batch comes
    // again and must not count twice.
    auto cfg = materializer_config(brokers, db);
    cfg.batch_max = 60;
    cfg.after_pg_commit = [](std::uint64_t batch, const std::vector<core::Event>&) {
      if (batch == 5) throw std::runtime_error("simulated crash after the PostgreSQL commit");
    };
    Running crashing(cfg);
    REQUIRE(wait_until([&] { return crashing.done(); }));
    CHECK(crashing.error() == "simulated crash after the PostgreSQL commit");
  }
  CHECK(stored_events(db) < n);
  {
    pqxx::connection c(db.conn_string());
    arm_death_mid_batch(c);  // the restarted materialiser's first batch loses its connection
  }
  auto cfg = materializer_config(brokers, db);
  cfg.batch_max = 60;
  Running m(cfg);
  REQUIRE(wait_until([&] { return stored_events(db) == n && m.stats().duplicates > 0; }));
  CHECK(db.count("SELECT last_value FROM mucstream_test_death") >= 2);  // the death did happen
  pqxx::connection c(db.conn_string());
  check_equal_recomputation(c);
  check_rollups_cover(c, n);
}
