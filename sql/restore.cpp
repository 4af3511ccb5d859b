#include "sql/restore.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
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
#include "sql/uuid_array.hpp"

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

// Each live room's events after its snapshot (all of them without one). Password hashes are put back from
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
    "       LEFT JOIN room_snapshots s ON s.room_id = r.id"
    "       JOIN events e ON e.room_id = r.id AND e.seq > coalesce(s.seq, 0)"
    "       LEFT JOIN room_secrets k ON k.event_id = e.id"
    "       WHERE r.ended IS NULL) e";

// The events a room's unusable snapshot would have stood for (seq up to the snapshot's).
const std::string kEventsBefore =
    "SELECT " + std::string(kStoredEventColumns) +
    " FROM (SELECT e.id, e.type, e.room, e.room_id, e.seq, e.actor, e.peer, e.time,"
    "        CASE WHEN k.password_hash IS NULL THEN e.data"
    "             ELSE jsonb_set(e.data, '{config,password_hash}', to_jsonb(k.password_hash)) END AS data"
    "       FROM room_snapshots s JOIN events e ON e.room_id = s.room_id AND e.seq <= s.seq"
    "       LEFT JOIN room_secrets k ON k.event_id = e.id"
    "       WHERE s.room_id = ANY($1::uuid[])) e";

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
  Applier(core::Service& svc, RestoreStats& st, const core::HistoryLimits& history)
      : svc_(svc), st_(st), history_(history) {}

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
    core::apply(svc_, e, history_);
    next = e.seq + 1;
    ++st_.events;
  }

  core::Service& svc_;
  RestoreStats& st_;
  const core::HistoryLimits& history_;
  std::unordered_map<std::string, std::uint64_t> next_;
  std::unordered_map<std::string, std::map<std::uint64_t, core::Event>> early_;
};


// Rows fetched by one thread and decoded and applied by another, so that PostgreSQL
// producing the next chunk overlaps with the JSON decoding of the previous one.
class Chunks {
 public:
  // False when the consumer gave up.
  bool push(pqxx::result r) {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return queue_.size() < 2 || closed_; });
    if (closed_) return false;
    queue_.push_back(std::move(r));
    cv_.notify_all();
    return true;
  }
  void close(std::exception_ptr error = nullptr) {
    std::lock_guard lock(mutex_);
    closed_ = true;
    error_ = error;
    cv_.notify_all();
  }
  // The next chunk, or nullopt once the producer closed and everything was taken.
  std::optional<pqxx::result> pop() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return !queue_.empty() || closed_; });
    if (queue_.empty()) {
      if (error_) std::rethrow_exception(error_);
      return std::nullopt;
    }
    pqxx::result r = std::move(queue_.front());
    queue_.pop_front();
    cv_.notify_all();
    return r;
  }
  // The consumer gives up (it failed): the producer stops waiting.
  void abandon() { close(); }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<pqxx::result> queue_;
  bool closed_ = false;
  std::exception_ptr error_;
};

void apply_rows(const pqxx::result& rows, Applier& applier) {
  std::vector<std::optional<core::Event>> decoded(rows.size());
  parallel_for(rows.size(), [&](std::size_t i) {
    decoded[i] = event_from_row(rows[static_cast<pqxx::result::size_type>(i)], kLog);
  });
  for (auto& e : decoded)
    if (e) applier.add(std::move(*e));
}

}  // namespace

core::Service restore_from_pg(pqxx::connection& conn, RestoreStats* stats, const core::HistoryLimits& history) {
  const auto start = std::chrono::steady_clock::now();
  RestoreStats st;
  core::Service svc;
  Applier applier(svc, st, history);
  std::set<std::string> unreadable;
  // One snapshot view of the database for both reads: no event can slip between them.
  pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(conn);
  tx.exec0("SET LOCAL jit = off");  // compiling the plan costs more than it saves here
  const pqxx::result snapshot_rows = tx.exec(kSnapshots);
  tx.exec0(kEvents);
  // PostgreSQL produces the events while the snapshots are decoded.
  Chunks chunks;
  std::thread fetcher([&] {
    try {
      for (;;) {
        pqxx::result rows = tx.exec("FETCH 20000 FROM mucstream_restore");
        if (rows.empty() || !chunks.push(std::move(rows))) break;
      }
      chunks.close();
    } catch (...) {
      chunks.close(std::current_exception());
    }
  });
  try {
    std::vector<std::optional<core::Room>> rooms(snapshot_rows.size());
    std::vector<std::string> errors(snapshot_rows.size());
    parallel_for(snapshot_rows.size(), [&](std::size_t i) {
      const auto row = snapshot_rows[static_cast<pqxx::result::size_type>(i)];
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
        const std::string room_id = snapshot_rows[static_cast<pqxx::result::size_type>(i)][0].as<std::string>();
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
    st.snapshots_ms = ms_since(start);
    while (auto rows = chunks.pop()) apply_rows(*rows, applier);
  } catch (...) {
    chunks.abandon();
    fetcher.join();
    throw;
  }
  fetcher.join();
  tx.exec0("CLOSE mucstream_restore");
  // A room whose snapshot would not read starts from its first event: the events up to the
  // snapshot's seq join those after it, which wait in the applier for them.
  if (!unreadable.empty()) apply_rows(tx.exec_params(kEventsBefore, uuid_array(unreadable)), applier);
  applier.finish();
  tx.commit();
  st.rooms = svc.rooms.size();
  st.total_ms = ms_since(start);
  events::log_info(kLog, "restored {} rooms ({} from snapshots) and {} events in {} ms", st.rooms, st.snapshots,
                   st.events, st.total_ms);
  if (stats) *stats = st;
  return svc;
}

}  // namespace mucstream::sql
