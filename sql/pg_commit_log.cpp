#include "sql/pg_commit_log.hpp"

#include <pqxx/pqxx>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <tuple>

#include "events/log.hpp"
#include "events/room_snapshot.hpp"
#include "sql/writer_session.hpp"

namespace mucstream::sql {
namespace {
constexpr const char* kLog = "commit-log";
using Clock = std::chrono::steady_clock;

std::int64_t ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count();
}

// A round's snapshots, staged by COPY and folded into room_snapshots with two statements;
// the last operation queued for a JID wins (a removal has no room_id).
constexpr const char* kCreateSnapshotStaging =
    "CREATE TEMP TABLE IF NOT EXISTS mucstream_snapshot_staging ("
    " ord bigint, room_jid text, room_id uuid, seq bigint, state text) ON COMMIT DELETE ROWS";
constexpr const char* kApplySnapshots =
    "CREATE TEMP TABLE IF NOT EXISTS mucstream_snapshot_last (LIKE mucstream_snapshot_staging) ON COMMIT DROP;"
    "INSERT INTO mucstream_snapshot_last"
    " SELECT DISTINCT ON (room_jid) * FROM mucstream_snapshot_staging ORDER BY room_jid, ord DESC;"
    "DELETE FROM room_snapshots s USING mucstream_snapshot_last f WHERE f.room_id IS NULL AND s.room_jid = f.room_jid;"
    "INSERT INTO room_snapshots (room_jid, room_id, seq, state, updated)"
    " SELECT room_jid, room_id, seq, state, now() FROM mucstream_snapshot_last WHERE room_id IS NOT NULL"
    " ON CONFLICT (room_jid) DO UPDATE SET room_id = excluded.room_id, seq = excluded.seq,"
    "  state = excluded.state, updated = excluded.updated";

// One queued operation: an event (with its position) or a snapshot upsert or removal.
struct Item {
  enum class Kind { event, snapshot, removed } kind = Kind::event;
  core::Event event;
  core::LogPosition position = 0;
  std::string room_jid, room_id, state;  // snapshots
  std::uint64_t seq = 0;
  Clock::time_point queued;
};

}  // namespace

struct PgCommitLog::Impl {
  PgCommitLogConfig cfg;

  mutable std::mutex mutex;
  std::condition_variable work_cv;  // the writer waits for items
  std::condition_variable done_cv;  // flush() waits for the queue to empty
  std::deque<Item> queue;
  std::size_t pending_events = 0;          // queued or being written
  std::size_t pending_items = 0;           // all kinds, queued or being written
  std::optional<Clock::time_point> inflight_since;  // queue time of the oldest item being written
  core::LogPosition next_position = 0;
  DurableHandler on_durable;
  PgCommitLogStats stats;
  bool stopping = false;
  Clock::time_point stop_deadline;

  // Writer thread only.
  WriterSession pg;
  bool snapshot_staging = false;
  std::thread thread;

  explicit Impl(PgCommitLogConfig c) : cfg(std::move(c)), pg(cfg.pg, cfg.migrate) {}

  core::LogPosition push(Item item) {
    core::LogPosition position = 0;
    {
      std::lock_guard lock(mutex);
      item.queued = Clock::now();
      if (item.kind == Item::Kind::event) {
        item.position = position = ++next_position;
        ++pending_events;
        ++stats.published;
      }
      ++pending_items;
      queue.push_back(std::move(item));
    }
    work_cv.notify_one();
    return position;
  }

  bool accepting_locked(Clock::time_point now) const {
    if (pending_events > cfg.queue_max) return false;
    std::optional<Clock::time_point> oldest = inflight_since;
    if (!oldest && !queue.empty()) oldest = queue.front().queued;
    return !oldest || ms_between(*oldest, now) <= cfg.unavailable_ms;
  }

  void connect() {
    if (!pg.is_open()) snapshot_staging = false;  // the staging table died with its session
    pg.open();
  }
  void disconnect() {
    pg.close();
    snapshot_staging = false;
  }

