#include "sql/writer.hpp"

#include <optional>
#include <tuple>

#include "events/envelope.hpp"

namespace mucstream::sql {
namespace {

// Every statement below is constant text: event content reaches PostgreSQL only through COPY
// (escaped by libpqxx) and parameters, never spliced into SQL.
constexpr const char* kCreateStaging =
    "CREATE TEMP TABLE IF NOT EXISTS mucstream_staging ("
    " id uuid, time timestamptz, type text, room text, room_id uuid, seq bigint,"
    " actor uuid, peer uuid, data jsonb) ON COMMIT DELETE ROWS;"
    "CREATE TEMP TABLE IF NOT EXISTS mucstream_fresh (LIKE mucstream_staging) ON COMMIT DELETE ROWS";

constexpr const char* kInsertEvents =
    "WITH ins AS ("
    " INSERT INTO events (id, time, type, room, room_id, seq, actor, peer, data)"
    " SELECT DISTINCT ON (id) id, time, type, room, room_id, seq, actor, peer, data"
    " FROM mucstream_staging ORDER BY id"
    " ON CONFLICT (id, time) DO NOTHING"
    " RETURNING id, time, type, room, room_id, seq, actor, peer, data)"
    " INSERT INTO mucstream_fresh SELECT * FROM ins";

// jsonb casts are guarded by jsonb_typeof inside CASE so that odd data can never fail a batch.
constexpr const char* kMaintain[] = {
    // rooms: a new row per room_created
    "INSERT INTO rooms (id, name, jid, created, creator, persistent, config)"
    " SELECT DISTINCT ON (room_id) room_id, split_part(room, '@', 1), room, time, data->>'creator',"
    "  CASE WHEN jsonb_typeof(data#>'{config,persistent}') = 'boolean'"
    "       THEN (data#>'{config,persistent}')::boolean ELSE false END,"
    "  CASE WHEN jsonb_typeof(data->'config') = 'object' THEN (data->'config') - 'password_hash' END"
    " FROM mucstream_fresh WHERE type = 'room_created' ORDER BY room_id, seq"
    " ON CONFLICT (id) DO NOTHING",
    // the latest configuration
    "UPDATE rooms r SET"
    "  config = CASE WHEN jsonb_typeof(f.data->'config') = 'object' THEN (f.data->'config') - 'password_hash'"
    "                ELSE r.config END,"
    "  persistent = CASE WHEN jsonb_typeof(f.data#>'{config,persistent}') = 'boolean'"
    "                    THEN (f.data#>'{config,persistent}')::boolean ELSE r.persistent END"
    " FROM (SELECT DISTINCT ON (room_id) room_id, seq, data FROM mucstream_fresh"
    "       WHERE type = 'room_configured' ORDER BY room_id, seq DESC) f"
    " WHERE r.id = f.room_id AND f.seq > r.last_seq",
    // the latest lock state
    "UPDATE rooms r SET locked = (f.type = 'room_locked')"
    " FROM (SELECT DISTINCT ON (room_id) room_id, seq, type FROM mucstream_fresh"
    "       WHERE type IN ('room_locked', 'room_unlocked') ORDER BY room_id, seq DESC) f"
    " WHERE r.id = f.room_id AND f.seq > r.last_seq",
    "UPDATE rooms r SET ended = f.time, ended_reason = f.data->>'reason'"
    " FROM mucstream_fresh f WHERE f.type = 'room_destroyed' AND r.id = f.room_id AND r.ended IS NULL",
    "UPDATE rooms r SET last_seq = greatest(r.last_seq, f.max_seq),"
    "  last_event = greatest(r.last_event, f.max_time), event_count = r.event_count + f.n"
    " FROM (SELECT room_id, max(seq) AS max_seq, max(time) AS max_time, count(*) AS n"
    "       FROM mucstream_fresh GROUP BY room_id) f"
    " WHERE r.id = f.room_id",
    // users: one row per occupant session
    "INSERT INTO users (sessionid, userid, room_id, nick, jid, role, affiliation, occupant_id,"
    "                   type, os, browser, useragent, created)"
    " SELECT DISTINCT ON (actor) actor, coalesce(data->>'bare_jid', ''), room_id, coalesce(data->>'nick', ''),"
    "  data->>'jid', data->>'role', data->>'affiliation', data->>'occupant_id',"
    "  data#>>'{client,type}', data#>>'{client,os}', data#>>'{client,browser}', data#>>'{client,useragent}', time"
    " FROM mucstream_fresh WHERE type = 'occupant_joined' AND actor IS NOT NULL ORDER BY actor, seq"
    " ON CONFLICT (sessionid) DO NOTHING",
    "UPDATE users u SET ended = f.time, ended_reason = f.data->>'reason'"
    " FROM mucstream_fresh f WHERE f.type = 'occupant_left' AND u.sessionid = f.actor AND u.ended IS NULL",
};

std::optional<std::string> nullable(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

}  // namespace

EventWriter::EventWriter(pqxx::connection& conn) : conn_(conn) {}

WriteResult EventWriter::write(const std::vector<core::Event>& batch) {
  WriteResult result;
  if (batch.empty()) return result;
  pqxx::work tx(conn_);
  if (!prepared_) {
    tx.exec0(kCreateStaging);
  }
  std::set<std::string> new_months;
  for (const core::Event& e : batch) {
    std::string t = events::format_time(e.time_ms);
    std::string month = t.substr(0, 7);
    if (months_.count(month) || new_months.count(month)) continue;
    tx.exec_params("SELECT mucstream_ensure_event_partition($1::timestamptz)", t);
    new_months.insert(std::move(month));
  }
  {
    static const std::vector<std::string> kColumns = {"id",      "time", "type",  "room", "room_id",
                                                      "seq",     "actor", "peer", "data"};
    pqxx::stream_to copy(tx, "mucstream_staging", kColumns);
    for (const core::Event& e : batch) {
      copy << std::make_tuple(e.id, events::format_time(e.time_ms), std::string(core::to_string(e.type)), e.room,
                              e.room_id, static_cast<long long>(e.seq), nullable(e.actor), e.peer,
                              events::encode_value(e.data.is_object() ? e.data : core::Value::object()));
    }
    copy.complete();
  }
  tx.exec0(kInsertEvents);
  result.inserted = tx.exec1("SELECT count(*) FROM mucstream_fresh")[0].as<std::size_t>();
  result.duplicates = batch.size() - result.inserted;
  if (result.inserted > 0)
    for (const char* sql : kMaintain) tx.exec0(sql);
  tx.commit();
  prepared_ = true;
  months_.insert(new_months.begin(), new_months.end());
  return result;
}

}  // namespace mucstream::sql
