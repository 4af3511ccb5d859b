#include "sql/orphans.hpp"

#include "events/log.hpp"
#include "sql/uuid_array.hpp"

namespace mucstream::sql {
namespace {

// Sessions first, while their rooms are open and tell when they were last seen. Only rows of
// open rooms are read (rooms_active, users_room), and NOT IN a subquery is hashed once.
// The hours the closed sessions now end in get their peak rows computed again (migration 0016).
constexpr const char* kUsers =
    "WITH upd AS ("
    "UPDATE users u SET ended = greatest(u.created, coalesce(r.last_event, u.created)), ended_reason = 'orphaned'"
    " FROM rooms r WHERE r.ended IS NULL AND r.id = u.room_id AND u.ended IS NULL"
    " AND u.created < to_timestamp($2::double precision) AND u.sessionid NOT IN (SELECT unnest($1::uuid[]))"
    " AND (cardinality($3::text[]) = 0 OR split_part(r.jid, '@', 2) = ANY($3::text[]))"
    " RETURNING u.ended, u.domain)"
    " SELECT count(*), array_agg(ended), array_agg(domain) FROM upd";
constexpr const char* kRefreshPeakHours = "SELECT mucstream_refresh_peak_hours($1::timestamptz[], $2::text[])";
constexpr const char* kRooms =
    "UPDATE rooms SET ended = greatest(created, coalesce(last_event, created)), ended_reason = 'orphaned'"
    " WHERE ended IS NULL AND created < to_timestamp($2::double precision) AND id NOT IN (SELECT unnest($1::uuid[]))"
    " AND (cardinality($3::text[]) = 0 OR split_part(jid, '@', 2) = ANY($3::text[]))";

// A text[] literal of the domains (each quoted; host names hold neither quotes nor backslashes,
// escaped anyway).
std::string text_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (const std::string& item : items) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char ch : item) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    out += '"';
  }
  return out + "}";
}

}  // namespace

LiveIds live_ids(const core::Service& restored, std::chrono::system_clock::time_point before) {
  LiveIds ids;
  ids.before = before;
  for (const auto& [jid, r] : restored.rooms) {
    ids.rooms.push_back(r.room_id);
    for (const auto& [nick, o] : r.occupants)
      for (const core::Session& s : o.sessions) ids.sessions.push_back(s.id);
  }
  return ids;
}

OrphanStats close_orphans(pqxx::connection& conn, const LiveIds& live) {
  using namespace std::chrono;
  const double before = static_cast<double>(duration_cast<microseconds>(live.before.time_since_epoch()).count()) / 1e6;
  pqxx::work tx(conn);
  OrphanStats st;
  const std::string domains = text_array(live.domains);
  const pqxx::row closed = tx.exec_params1(kUsers, uuid_array(live.sessions), before, domains);
  st.users = static_cast<std::size_t>(closed[0].as<long long>());
  // a separate statement: it must see the users rows the update above changed
  if (st.users > 0) tx.exec_params(kRefreshPeakHours, closed[1].as<std::string>(), closed[2].as<std::string>());
  st.rooms = static_cast<std::size_t>(tx.exec_params(kRooms, uuid_array(live.rooms), before, domains).affected_rows());
  tx.commit();
  if (st.rooms > 0 || st.users > 0)
    events::log_warn("orphans", "closed {} rooms and {} sessions left open in PostgreSQL that the restored log does not hold",
                     st.rooms, st.users);
  return st;
}

}  // namespace mucstream::sql
