#include "sql/retention.hpp"

#include "events/log.hpp"

namespace mucstream::sql {
namespace {

constexpr const char* kLog = "retention";
// Any constant distinct from the other advisory locks (partition creation, migrations).
constexpr const char* kLockKey = "hashtext('mucstream_retention')";

// The limit of a class as of now: to_timestamp(now) - days.
constexpr const char* kCutoff = "to_timestamp($1::double precision / 1000) - make_interval(days => $2::int)";

// Every partition of events with its upper bound, read from the catalogue rather than from
// the names mucstream_ensure_event_partition() gives, so partitions an operator attached
// by hand are handled alike. pg_get_expr prints the bound as
// FOR VALUES FROM ('…') TO ('…') in the session's time zone, with its offset.
constexpr const char* kPartitions =
    "SELECT c.relname, p.until::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
    " CROSS JOIN LATERAL (SELECT (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']*)''\\)'))[1]::timestamptz"
    "                     AS until) p"
    " WHERE i.inhparent = 'events'::regclass AND p.until <= ";

// A restore from PostgreSQL replays a live room's events after its snapshot (all of them
// without one): a partition holding such events must stay.
std::string held_by(pqxx::work& tx, const std::string& partition) {
  const pqxx::result r = tx.exec(
      "SELECT r.jid FROM " + tx.quote_name(partition) +
      " e JOIN rooms r ON r.id = e.room_id AND r.ended IS NULL"
      " LEFT JOIN room_snapshots s ON s.room_id = r.id WHERE s.seq IS NULL OR e.seq > s.seq LIMIT 1");
  if (r.empty()) return "";
  return "live room " + r[0][0].as<std::string>() + " has events in it that no snapshot covers";
}

void events_class(pqxx::connection& conn, int days, std::int64_t now_ms, bool apply, PurgeReport& out) {
  pqxx::work tx(conn);
  const pqxx::result parts =
      tx.exec_params(std::string(kPartitions) + kCutoff + " ORDER BY p.until", now_ms, days);
  for (const auto& row : parts) {
    PurgeReport::Partition p;
    p.name = row[0].as<std::string>();
    p.until = row[1].as<std::string>();
    p.events = tx.exec1("SELECT count(*) FROM " + tx.quote_name(p.name))[0].as<std::int64_t>();
    p.held_by = held_by(tx, p.name);
    out.partitions.push_back(p);
  }
  tx.commit();
  if (!apply) return;
  for (const PurgeReport::Partition& p : out.partitions) {
    if (!p.held_by.empty()) {
      events::log_warn(kLog, "kept partition {}: {}", p.name, p.held_by);
      continue;
    }
    // Detaching locks events exclusively for a moment. While the purge waits for that lock,
    // the materialiser's inserts queue behind it: behind a long analyst query the purge gives
    // up after 2 s (the run fails and is retried at the next interval) rather than stall them.
    pqxx::work drop(conn);
    drop.exec0("SET LOCAL lock_timeout = '2s'");
    if (!held_by(drop, p.name).empty()) continue;  // a room re-created since the look above
    drop.exec0("ALTER TABLE events DETACH PARTITION " + drop.quote_name(p.name));
    drop.exec0("DROP TABLE " + drop.quote_name(p.name));
    drop.commit();
    ++out.partitions_dropped;
    out.events_dropped += p.events;
    events::log_info(kLog, "dropped partition {} ({} events before {})", p.name, p.events, p.until);
  }
}

std::int64_t affected(const pqxx::result& r) { return static_cast<std::int64_t>(r.affected_rows()); }

// Where the last run of a class stopped, less a day: events materialised late (a
// materialiser catching up) land behind the mark, and the day takes them in.
std::string since(pqxx::work& tx, const char* data_class) {
  const pqxx::result r = tx.exec_params(
      "SELECT (done_until - interval '1 day')::text FROM retention_progress WHERE data_class = $1", data_class);
  return r.empty() ? "-infinity" : r[0][0].as<std::string>();
}

void mark(pqxx::work& tx, const char* data_class, std::int64_t now_ms, int days) {
  tx.exec_params(std::string("INSERT INTO retention_progress (data_class, done_until) VALUES ($3, ") + kCutoff +
                     ") ON CONFLICT (data_class) DO UPDATE SET done_until = greatest(retention_progress.done_until,"
                     " EXCLUDED.done_until)",
                 now_ms, days, data_class);
}

// Bodies: the archive's payload and the events' `payload`. The archive has no index on time
// alone, so its part is one sequential pass per run (rows already cleared are skipped).
void bodies_class(pqxx::connection& conn, int days, std::int64_t now_ms, bool apply, PurgeReport& out) {
  pqxx::work tx(conn);
  const std::string from = since(tx, "bodies");
  const std::string range = "time >= $3::timestamptz AND time < " + std::string(kCutoff);
  const std::string archive_where = "payload IS NOT NULL AND " + range;
  const std::string events_where = "type IN ('message_sent', 'message_corrected') AND " + range + " AND data ? 'payload'";
  if (!apply) {
    out.bodies = tx.exec_params1("SELECT (SELECT count(*) FROM archive WHERE " + archive_where +
                                     ") + (SELECT count(*) FROM events WHERE " + events_where + ")",
                                 now_ms, days, from)[0]
                     .as<std::int64_t>();
    return;
  }
  out.bodies = affected(tx.exec_params("UPDATE archive SET payload = NULL WHERE " + archive_where, now_ms, days, from));
  out.bodies += affected(
      tx.exec_params("UPDATE events SET data = data - 'payload' WHERE " + events_where, now_ms, days, from));
  mark(tx, "bodies", now_ms, days);
  tx.commit();
}

// Personal fields of sessions that ended before the limit (a session still present keeps
// them: the service needs its real JID while it lasts), and the real JIDs and user agents in
// that period's events and archive rows.
void personal_class(pqxx::connection& conn, int days, std::int64_t now_ms, bool apply, PurgeReport& out) {
  pqxx::work tx(conn);
  const std::string from = since(tx, "personal");
  const std::string sessions_where = "ended IS NOT NULL AND ended >= $3::timestamptz AND ended < " +
                                     std::string(kCutoff) +
                                     " AND (jid IS NOT NULL OR useragent IS NOT NULL OR userid NOT LIKE 'anon-%')";
  if (!apply) {
    out.sessions =
        tx.exec_params1("SELECT count(*) FROM users WHERE " + sessions_where, now_ms, days, from)[0].as<std::int64_t>();
    return;
  }
  out.sessions = affected(tx.exec_params(
      "UPDATE users SET userid = mucstream_pseudonym(userid), jid = NULL, useragent = NULL WHERE " + sessions_where,
      now_ms, days, from));
  // A session still present keeps its real JID in its events too: a restore from PostgreSQL
  // replays them to route its stanzas.
  const std::string range = "time >= $3::timestamptz AND time < " + std::string(kCutoff) +
                            " AND NOT EXISTS (SELECT 1 FROM users u WHERE u.sessionid = events.actor AND u.ended IS NULL)";
  tx.exec_params("UPDATE events SET data = data - 'jid' - 'bare_jid' #- '{client,useragent}'"
                 " WHERE type = 'occupant_joined' AND " + range +
                     " AND (data ? 'jid' OR data ? 'bare_jid' OR data #> '{client,useragent}' IS NOT NULL)",
                 now_ms, days, from);
  tx.exec_params("UPDATE events SET data = data - 'jid'"
                 " WHERE type IN ('message_sent', 'message_corrected', 'voice_requested') AND " + range + " AND data ? 'jid'",
                 now_ms, days, from);
  // The JIDs other events name (creators, affiliations, invitations, who kicked or banned),
  // in rooms that ended: a live room's restore replays its affiliations by JID.
  tx.exec_params("UPDATE events SET data = mucstream_pseudonymise_json(data)"
                 " WHERE type IN ('room_created', 'room_configured', 'room_destroyed', 'room_locked', 'room_unlocked',"
                 "  'affiliation_changed', 'role_changed', 'occupant_left', 'invitation_sent', 'invitation_declined',"
                 "  'message_sent', 'message_retracted')"
                 " AND time >= $3::timestamptz AND time < " + std::string(kCutoff) +
                     " AND strpos(data::text, '@') > 0"
                     " AND NOT EXISTS (SELECT 1 FROM rooms r WHERE r.id = events.room_id AND r.ended IS NULL)"
                     " AND mucstream_pseudonymise_json(data) IS DISTINCT FROM data",
                 now_ms, days, from);
  // Reports and creators of rooms that ended before the limit (a live room's report keeps its
  // participants' JIDs while the room lasts).
  tx.exec_params("UPDATE rooms SET reports = mucstream_pseudonymise_json(reports),"
                 " report_state = mucstream_pseudonymise_json(report_state),"
                 " creator = CASE WHEN strpos(creator, '@') > 0 THEN mucstream_pseudonym(creator) ELSE creator END"
                 " WHERE ended IS NOT NULL AND ended >= $3::timestamptz AND ended < " + std::string(kCutoff),
                 now_ms, days, from);
  tx.exec_params("UPDATE archive SET jid = NULL WHERE jid IS NOT NULL AND time >= $3::timestamptz AND time < " +
                     std::string(kCutoff),
                 now_ms, days, from);
  mark(tx, "personal", now_ms, days);
  tx.commit();
}

void unlock(pqxx::connection& conn) {
  try {
    pqxx::nontransaction tx(conn);
    tx.exec(std::string("SELECT pg_advisory_unlock(") + kLockKey + ")");
  } catch (const std::exception&) {
    // a broken connection released the lock with its session
  }
}

}  // namespace

PurgeReport purge(pqxx::connection& conn, const RetentionPolicy& policy, std::int64_t now_ms, bool apply) {
  PurgeReport out;
  out.applied = apply;
  if (apply) {
    pqxx::nontransaction lock(conn);
    if (!lock.exec1(std::string("SELECT pg_try_advisory_lock(") + kLockKey + ")")[0].as<bool>()) {
      out.skipped = true;
      return out;
    }
  }
  try {
    if (policy.events_days > 0) events_class(conn, policy.events_days, now_ms, apply, out);
    if (policy.bodies_days > 0) bodies_class(conn, policy.bodies_days, now_ms, apply, out);
    if (policy.personal_days > 0) personal_class(conn, policy.personal_days, now_ms, apply, out);
  } catch (...) {
    if (apply) unlock(conn);
    throw;
  }
  if (apply) unlock(conn);
  return out;
}

}  // namespace mucstream::sql