  // The front run of the queue: consecutive events (up to batch_max) or consecutive
  // snapshot operations, so each transaction is of one kind and order is kept.
  std::vector<Item> take_run() {
    std::vector<Item> run;
    const bool events = queue.front().kind == Item::Kind::event;
    while (!queue.empty() && run.size() < cfg.batch_max && (queue.front().kind == Item::Kind::event) == events) {
      run.push_back(std::move(queue.front()));
      queue.pop_front();
    }
    inflight_since = run.front().queued;
    return run;
  }

  // Writes `events`, isolating what PostgreSQL refuses as data (bisection): logged and
  // skipped, since retrying cannot store it and the rooms behind it must not wait for ever.
  void write_events(const std::vector<core::Event>& events, std::uint64_t& written, std::uint64_t& refused) {
    if (events.empty()) return;
    try {
      connect();
      const WriteResult r = pg.writer().write(events);
      written += r.inserted + r.duplicates;
      return;
    } catch (const std::exception& e) {
      if (!is_data_error(e)) throw;
      if (events.size() == 1) {
        events::log_error(kLog, "event {} of room {} refused by PostgreSQL, not stored: {}", events[0].id,
                          events[0].room, e.what());
        ++refused;
        return;
      }
    }
    const auto mid = events.begin() + static_cast<std::ptrdiff_t>(events.size() / 2);
    write_events(std::vector<core::Event>(events.begin(), mid), written, refused);
    write_events(std::vector<core::Event>(mid, events.end()), written, refused);
  }

  void write_snapshots(const std::vector<Item>& run) {
    connect();
    if (!snapshot_staging) {
      pqxx::nontransaction nt(pg.connection());
      nt.exec0(kCreateSnapshotStaging);
      snapshot_staging = true;
    }
    pqxx::work tx(pg.connection());
    {
      pqxx::stream_to copy(tx, "mucstream_snapshot_staging",
                           std::vector<std::string>{"ord", "room_jid", "room_id", "seq", "state"});
      long long ord = 0;
      for (const Item& it : run) {
        const bool removed = it.kind == Item::Kind::removed;
        copy << std::make_tuple(++ord, it.room_jid, removed ? std::nullopt : std::optional<std::string>(it.room_id),
                                removed ? std::nullopt : std::optional<long long>(static_cast<long long>(it.seq)),
                                removed ? std::nullopt : std::optional<std::string>(it.state));
      }
      copy.complete();
    }
    tx.exec0(kApplySnapshots);
    tx.commit();
  }

  bool give_up() {
    std::lock_guard lock(mutex);
    return stopping && Clock::now() >= stop_deadline;
  }

  // Sleeps up to `ms`, waking early when stopping.
  void pause(int ms) {
    std::unique_lock lock(mutex);
    work_cv.wait_for(lock, std::chrono::milliseconds(ms), [&] { return stopping; });
  }

  // Writes one run, retrying with backoff until PostgreSQL took it; false when stopping
  // and the stop deadline passed first.
  bool write_run(const std::vector<Item>& run, std::uint64_t& written, std::uint64_t& refused) {
    std::vector<core::Event> events;
    if (run.front().kind == Item::Kind::event) {
      events.reserve(run.size());
      for (const Item& it : run) events.push_back(it.event);
    }
    int backoff = cfg.backoff_min_ms;
    for (;;) {
      try {
        written = refused = 0;
        if (events.empty()) write_snapshots(run);
        else write_events(events, written, refused);
        return true;
      } catch (const std::exception& e) {
        {
          std::lock_guard lock(mutex);
          ++stats.pg_failures;
        }
        events::log_warn(kLog, "PostgreSQL unavailable ({}); retrying {} {} in {} ms", e.what(), run.size(),
                         events.empty() ? "snapshot operations" : "events", backoff);
        disconnect();
      }
      if (give_up()) return false;
      pause(backoff);
      backoff = std::min(backoff * 2, cfg.backoff_max_ms);
    }
  }

