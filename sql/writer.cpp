#include "sql/writer.hpp"

#include <cctype>
#include <map>
#include <optional>
#include <tuple>

#include "core/room_report.hpp"
#include "events/envelope.hpp"
#include "sql/archive_writer.hpp"
#include "sql/media_session_rollups.hpp"
#include "sql/reports.hpp"
#include "sql/rollups.hpp"
#include "sql/telemetry_calls.hpp"

namespace mucstream::sql {
namespace {

// Every statement below is constant text: event content reaches PostgreSQL only through COPY
// (escaped by libpqxx) and parameters, never spliced into SQL.
constexpr const char* kCreateTemp =
    "CREATE TEMP TABLE IF NOT EXISTS mucstream_staging ("
    " id uuid, time timestamptz, type text, room text, room_id uuid, seq bigint,"
    " actor uuid, peer uuid, data jsonb) ON COMMIT DELETE ROWS;"
    "CREATE TEMP TABLE IF NOT EXISTS mucstream_fresh (LIKE mucstream_staging) ON COMMIT DELETE ROWS;"
    "CREATE TEMP TABLE IF NOT EXISTS mucstream_room_counts ("
    " room_id uuid, max_seq bigint, max_time timestamptz, n bigint) ON COMMIT DELETE ROWS";

// The deduplicating path: only rows not stored yet reach events, and mucstream_fresh.
constexpr const char* kInsertEvents =
    "WITH ins AS ("
    " INSERT INTO events (id, time, type, room, room_id, seq, actor, peer, data)"
    " SELECT DISTINCT ON (id) id, time, type, room, room_id, seq, actor, peer, data"
    " FROM mucstream_staging ORDER BY id"
    " ON CONFLICT (id, time) DO NOTHING"
    " RETURNING id, time, type, room, room_id, seq, actor, peer, data)"
    " INSERT INTO mucstream_fresh SELECT * FROM ins";

constexpr const char* kCountFresh =
    "INSERT INTO mucstream_room_counts"
    " SELECT room_id, max(seq), max(time), count(*) FROM mucstream_fresh GROUP BY room_id";

using core::EventType;
constexpr std::uint64_t bit(EventType t) { return std::uint64_t{1} << static_cast<int>(t); }
static_assert(core::kEventTypeCount <= 64);

// Statements keeping rooms/users, each with the event types it reads (0: always needed), so a
// batch of only messages runs one statement instead of seven.
struct Maintenance {
  std::uint64_t types;
  const char* sql;
};

// jsonb casts are guarded by jsonb_typeof inside CASE so that odd data can never fail a batch.
constexpr Maintenance kMaintain[] = {
    // Password hashes live in room_secrets, which analysts cannot read, and never in
    // events.data: stripped in the transaction that stores the event (migration 0007).
    {bit(EventType::room_created) | bit(EventType::room_configured),
        "INSERT INTO room_secrets (event_id, room_id, password_hash)"
        " SELECT id, room_id, data#>>'{config,password_hash}' FROM mucstream_fresh"
        " WHERE type IN ('room_created', 'room_configured')"
        "  AND jsonb_typeof(data#>'{config,password_hash}') = 'string' AND data#>>'{config,password_hash}' <> ''"
        " ON CONFLICT (event_id) DO NOTHING;"
        "UPDATE events e SET data = e.data #- '{config,password_hash}' FROM mucstream_fresh f"
        " WHERE f.type IN ('room_created', 'room_configured') AND f.data #> '{config,password_hash}' IS NOT NULL"
        "  AND e.id = f.id AND e.time = f.time"},
    // an ended room is never restored: its hashes go
    {bit(EventType::room_destroyed),
        "DELETE FROM room_secrets s USING mucstream_fresh f WHERE f.type = 'room_destroyed' AND s.room_id = f.room_id"},
    // rooms: a new row per room_created
    // (each statement creating or ending rooms and users rows records what it changed in
    // the change tables the rollups read, sql/rollups.hpp)
    {bit(EventType::room_created),
        "WITH ins AS ("
        "INSERT INTO rooms (id, name, jid, created, creator, persistent, config)"
        " SELECT DISTINCT ON (room_id) room_id, split_part(room, '@', 1), room, time, data->>'creator',"
        "  CASE WHEN jsonb_typeof(data#>'{config,persistent}') = 'boolean'"
        "       THEN (data#>'{config,persistent}')::boolean ELSE false END,"
        "  CASE WHEN jsonb_typeof(data->'config') = 'object' THEN (data->'config') - 'password_hash' END"
        " FROM mucstream_fresh WHERE type = 'room_created' ORDER BY room_id, seq"
        " ON CONFLICT (id) DO NOTHING RETURNING id, created, domain)"
        " INSERT INTO mucstream_room_changes SELECT id, created, 1, domain FROM ins"},
    // the latest configuration
    {bit(EventType::room_configured),
        "UPDATE rooms r SET"
        "  config = CASE WHEN jsonb_typeof(f.data->'config') = 'object' THEN (f.data->'config') - 'password_hash'"
        "                ELSE r.config END,"
        "  persistent = CASE WHEN jsonb_typeof(f.data#>'{config,persistent}') = 'boolean'"
        "                    THEN (f.data#>'{config,persistent}')::boolean ELSE r.persistent END"
        " FROM (SELECT DISTINCT ON (room_id) room_id, seq, data FROM mucstream_fresh"
        "       WHERE type = 'room_configured' ORDER BY room_id, seq DESC) f"
        " WHERE r.id = f.room_id AND f.seq > r.last_seq"},
    // the latest lock state
    {bit(EventType::room_locked) | bit(EventType::room_unlocked),
        "UPDATE rooms r SET locked = (f.type = 'room_locked')"
        " FROM (SELECT DISTINCT ON (room_id) room_id, seq, type FROM mucstream_fresh"
        "       WHERE type IN ('room_locked', 'room_unlocked') ORDER BY room_id, seq DESC) f"
        " WHERE r.id = f.room_id AND f.seq > r.last_seq"},
    {bit(EventType::room_destroyed),
        "WITH upd AS ("
        "UPDATE rooms r SET ended = f.time, ended_reason = f.data->>'reason'"
        " FROM mucstream_fresh f WHERE f.type = 'room_destroyed' AND r.id = f.room_id AND r.ended IS NULL"
        " RETURNING r.id, r.ended, r.domain)"
        " INSERT INTO mucstream_room_changes SELECT id, ended, -1, domain FROM upd"},
    {0,
        "UPDATE rooms r SET last_seq = greatest(r.last_seq, f.max_seq),"
        "  last_event = greatest(r.last_event, f.max_time), event_count = r.event_count + f.n"
        " FROM mucstream_room_counts f WHERE r.id = f.room_id"},
    // users: one row per occupant session, of the joined room's domain (its tenant)
    {bit(EventType::occupant_joined),
        "WITH ins AS ("
        "INSERT INTO users (sessionid, userid, room_id, nick, jid, role, affiliation, occupant_id,"
        "                   type, os, browser, useragent, created, domain)"
        " SELECT DISTINCT ON (actor) actor, coalesce(data->>'bare_jid', ''), room_id, coalesce(data->>'nick', ''),"
        "  data->>'jid', data->>'role', data->>'affiliation', data->>'occupant_id',"
        "  data#>>'{client,type}', data#>>'{client,os}', data#>>'{client,browser}', data#>>'{client,useragent}', time,"
        "  split_part(room, '@', 2)"
        " FROM mucstream_fresh WHERE type = 'occupant_joined' AND actor IS NOT NULL ORDER BY actor, seq"
        " ON CONFLICT (sessionid) DO NOTHING RETURNING room_id, created, type, os, browser, domain)"
        " INSERT INTO mucstream_session_changes SELECT room_id, created, 1, type, os, browser, domain FROM ins"},
    {bit(EventType::occupant_left),
        "WITH upd AS ("
        "UPDATE users u SET ended = f.time, ended_reason = f.data->>'reason'"
        " FROM mucstream_fresh f WHERE f.type = 'occupant_left' AND u.sessionid = f.actor AND u.ended IS NULL"
        " RETURNING u.room_id, u.ended, u.domain, u.created)"
        " INSERT INTO mucstream_session_changes (room_id, t, d, domain, created)"
        " SELECT room_id, ended, -1, domain, created FROM upd"},
};

const std::vector<std::string> kColumns = {"id", "time", "type", "room", "room_id", "seq", "actor", "peer", "data"};

std::optional<std::string> nullable(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

void copy_events(pqxx::work& tx, const char* table, const std::vector<const core::Event*>& events) {
  pqxx::stream_to copy(tx, table, kColumns);
  for (const core::Event* e : events) {
    copy << std::make_tuple(e->id, events::format_time(e->time_ms), std::string(core::to_string(core::type_of(e->data))), e->room,
                            e->room_id, static_cast<long long>(e->seq), nullable(e->actor), e->peer,
                            events::encode_data(e->data));
  }
  copy.complete();
}

// Events that change rooms or users rows (the rest only count).
bool changes_rows(core::EventType t) {
  using T = core::EventType;
  return t == T::room_created || t == T::room_configured || t == T::room_locked || t == T::room_unlocked ||
         t == T::room_destroyed || t == T::occupant_joined || t == T::occupant_left;
}

// The report-relevant events of `batch` that this transaction stored (in mucstream_fresh):
// a redelivered event was folded when it was first stored and must not count twice.
FreshByRoom fresh_reports(pqxx::work& tx, const std::vector<core::Event>& batch) {
  FreshByRoom out;
  bool any = false;
  for (const core::Event& e : batch) any = any || core::report_relevant(e.type);
  if (!any) return out;
  std::set<std::string> fresh;
  for (const auto& row : tx.exec("SELECT id::text FROM mucstream_fresh")) fresh.insert(row[0].as<std::string>());
  std::set<std::string> taken;  // a batch may carry one event twice
  for (const core::Event& e : batch) {
    if (!core::report_relevant(e.type)) continue;
    std::string id = e.id;
    for (char& c : id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (fresh.count(id) && taken.insert(id).second) out[e.room_id].push_back(&e);
  }
  return out;
}

}  // namespace

EventWriter::EventWriter(pqxx::connection& conn) : conn_(conn) {}

void EventWriter::ensure_partitions(pqxx::work& tx, const std::vector<core::Event>& batch,
                                    std::set<std::string>& created) {
  for (const core::Event& e : batch) {
    std::string t = events::format_time(e.time_ms);
    std::string month = t.substr(0, 7);
    if (months_.count(month) || created.count(month)) continue;
    tx.exec_params("SELECT mucstream_ensure_event_partition($1::timestamptz)", t);
    created.insert(std::move(month));
  }
}

void EventWriter::maintain(pqxx::work& tx, std::uint64_t types) {
  for (const Maintenance& m : kMaintain)
    if (m.types == 0 || (m.types & types) != 0) tx.exec0(m.sql);
}

WriteResult EventWriter::write(const std::vector<core::Event>& batch) {
  if (batch.empty()) return {};
  if (!prepared_) {
    pqxx::work tx(conn_);
    tx.exec0(kCreateTemp);
    tx.exec0(kCreateRollupTemp);
    tx.exec0(kCreateMediaRollupTemp);
    tx.commit();
    prepared_ = true;
  }
  try {
    return write_new(batch);
  } catch (const pqxx::unique_violation&) {
    return write_dedup(batch);  // some of the batch is stored already: a redelivery
  }
}

// The common case, all new: COPY straight into events (as fast as a raw COPY), plus the few
// rows rooms/users need and per-room counters computed here. Any duplicate id makes the COPY
// fail with a unique violation and the caller falls back to write_dedup().
WriteResult EventWriter::write_new(const std::vector<core::Event>& batch) {
  pqxx::work tx(conn_);
  std::set<std::string> created;
  ensure_partitions(tx, batch, created);
  std::vector<const core::Event*> all, relevant;
  all.reserve(batch.size());
  struct Counts {
    std::uint64_t max_seq = 0;
    std::int64_t max_time = 0;
    long long n = 0;
  };
  std::map<std::string, Counts> counts;
  FreshByRoom reports;
  std::uint64_t types = 0;
  for (const core::Event& e : batch) {
    all.push_back(&e);
    types |= bit(e.type);
    if (changes_rows(e.type) || rollup_reads_fresh(e.type)) relevant.push_back(&e);
    if (core::report_relevant(e.type)) reports[e.room_id].push_back(&e);
    Counts& c = counts[e.room_id];
    if (c.n == 0 || e.seq > c.max_seq) c.max_seq = e.seq;
    if (c.n == 0 || e.time_ms > c.max_time) c.max_time = e.time_ms;
    ++c.n;
  }
  copy_events(tx, "events", all);
  if (!relevant.empty()) copy_events(tx, "mucstream_fresh", relevant);
  // The archive reads each room's stored configuration: before maintain() moves it on.
  if (touches_archive(batch)) {
    store_archive_rows(tx, batch, nullptr);
    apply_archive_changes(tx, batch);
  }
  // Room reports: states read (and their rows locked) now, stored once the rows exist. A
  // batch without report-relevant events runs exactly the statements it ran before reports.
  const std::map<std::string, FoldedReport> folded = fold_new_events(tx, reports);
  {
    pqxx::stream_to copy(tx, "mucstream_room_counts", std::vector<std::string>{"room_id", "max_seq", "max_time", "n"});
    for (const auto& [room_id, c] : counts)
      copy << std::make_tuple(room_id, static_cast<long long>(c.max_seq), events::format_time(c.max_time), c.n);
    copy.complete();
  }
  maintain(tx, types);
  rollup_new_events(tx, batch);
  rollup_changes(tx, types);
  store_reports(tx, folded);
  refresh_telemetry_calls(tx, folded);
  tx.commit();
  months_.insert(created.begin(), created.end());
  return {batch.size(), 0};
}

// Redelivery: COPY into staging, INSERT … ON CONFLICT DO NOTHING, and rooms/users updated
// from exactly the rows that were new.
WriteResult EventWriter::write_dedup(const std::vector<core::Event>& batch) {
  pqxx::work tx(conn_);
  std::set<std::string> created;
  ensure_partitions(tx, batch, created);
  std::vector<const core::Event*> all;
  all.reserve(batch.size());
  for (const core::Event& e : batch) all.push_back(&e);
  copy_events(tx, "mucstream_staging", all);
  tx.exec0(kInsertEvents);
  WriteResult result;
  result.inserted = tx.exec1("SELECT count(*) FROM mucstream_fresh")[0].as<std::size_t>();
  result.duplicates = batch.size() - result.inserted;
  if (touches_archive(batch)) {
    if (result.inserted > 0) {
      std::set<std::string> fresh;
      for (const auto& row : tx.exec("SELECT id::text FROM mucstream_fresh WHERE type = 'message_sent'"))
        fresh.insert(row[0].as<std::string>());
      store_archive_rows(tx, batch, &fresh);
    }
    apply_archive_changes(tx, batch);  // idempotent: also when nothing was new
  }
  if (result.inserted > 0) {
    tx.exec0(kCountFresh);
    maintain(tx, ~std::uint64_t{0});
    rollup_fresh_events(tx);
    rollup_changes(tx, ~std::uint64_t{0});
    fold_reports(tx, fresh_reports(tx, batch));
  }
  tx.commit();
  months_.insert(created.begin(), created.end());
  return result;
}

}  // namespace mucstream::sql
