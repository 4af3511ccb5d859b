#include "sql/restore.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>

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
// would not read: the array in %UNREADABLE%). Password hashes are put back from
// room_secrets into the configuration of the events that set them, as replay does. No ORDER
// BY: sorting a million rows costs PostgreSQL more than the rest of the restore, and rows
// come in storage order, which is each room's seq order but for the few the writer moved
// (restore_from_pg puts those back in order).
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
    "       WHERE r.ended IS NULL) e";

std::string array_literal(const std::set<std::string>& ids) {
  std::string s = "{";
  for (const auto& id : ids) {
    if (s.size() > 1) s += ',';
    s += id;
  }
  return s + "}";
}

// fn(i) for i in [0, n), split over two threads: decoding JSON is most of a restore's CPU.
template <class F>
void parallel_for(std::size_t n, F&& fn) {
  const std::size_t half = n < 256 ? n : n / 2;
  std::thread other;
  if (half < n)
    other = std::thread([&] {
      for (std::size_t i = half; i < n; ++i) fn(i);
    });
  for (std::size_t i = 0; i < half; ++i) fn(i);
  if (other.joinable()) other.join();
}

// Applies events as they come, each room's in seq order: one that arrives early waits in
// `early` until its predecessor is applied; at the end what still waits follows a gap.
class Applier {
 public:
  Applier(core::Service& svc, RestoreStats& st) : svc_(svc), st_(st) {}

  void start_at(const std::string& room_id, std::uint64_t seq) { next_[room_id] = seq + 1; }

  void add(core::Event e) {
    auto [it, fresh] = next_.try_emplace(e.room_id, 1);
    if (e.seq != it->second) {
      early_[e.room_id].emplace(e.seq, std::move(e));
      return;
    }
    apply(std::move(e), it->second);
    auto w = early_.find(it->first);
    if (w == early_.end()) return;
    auto& waiting = w->second;
    while (!waiting.empty() && waiting.begin()->first == it->second) {
      apply(std::move(waiting.begin()->second), it->second);
      waiting.erase(waiting.begin());
    }
    if (waiting.empty()) early_.erase(w);
  }

  // Whatever still waits is after a hole in the stored seq: applied in order, gaps logged.
  void finish() {
    for (auto& [room_id, waiting] : early_) {
      std::uint64_t& next = next_[room_id];
      for (auto& [seq, e] : waiting) {
        if (seq < next) continue;  // a repeated seq: the first one stands
        ++st_.gaps;
        events::log_error(kLog, "room {} ({}): events {}..{} are missing from the store", e.room, e.room_id, next,
                          seq - 1);
        next = seq;
        apply(std::move(e), next);
      }
    }
    early_.clear();
  }

 private:
  void apply(core::Event e, std::uint64_t& next) {
    core::apply(svc_, e);
    next = e.seq + 1;
    ++st_.events;
  }

  core::Service& svc_;
  RestoreStats& st_;
  std::unordered_map<std::string, std::uint64_t> next_;
  std::unordered_map<std::string, std::map<std::uint64_t, core::Event>> early_;
};

}  // namespace

core::Service restore_from_pg(pqxx::connection& conn, RestoreStats* stats) {
  const auto start = std::chrono::steady_clock::now();
  RestoreStats st;
  core::Service svc;
  Applier applier(svc, st);
  std::set<std::string> unreadable;
  // One snapshot view of the database for both reads: no event can slip between them.
  pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(conn);
  tx.exec0("SET LOCAL jit = off");  // compiling the plan costs more than it saves here
  {
    const pqxx::result rows = tx.exec(kSnapshots);
    std::vector<std::optional<core::Room>> rooms(rows.size());
    std::vector<std::string> errors(rows.size());
    parallel_for(rows.size(), [&](std::size_t i) {
      const auto row = rows[static_cast<pqxx::result::size_type>(i)];
      try {
        core::Room r = events::decode_room(std::string_view(row[2].c_str(), row[2].size()));
        const std::string room_id = row[0].as<std::string>();
        const std::uint64_t seq = row[1].as<std::uint64_t>();
        if (r.room_id != room_id || r.seq != seq)
          throw std::runtime_error("its state is of room " + r.room_id + " at seq " + std::to_string(r.seq));
        rooms[i] = std::move(r);
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
    for (std::size_t i = 0; i < rooms.size(); ++i) {
      if (!rooms[i]) {
        const std::string room_id = rows[static_cast<pqxx::result::size_type>(i)][0].as<std::string>();
        ++st.unreadable;
        unreadable.insert(room_id);
        events::log_error(kLog, "snapshot of room {} unusable ({}); replaying its events from the start", room_id,
                          errors[i]);
        continue;
      }
      core::Room& r = *rooms[i];
      applier.start_at(r.room_id, r.seq);
      svc.jid_by_room_id[r.room_id] = r.jid;
      std::string jid = r.jid;
      svc.rooms.insert_or_assign(std::move(jid), std::move(r));
      ++st.snapshots;
    }
  }
  st.snapshots_ms = ms_since(start);
  std::string declare = kEvents;
  declare.replace(declare.find("%UNREADABLE%"), 12, tx.quote(array_literal(unreadable)));
  tx.exec0(declare);
  for (;;) {
    const pqxx::result rows = tx.exec("FETCH 20000 FROM mucstream_restore");
    if (rows.empty()) break;
    std::vector<std::optional<core::Event>> decoded(rows.size());
    parallel_for(rows.size(), [&](std::size_t i) {
      decoded[i] = event_from_row(rows[static_cast<pqxx::result::size_type>(i)], kLog);
    });
    for (auto& e : decoded)
      if (e) applier.add(std::move(*e));
  }
  applier.finish();
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
