#include "sql/forget.hpp"

#include <algorithm>
#include <cctype>

#include "events/log.hpp"

namespace mucstream::sql {
namespace {

// $1 = the lower-case bare JID, $2 = its pseudonym. The JID's sessions and the nicks they
// used per room (at join, then every nick change) are staged first; every statement after
// reads them.
constexpr const char* kSessions =
    "CREATE TEMP TABLE mucstream_forget_sessions ON COMMIT DROP AS"
    " SELECT sessionid, room_id, nick FROM users WHERE lower(userid) = $1";
constexpr const char* kNicks =
    "CREATE TEMP TABLE mucstream_forget_nicks ON COMMIT DROP AS"
    " SELECT room_id, nick FROM mucstream_forget_sessions"
    " UNION SELECT e.room_id, e.data->>'new_nick' FROM events e JOIN mucstream_forget_sessions s ON e.actor = s.sessionid"
    "  WHERE e.type = 'nick_changed' AND e.data->>'new_nick' IS NOT NULL";

// The nicks of the room of the row at hand, for mucstream_forget_json.
#define ROOM_NICKS(room) \
  "coalesce((SELECT array_agg(n.nick) FROM mucstream_forget_nicks n WHERE n.room_id = " room "), '{}')"
// A text mentions the JID (bare or full: the full JID starts with the bare one).
#define MENTIONS(text) "strpos(lower(" text "), $1) > 0"

// Events: the sessions' own events lose bodies, real JIDs and client details; then every
// event of their rooms, and any other that mentions the JID, is rewritten. Reading every
// event for the mention is a whole scan of events: forgetting is rare, and an event naming
// the JID elsewhere (an affiliation, an invitation, a ban) must not be missed.
constexpr const char* kEvents =
    "UPDATE events e SET data = x.scrubbed FROM ("
    " SELECT e2.id, e2.time, mucstream_forget_json("
    "   CASE WHEN e2.actor IN (SELECT sessionid FROM mucstream_forget_sessions)"
    "        THEN e2.data - 'payload' - 'client' - 'useragent' - 'os' - 'browser' - 'jid' - 'bare_jid'"
    "        ELSE e2.data END, $1, " ROOM_NICKS("e2.room_id") ", $2) AS scrubbed"
    " FROM events e2"
    " WHERE e2.room_id IN (SELECT room_id FROM mucstream_forget_nicks) OR " MENTIONS("e2.data::text") ") x"
    " WHERE e.id = x.id AND e.time = x.time AND e.data IS DISTINCT FROM x.scrubbed";

// rollup_sessions_daily counts sessions per client: the forgotten sessions lose their OS and
// browser below, so their counts move to 'unknown' as a recomputation from users would count
// them, and the day's totals stay.
#define FORGOTTEN_CLIENTS                                                                                   \
  "SELECT mucstream_day(created) AS day, coalesce(domain, '') AS domain, coalesce(type, 'unknown') AS type," \
  " coalesce(os, 'unknown') AS os, coalesce(browser, 'unknown') AS browser, count(*) AS n FROM users"       \
  " WHERE sessionid IN (SELECT sessionid FROM mucstream_forget_sessions)"                                   \
  "  AND (coalesce(os, 'unknown'), coalesce(browser, 'unknown')) <> ('unknown', 'unknown')"                 \
  " GROUP BY 1, 2, 3, 4, 5"
constexpr const char* kSessionsDailyLeave =
    "UPDATE rollup_sessions_daily r SET sessions = r.sessions - f.n FROM (" FORGOTTEN_CLIENTS ") f"
    " WHERE (r.day, r.domain, r.type, r.os, r.browser) = (f.day, f.domain, f.type, f.os, f.browser);"
    "DELETE FROM rollup_sessions_daily WHERE sessions <= 0";
constexpr const char* kSessionsDailyJoin =
    "INSERT INTO rollup_sessions_daily (day, domain, type, os, browser, sessions)"
    " SELECT day, domain, type, 'unknown', 'unknown', sum(n) FROM (" FORGOTTEN_CLIENTS ") f"
    " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    " ON CONFLICT (day, domain, type, os, browser)"
    " DO UPDATE SET sessions = rollup_sessions_daily.sessions + excluded.sessions";
#undef FORGOTTEN_CLIENTS

constexpr const char* kUsers =
    "UPDATE users SET userid = $1, nick = $1, jid = NULL, os = NULL, browser = NULL, useragent = NULL"
    " WHERE sessionid IN (SELECT sessionid FROM mucstream_forget_sessions)";

constexpr const char* kArchiveOwn =
    "UPDATE archive SET payload = NULL, nick = $1, jid = NULL, client_id = NULL"
    " WHERE room_id IN (SELECT room_id FROM mucstream_forget_sessions)"
    "   AND sessionid IN (SELECT sessionid FROM mucstream_forget_sessions)";
constexpr const char* kArchiveRetractions =
    "UPDATE archive a SET retracted_by = $2"
    " WHERE a.room_id IN (SELECT room_id FROM mucstream_forget_nicks) AND a.retracted_by IS NOT NULL"
    "   AND (a.retracted_by IN (SELECT n.nick FROM mucstream_forget_nicks n WHERE n.room_id = a.room_id)"
    "        OR lower(a.retracted_by) = $1 OR left(lower(a.retracted_by), length($1) + 1) = $1 || '/')";

constexpr const char* kRooms =
    "UPDATE rooms r SET creator = x.creator, config = x.config, reports = x.reports, report_state = x.report_state"
    " FROM (SELECT r2.id,"
    "   CASE WHEN lower(r2.creator) = $1 OR left(lower(r2.creator), length($1) + 1) = $1 || '/' THEN $2"
    "        ELSE r2.creator END AS creator,"
    "   mucstream_forget_json(r2.config, $1, " ROOM_NICKS("r2.id") ", $2) AS config,"
    "   mucstream_forget_json(r2.reports, $1, " ROOM_NICKS("r2.id") ", $2) AS reports,"
    "   mucstream_forget_json(r2.report_state, $1, " ROOM_NICKS("r2.id") ", $2) AS report_state"
    "  FROM rooms r2 WHERE r2.id IN (SELECT room_id FROM mucstream_forget_nicks)"
    "   OR " MENTIONS("concat_ws(' ', r2.creator, r2.config::text, r2.reports::text, r2.report_state::text)") ") x"
    " WHERE r.id = x.id AND (r.creator, r.config, r.reports, r.report_state)"
    "   IS DISTINCT FROM (x.creator, x.config, x.reports, x.report_state)";

// Snapshots are text the service parses whole: rewritten through jsonb (key order and
// spacing change, the values do not).
constexpr const char* kSnapshots =
    "UPDATE room_snapshots s SET state = x.state FROM ("
    " SELECT s2.room_jid, mucstream_forget_json(s2.state::jsonb, $1, " ROOM_NICKS("s2.room_id") ", $2)::text AS state"
    " FROM room_snapshots s2 WHERE s2.room_id IN (SELECT room_id FROM mucstream_forget_nicks) OR " MENTIONS("s2.state") ") x"
    " WHERE s.room_jid = x.room_jid AND s.state::jsonb IS DISTINCT FROM x.state::jsonb";

std::string lower_trimmed(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  s.erase(0, s.find_first_not_of(" \t\r\n"));
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::int64_t affected(const pqxx::result& r) { return static_cast<std::int64_t>(r.affected_rows()); }

}  // namespace

ForgetReport forget_user(pqxx::connection& conn, const std::string& bare_jid) {
  const std::string jid = lower_trimmed(bare_jid);
  ForgetReport out;
  pqxx::work tx(conn);
  out.pseudonym = tx.exec_params1("SELECT mucstream_pseudonym($1)", jid)[0].as<std::string>();
  tx.exec_params(kSessions, jid);
  tx.exec0(kNicks);
  out.sessions = tx.exec1("SELECT count(*) FROM mucstream_forget_sessions")[0].as<std::int64_t>();
  out.events = affected(tx.exec_params(kEvents, jid, out.pseudonym));
  tx.exec0(kSessionsDailyJoin);  // before the leave: both read the clients users still hold
  tx.exec0(kSessionsDailyLeave);
  tx.exec_params(kUsers, out.pseudonym);  // both take the pseudonym as $1
  out.archive = affected(tx.exec_params(kArchiveOwn, out.pseudonym));
  out.archive += affected(tx.exec_params(kArchiveRetractions, jid, out.pseudonym));
  out.rooms = affected(tx.exec_params(kRooms, jid, out.pseudonym));
  out.snapshots = affected(tx.exec_params(kSnapshots, jid, out.pseudonym));
  tx.commit();
  events::log_info("forget", "forgot a user as {}: {} sessions, {} events, {} archive rows, {} rooms, {} snapshots",
                   out.pseudonym, out.sessions, out.events, out.archive, out.rooms, out.snapshots);
  return out;
}

}  // namespace mucstream::sql