  void run_writer() {
    for (;;) {
      std::vector<Item> run;
      {
        std::unique_lock lock(mutex);
        work_cv.wait(lock, [&] { return !queue.empty() || stopping; });
        if (queue.empty()) return;
        run = take_run();
      }
      const auto began = Clock::now();
      std::uint64_t written = 0, refused = 0;
      if (!write_run(run, written, refused)) {
        std::size_t left = 0;
        {
          std::lock_guard lock(mutex);
          left = pending_items;
        }
        events::log_error(kLog, "stopping with {} operations not written to PostgreSQL", left);
        return;
      }
      const auto committed = Clock::now();
      const bool is_events = run.front().kind == Item::Kind::event;
      std::vector<core::LogPosition> positions;
      DurableHandler handler;
      {
        std::lock_guard lock(mutex);
        if (is_events) {
          positions.reserve(run.size());
          for (const Item& it : run) positions.push_back(it.position);
          stats.written += written;
          stats.refused += refused;
          ++stats.batches;
          stats.durable = positions.back();
          stats.last_commit_ms = ms_between(began, committed);
          stats.last_latency_ms = ms_between(run.front().queued, committed);
        } else {
          for (const Item& it : run) ++(it.kind == Item::Kind::removed ? stats.snapshots_removed : stats.snapshots_written);
        }
        handler = on_durable;
      }
      // The handler and the mirror run before the run counts as done, so flush() returning
      // means both have seen everything.
      try {
        if (!positions.empty() && handler) handler(std::move(positions));
        if (cfg.mirror && is_events)
          for (const Item& it : run) cfg.mirror->publish(it.event);
      } catch (const std::exception& e) {
        events::log_error(kLog, "durable handler or mirror failed: {}", e.what());
      }
      {
        std::lock_guard lock(mutex);
        inflight_since.reset();
        pending_items -= run.size();
        if (is_events) pending_events -= run.size();
      }
      done_cv.notify_all();
    }
  }
};

PgCommitLog::PgCommitLog(PgCommitLogConfig cfg) : impl_(std::make_unique<Impl>(std::move(cfg))) {
  impl_->thread = std::thread([this] {
    try {
      impl_->run_writer();
    } catch (const std::exception& e) {
      events::log_error(kLog, "writer stopped: {}", e.what());
    }
  });
}

PgCommitLog::~PgCommitLog() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
    impl_->stop_deadline = Clock::now() + std::chrono::milliseconds(impl_->cfg.unavailable_ms);
  }
  impl_->work_cv.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
}

core::LogPosition PgCommitLog::publish(const core::Event& e) {
  Item it;
  it.kind = Item::Kind::event;
  it.event = e;
  return impl_->push(std::move(it));
}

void PgCommitLog::set_durable_handler(DurableHandler h) {
  std::lock_guard lock(impl_->mutex);
  impl_->on_durable = std::move(h);
}

bool PgCommitLog::accepting() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->accepting_locked(Clock::now());
}

void PgCommitLog::snapshot_begin(core::LogPosition) {}

void PgCommitLog::snapshot(const core::Room& r) {
  Item it;
  it.kind = Item::Kind::snapshot;
  it.room_jid = r.jid;
  it.room_id = r.room_id;
  it.seq = r.seq;
  it.state = events::encode_room(r);  // on the loop: the room may change once this returns
  impl_->push(std::move(it));
}

void PgCommitLog::snapshot_removed(const std::string& room_jid) {
  Item it;
  it.kind = Item::Kind::removed;
  it.room_jid = room_jid;
  impl_->push(std::move(it));
}

void PgCommitLog::snapshot_end() {}

bool PgCommitLog::flush(int timeout_ms) {
  std::unique_lock lock(impl_->mutex);
  return impl_->done_cv.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return impl_->pending_items == 0; });
}

PgCommitLogStats PgCommitLog::stats() const {
  std::lock_guard lock(impl_->mutex);
  PgCommitLogStats s = impl_->stats;
  s.queued = impl_->pending_events;
  s.accepting = impl_->accepting_locked(Clock::now());
  return s;
}

}  // namespace mucstream::sql
