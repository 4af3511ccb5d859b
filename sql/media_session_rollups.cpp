#include "sql/media_session_rollups.hpp"

#include <string>

namespace mucstream::sql {

const char* const kCreateMediaRollupTemp =
    "CREATE TEMP TABLE IF NOT EXISTS mucstream_media_fresh ("
    " domain text, room_id uuid, actor uuid, kind text, pause bool, time timestamptz, seq bigint)"
    " ON COMMIT DELETE ROWS;"
    "CREATE TEMP TABLE IF NOT EXISTS mucstream_media_touched (domain text, room_id uuid, actor uuid, extend bool)"
    " ON COMMIT DELETE ROWS";

namespace {

// The media event types, in both statements that select a session's media events.
#define MEDIA_EVENT_TYPES                                                                      \
  "('audio_paused', 'audio_resumed', 'video_paused', 'video_resumed', 'screencapture_started', " \
  "'screencapture_ended')"

// The batch's media events, each with its kind and whether it opens an interval (a pause,
// a share's start) or closes one.
constexpr const char* kCollect =
    "INSERT INTO mucstream_media_fresh"
    " SELECT mucstream_domain(room), room_id, actor,"
    "  CASE WHEN type IN ('audio_paused', 'audio_resumed') THEN 'audio'"
    "       WHEN type IN ('video_paused', 'video_resumed') THEN 'video' ELSE 'screen' END,"
    "  type IN ('audio_paused', 'video_paused', 'screencapture_started'), time, seq"
    " FROM mucstream_fresh"
    " WHERE type IN " MEDIA_EVENT_TYPES " AND actor IS NOT NULL";

// A session's row is extended only when its new events come after the row's last event in
// seq and in time, and are in time order among themselves: then "the first resume at or
// after a pause's time with a greater seq" (mucstream_media_session_facts' pairing) is the
// next resume in the new events' order, and no closed interval of the row can change.
constexpr const char* kClassify =
    "INSERT INTO mucstream_media_touched"
    " SELECT f.domain, f.room_id, f.actor,"
    "  coalesce(bool_and(f.in_order) AND min(f.seq) > r.last_seq AND min(f.time) >= r.last_time, false)"
    " FROM (SELECT domain, room_id, actor, seq, time,"
    "        time >= coalesce(lag(time) OVER (PARTITION BY domain, room_id, actor ORDER BY seq), time) AS in_order"
    "       FROM mucstream_media_fresh) f"
    " LEFT JOIN rollup_media_sessions r ON r.domain = f.domain AND r.session = f.actor AND r.room_id = f.room_id"
    " GROUP BY f.domain, f.room_id, f.actor, r.last_seq, r.last_time"
    " RETURNING extend";

// The row's open intervals (as opened before every new event: seq 0) and the new events, in
// time order per kind; each opening is closed by the first closing after it.
constexpr const char* kExtend =
    "UPDATE rollup_media_sessions r SET"
    "  joined = coalesce(r.joined, (SELECT u.created FROM users u WHERE u.sessionid = r.session)),"
    "  audio_paused_seconds = r.audio_paused_seconds + n.audio_seconds,"
    "  video_paused_seconds = r.video_paused_seconds + n.video_seconds,"
    "  screen_share_seconds = r.screen_share_seconds + n.screen_seconds,"
    "  screen_shares = r.screen_shares + n.shares,"
    "  audio_open = n.audio_open, video_open = n.video_open, screen_open = n.screen_open,"
    "  last_seq = n.last_seq, last_time = n.last_time"
    " FROM (SELECT domain, room_id, actor,"
    "   coalesce(sum(extract(epoch FROM closed - time)::float8)"
    "            FILTER (WHERE kind = 'audio' AND pause AND closed IS NOT NULL), 0) AS audio_seconds,"
    "   coalesce(sum(extract(epoch FROM closed - time)::float8)"
    "            FILTER (WHERE kind = 'video' AND pause AND closed IS NOT NULL), 0) AS video_seconds,"
    "   coalesce(sum(extract(epoch FROM closed - time)::float8)"
    "            FILTER (WHERE kind = 'screen' AND pause AND closed IS NOT NULL), 0) AS screen_seconds,"
    "   count(*) FILTER (WHERE kind = 'screen' AND pause AND seq > 0) AS shares,"
    "   array_agg(time ORDER BY time) FILTER (WHERE kind = 'audio' AND pause AND closed IS NULL) AS audio_open,"
    "   array_agg(time ORDER BY time) FILTER (WHERE kind = 'video' AND pause AND closed IS NULL) AS video_open,"
    "   array_agg(time ORDER BY time) FILTER (WHERE kind = 'screen' AND pause AND closed IS NULL) AS screen_open,"
    "   max(seq) AS last_seq, max(time) AS last_time"
    "  FROM (SELECT p.*, min(p.time) FILTER (WHERE NOT p.pause) OVER (PARTITION BY p.domain, p.room_id, p.actor, p.kind"
    "          ORDER BY p.time, p.seq ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS closed"
    "        FROM (SELECT f.domain, f.room_id, f.actor, f.kind, f.pause, f.time, f.seq"
    "              FROM mucstream_media_fresh f JOIN mucstream_media_touched t"
    "               ON t.domain = f.domain AND t.room_id = f.room_id AND t.actor = f.actor AND t.extend"
    "              UNION ALL"
    "              SELECT s.domain, s.room_id, s.session, o.kind, true, o.time, 0"
    "              FROM mucstream_media_touched t JOIN rollup_media_sessions s"
    "               ON s.domain = t.domain AND s.room_id = t.room_id AND s.session = t.actor AND t.extend"
    "              CROSS JOIN LATERAL (SELECT 'audio' AS kind, a AS time FROM unnest(s.audio_open) a"
    "                                  UNION ALL SELECT 'video', v FROM unnest(s.video_open) v"
    "                                  UNION ALL SELECT 'screen', c FROM unnest(s.screen_open) c) o) p) y"
    "  GROUP BY domain, room_id, actor) n"
    " WHERE r.domain = n.domain AND r.session = n.actor AND r.room_id = n.room_id";

// Every other touched session from all its media events (through events_calls). OFFSET 0
// keeps each subquery a scan per touched session: flattened, the planner may compute the view
// for every session in `events` and join afterwards, or take the maxima by walking a whole
// index backwards.
constexpr const char* kComputeWhole =
    "DELETE FROM rollup_media_sessions r USING mucstream_media_touched t"
    " WHERE NOT t.extend AND r.domain = t.domain AND r.session = t.actor AND r.room_id = t.room_id;"
    "INSERT INTO rollup_media_sessions (domain, session, room_id, joined, audio_paused_seconds, video_paused_seconds,"
    "  screen_share_seconds, screen_shares, audio_open, video_open, screen_open, last_seq, last_time)"
    " SELECT v.domain, v.session, v.room_id, v.joined, v.audio_paused_seconds, v.video_paused_seconds,"
    "  v.screen_share_seconds, v.screen_shares, v.audio_open, v.video_open, v.screen_open, m.last_seq, m.last_time"
    " FROM mucstream_media_touched t"
    " CROSS JOIN LATERAL (SELECT * FROM mucstream_media_session_facts f"
    "  WHERE f.room_id = t.room_id AND f.session = t.actor OFFSET 0) v"
    " CROSS JOIN LATERAL (SELECT max(e.seq) AS last_seq, max(e.time) AS last_time FROM (SELECT e.seq, e.time"
    "  FROM events e WHERE e.room_id = t.room_id AND e.actor = t.actor AND e.type IN " MEDIA_EVENT_TYPES
    "  OFFSET 0) e) m"
    " WHERE NOT t.extend ORDER BY 1, 2, 3";

#undef MEDIA_EVENT_TYPES

}  // namespace

void update_media_sessions(pqxx::work& tx) {
  tx.exec0(kCollect);
  bool extend = false, whole = false;
  for (const pqxx::row& r : tx.exec(kClassify)) (r[0].as<bool>() ? extend : whole) = true;
  if (extend) tx.exec0(kExtend);
  if (whole) {
    // Planned for a few hundred touched sessions (an unanalysed temporary table) over all of
    // `events`, the statement costs enough to be JIT-compiled, about 370 ms for the handful
    // of sessions a batch computes whole: off for it alone, back to what it was after.
    const std::string jit = tx.exec1("SELECT current_setting('jit'), set_config('jit', 'off', true)")[0].as<std::string>();
    tx.exec0(kComputeWhole);
    tx.exec_params("SELECT set_config('jit', $1, true)", jit);
  }
}

}  // namespace mucstream::sql
