#include "sql/rollups.hpp"

#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "events/envelope.hpp"
#include "sql/media_session_rollups.hpp"
#include "sql/p2p_hour_rollups.hpp"
#include "sql/rollup_keys.hpp"

namespace mucstream::sql {
namespace {

using core::EventType;
constexpr std::uint64_t bit(EventType t) { return std::uint64_t{1} << static_cast<int>(t); }

// Upserts add to what is stored; rows go in key order so two materialisers touching the
// same hours lock them in the same order (no deadlock).
constexpr const char* kAddEventsHourly =
    "INSERT INTO rollup_events_hourly (hour, domain, type, events)"
    " SELECT h, m, t, n FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::bigint[]) AS x(h, m, t, n)"
    " ORDER BY h, m, t"
    " ON CONFLICT (hour, domain, type) DO UPDATE SET events = rollup_events_hourly.events + excluded.events";

constexpr const char* kAddFreshEventsHourly =
    "INSERT INTO rollup_events_hourly (hour, domain, type, events)"
    " SELECT mucstream_hour(time), split_part(room, '@', 2), type, count(*) FROM mucstream_fresh"
    " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    " ON CONFLICT (hour, domain, type) DO UPDATE SET events = rollup_events_hourly.events + excluded.events";

constexpr const char* kAddDaily =
    "INSERT INTO rollup_daily (day, domain, rooms_created, rooms_ended, sessions_created, sessions_ended)"
    " SELECT mucstream_day(t), m, count(*) FILTER (WHERE k = 'r' AND d = 1),"
    "  count(*) FILTER (WHERE k = 'r' AND d = -1),"
    "  count(*) FILTER (WHERE k = 's' AND d = 1), count(*) FILTER (WHERE k = 's' AND d = -1)"
    " FROM (SELECT 'r' AS k, t, d, coalesce(domain, '') AS m FROM mucstream_room_changes"
    "       UNION ALL SELECT 's', t, d, coalesce(domain, '') FROM mucstream_session_changes) x"
    " GROUP BY 1, 2 ORDER BY 1, 2"
    " ON CONFLICT (day, domain) DO UPDATE SET rooms_created = rollup_daily.rooms_created + excluded.rooms_created,"
    "  rooms_ended = rollup_daily.rooms_ended + excluded.rooms_ended,"
    "  sessions_created = rollup_daily.sessions_created + excluded.sessions_created,"
    "  sessions_ended = rollup_daily.sessions_ended + excluded.sessions_ended";

constexpr const char* kAddSessionsDaily =
    "INSERT INTO rollup_sessions_daily (day, domain, type, os, browser, sessions)"
    " SELECT mucstream_day(t), coalesce(domain, ''), coalesce(type, 'unknown'), coalesce(os, 'unknown'),"
    "  coalesce(browser, 'unknown'), count(*)"
    " FROM mucstream_session_changes WHERE d = 1 GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5"
    " ON CONFLICT (day, domain, type, os, browser)"
    " DO UPDATE SET sessions = rollup_sessions_daily.sessions + excluded.sessions";

constexpr const char* kAddRooms =
    "INSERT INTO rollup_rooms (room_id, domain, created)"
    " SELECT room_id, coalesce(domain, ''), t FROM mucstream_room_changes WHERE d = 1"
    " ORDER BY room_id ON CONFLICT (room_id) DO NOTHING;"
    "UPDATE rollup_rooms r SET ended = c.t FROM mucstream_room_changes c WHERE c.d = -1 AND r.room_id = c.room_id";

// The batch's joins and leaves in time order (a leave first at the same instant) continue
// each room's running count from its stored occupants; the peak is the highest point.
constexpr const char* kAddOccupancy =
    "UPDATE rollup_rooms r SET occupants = r.occupants + x.total,"
    "  peak_occupants = greatest(r.peak_occupants, r.occupants + x.top)"
    " FROM (SELECT room_id, sum(d) AS total, max(run) AS top FROM ("
    "        SELECT room_id, d, sum(d) OVER (PARTITION BY room_id ORDER BY t, d ROWS UNBOUNDED PRECEDING) AS run"
    "        FROM mucstream_session_changes) w GROUP BY room_id) x"
    " WHERE r.room_id = x.room_id";

// Peak concurrency per hour (migration 0016): the hours in which the batch created or ended
// sessions are computed again from users (a join or leave may land before others already
// counted in its hour). A session ended before it began counts in the hour it began.
constexpr const char* kRefreshPeakHours =
    "SELECT mucstream_refresh_peak_hours(array_agg(h), array_agg(m)) FROM ("
    " SELECT t AS h, domain AS m FROM mucstream_session_changes"
    " UNION ALL SELECT created, domain FROM mucstream_session_changes WHERE d = -1 AND created > t) x";

// A P2P session whose start or end the batch stored is computed again from its events (a
// handful, through events_p2p_sid): an end changes which samples count, and an end or start
// may arrive after the other. The sid is matched with `=` (and events without a sid in a
// branch of their own): `IS NOT DISTINCT FROM` is no index condition, so the planner computed
// every session of the room's month and then filtered them (5.8-21 s for a batch touching 50
// sessions on the 10M-event benchmark, 4.5-12.5 ms as written here).
constexpr const char* kP2PTouched =
    "(SELECT DISTINCT mucstream_domain(room) AS domain, room_id, data->>'sid' AS sid FROM mucstream_fresh"
    " WHERE type IN ('p2p_session_started', 'p2p_session_ended'))";

const std::string kRecomputeP2PSessions =
    std::string("DELETE FROM rollup_p2p_sessions r USING ") + kP2PTouched +
    " t WHERE r.domain = t.domain AND r.room_id = t.room_id AND r.sid IS NOT DISTINCT FROM t.sid;"
    "INSERT INTO rollup_p2p_sessions (domain, room_id, sid, event_id, started, accepted, initiator, responder, ended,"
    "  reason, samples, relayed, duration_seconds)"
    " SELECT v.domain, v.room_id, v.sid, v.event_id, v.started, v.accepted, v.initiator, v.responder, v.ended,"
    "  v.reason, v.samples, v.relayed, v.duration_seconds FROM " + kP2PTouched +
    " t CROSS JOIN LATERAL (SELECT * FROM mucstream_p2p_session_facts f WHERE f.room_id = t.room_id AND f.sid = t.sid"
    "  UNION ALL SELECT * FROM mucstream_p2p_session_facts f"
    "  WHERE t.sid IS NULL AND f.room_id = t.room_id AND f.sid IS NULL) v ORDER BY 1, 2, 4";

// Samples of the other sessions only add: to each session row whose span holds them. Not to
// a call only telemetry reported (migration 0020): its row is the room report's, which
// counts no samples. Each sample finds its session through the room index, one probe per
// sample (OFFSET 0 keeps the subquery a parameterised scan): as a plain join, on a table not
// analysed yet (a new database, a replay) the planner expected 4 sessions and 43 samples and
// compared every sample with every session, 5 million pairs and half a second per batch of
// 5,000 samples.
const std::string kAddP2PSamples =
    std::string("UPDATE rollup_p2p_sessions r SET samples = r.samples + x.n, relayed = r.relayed OR x.relayed"
    " FROM (SELECT s.domain, s.room_id, s.event_id, count(*) AS n, bool_or(mucstream_relayed(f.data)) AS relayed"
    "       FROM mucstream_fresh f CROSS JOIN LATERAL (SELECT s.domain, s.room_id, s.sid, s.event_id"
    "        FROM rollup_p2p_sessions s WHERE s.room_id = f.room_id AND s.sid = f.data->>'sid'"
    "         AND s.domain = mucstream_domain(f.room) AND s.accepted AND s.source = 'jingle'"
    "         AND f.time >= s.started AND (s.ended IS NULL OR f.time <= s.ended) OFFSET 0) s"
    "       WHERE f.type = 'p2p_session_stats' AND NOT EXISTS (SELECT FROM ") + kP2PTouched +
    " t WHERE t.domain = s.domain AND t.room_id = s.room_id AND t.sid = s.sid)"
    "       GROUP BY 1, 2, 3 ORDER BY 1, 2, 3) x"
    " WHERE r.domain = x.domain AND r.room_id = x.room_id AND r.event_id = x.event_id";

}  // namespace

const char* const kCreateRollupTemp =
    "CREATE TEMP TABLE IF NOT EXISTS mucstream_room_changes (room_id uuid, t timestamptz, d int, domain text)"
    " ON COMMIT DELETE ROWS;"
    "CREATE TEMP TABLE IF NOT EXISTS mucstream_session_changes ("
    " room_id uuid, t timestamptz, d int, type text, os text, browser text, domain text, created timestamptz)"
    " ON COMMIT DELETE ROWS";

bool rollup_reads_fresh(EventType t) {
  switch (t) {
    case EventType::p2p_session_started:
    case EventType::p2p_session_stats:
    case EventType::p2p_session_ended:
    case EventType::audio_paused:
    case EventType::audio_resumed:
    case EventType::video_paused:
    case EventType::video_resumed:
    case EventType::screencapture_started:
    case EventType::screencapture_ended:
      return true;
    default:
      return false;
  }
}

void rollup_new_events(pqxx::work& tx, const std::vector<core::Event>& batch) {
  std::map<std::tuple<std::int64_t, std::string_view, EventType>, long long> counts;
  for (const core::Event& e : batch) ++counts[{hour_of(e.time_ms), domain_of(e.room), e.type}];
  ArrayLiteral hours, domains, types, ns;
  for (const auto& [key, n] : counts) {
    hours.add(std::string_view(events::format_time(std::get<0>(key))));
    domains.add(std::get<1>(key));
    types.add(core::to_string(std::get<2>(key)));
    ns.add(n);
  }
  tx.exec_params0(kAddEventsHourly, hours.str(), domains.str(), types.str(), ns.str());
  add_p2p_hours_counted(tx, batch);
}

void rollup_fresh_events(pqxx::work& tx) {
  tx.exec0(kAddFreshEventsHourly);
  add_p2p_hours_fresh(tx);
}

void rollup_changes(pqxx::work& tx, std::uint64_t types) {
  const std::uint64_t rooms = bit(EventType::room_created) | bit(EventType::room_destroyed);
  const std::uint64_t sessions = bit(EventType::occupant_joined) | bit(EventType::occupant_left);
  if (types & (rooms | sessions)) tx.exec0(kAddDaily);
  if (types & rooms) tx.exec0(kAddRooms);
  if (types & bit(EventType::occupant_joined)) tx.exec0(kAddSessionsDaily);
  if (types & sessions) {
    tx.exec0(kAddOccupancy);
    tx.exec(kRefreshPeakHours);
  }
  const std::uint64_t p2p_bounds = bit(EventType::p2p_session_started) | bit(EventType::p2p_session_ended);
  const std::uint64_t media = bit(EventType::audio_paused) | bit(EventType::audio_resumed) |
                              bit(EventType::video_paused) | bit(EventType::video_resumed) |
                              bit(EventType::screencapture_started) | bit(EventType::screencapture_ended);
  if (types & p2p_bounds) tx.exec0(kRecomputeP2PSessions);
  if (types & bit(EventType::p2p_session_stats)) tx.exec0(kAddP2PSamples);
  if (types & media) update_media_sessions(tx);
}

void recompute_rollups(pqxx::connection& conn) {
  pqxx::work tx(conn);
  tx.exec("SELECT mucstream_recompute_rollups()");
  tx.commit();
}

}  // namespace mucstream::sql
