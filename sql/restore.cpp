#include "sql/restore.hpp"

#include <chrono>
#include <set>
#include <stdexcept>
#include <string>

#include "core/decide.hpp"
#include "events/log.hpp"
#include "events/room_snapshot.hpp"
#include "sql/stored_event.hpp"

namespace mucstream::sql {
namespace {
constexpr const char* kLog = "restore";

std::int64_t ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t).count();
}

// Snapshots of rooms that have not ended (a snapshot of an earlier lifetime of the JID has
// another room_id and joins no live room).
constexpr const char* kSnapshots =
    "SELECT s.room_id::text, s.seq, s.state FROM room_snapshots s"
    " JOIN rooms r ON r.id = s.room_id WHERE r.ended IS NULL";

// Each live room's events after its snapshot (all of them without one, or when its snapshot
// would not read: $1, an array of room ids). Password hashes are put back from room_secrets
// into the configuration of the events that set them, as replay does.
const std::string kEvents =
    "DECLARE mucstream_restore NO SCROLL CURSOR FOR"
    " SELECT " + std::string(kStoredEventColumns) +
    " FROM (SELECT e.id, e.type, e.room, e.room_id, e.seq, e.actor, e.peer, e.time,"
    "        CASE WHEN k.password_hash IS NULL THEN e.data"
    "             ELSE jsonb_set(e.data, '{config,password_hash}', to_jsonb(k.password_hash)) END AS data"
    "       FROM rooms r"
    "       LEFT JOIN room_snapshots s ON s.room_id = r.id AND NOT (r.id = ANY(%UNREADABLE%::uuid[]))"
    "       JOIN events e ON e.room_id = r.id AND e.seq > coalesce(s.seq, 0)"
    "       LEFT JOIN room_secrets k ON k.event_id = e.id"
    "       WHERE r.ended IS NULL) e"
    " ORDER BY e.room_id, e.seq";

std::string array_literal(const std::set<std::string>& ids) {
  std::string s = "{";
  for (const auto& id : ids) {
    if (s.size() > 1) s += ',';
    s += id;
  }
  return s + "}";
}

}  // namespace

core::Service restore_from_pg(pqxx::connection& conn, RestoreStats* stats) {
  const auto start = std::chrono::steady_clock::now();
  RestoreStats st;
  core::Service svc;
  // Where each room starts: the snapshot's seq (0 = from its first event).
  std::unordered_map<std::string, std::uint64_t> start_seq;
  std::set<std::string> unreadable;
  // One snapshot view of the database for both reads: no event can slip between them.
  pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(conn);
  {
    const pqxx::result rows = tx.exec(kSnapshots);
    start_seq.reserve(rows.size());
    for (const auto& row : rows) {
      const std::string room_id = row[0].as<std::string>();
      const std::uint64_t seq = row[1].as<std::uint64_t>();
      try {
        core::Room r = events::decode_room(std::string_view(row[2].c_str(), row[2].size()));
        if (r.room_id != room_id || r.seq != seq)
          throw std::runtime_error("its state is of room " + r.room_id + " at seq " + std::to_string(r.seq));
        start_seq.emplace(room_id, seq);
        svc.jid_by_room_id[r.room_id] = r.jid;
        std::string jid = r.jid;
        svc.rooms.insert_or_assign(std::move(jid), std::move(r));
        ++st.snapshots;
      } catch (const std::exception& e) {
        ++st.unreadable;
        unreadable.insert(room_id);
        events::log_error(kLog, "snapshot of room {} unusable ({}); replaying its events from the start", room_id,
                          e.what());
      }
    }
  }
  for (const auto& id : unreadable) {  // a bad snapshot's partial room must not stay
    auto it = svc.jid_by_room_id.find(id);
    if (it != svc.jid_by_room_id.end()) {
      svc.rooms.erase(it->second);
      svc.jid_by_room_id.erase(it);
    }
  }
  st.snapshots_ms = ms_since(start);
  std::string declare = kEvents;
  declare.replace(declare.find("%UNREADABLE%"), 12, tx.quote(array_literal(unreadable)));
  tx.exec0(declare);
  std::string room_id;
  std::uint64_t last_seq = 0;
  for (;;) {
    const pqxx::result rows = tx.exec("FETCH 20000 FROM mucstream_restore");
    if (rows.empty()) break;
    for (const auto& row : rows) {
      std::optional<core::Event> stored = event_from_row(row, kLog);
      if (!stored) continue;
      core::Event& e = *stored;
      if (e.room_id != room_id) {
        room_id = e.room_id;
        auto s = start_seq.find(room_id);
        last_seq = s == start_seq.end() ? 0 : s->second;
      }
      if (e.seq != last_seq + 1) {
        ++st.gaps;
        events::log_error(kLog, "room {} ({}): events {}..{} are missing from the store", e.room, e.room_id,
                          last_seq + 1, e.seq - 1);
      }
      last_seq = e.seq;
      core::apply(svc, e);
      ++st.events;
    }
  }
  tx.exec0("CLOSE mucstream_restore");
  tx.commit();
  st.rooms = svc.rooms.size();
  st.total_ms = ms_since(start);
  events::log_info(kLog, "restored {} rooms ({} from snapshots) and {} events in {} ms", st.rooms, st.snapshots,
                   st.events, st.total_ms);
  if (stats) *stats = st;
  return svc;
}

}  // namespace mucstream::sql
