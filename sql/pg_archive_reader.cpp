#include "sql/pg_archive_reader.hpp"

#include <condition_variable>
#include <map>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>
#include <vector>

#include "events/log.hpp"
#include "sql/archive_query.hpp"
#include "sql/stanza_ids.hpp"

namespace mucstream::sql {
namespace {

using Clock = std::chrono::steady_clock;

struct Job {
  std::string room_id;
  std::int64_t min_seq = 0;
  Clock::time_point deadline;
  // Runs the query and returns what hands its answer over; the hand-over runs outside any
  // try block, so `done` is called exactly once even if it throws.
  std::function<std::function<void()>(pqxx::transaction_base&)> compute;
  std::function<void(core::ArchiveFailure)> fail;
};

}  // namespace

struct PgArchiveReader::Impl {
  ArchiveReaderConfig cfg;
  std::mutex mu;
  std::condition_variable cv;
  std::multimap<Clock::time_point, Job> queue;  // by when the job may run
  bool stopping = false;
  std::vector<std::thread> threads;

  void push(Job job, Clock::time_point when) {
    {
      std::lock_guard lock(mu);
      if (!stopping && queue.size() < cfg.max_queued) {
        queue.emplace(when, std::move(job));
        cv.notify_one();
        return;
      }
    }
    job.fail(core::ArchiveFailure::unavailable);
  }

  void worker() {
    std::unique_ptr<pqxx::connection> conn;
    for (;;) {
      Job job;
      {
        std::unique_lock lock(mu);
        for (;;) {
          if (stopping) return;
          if (!queue.empty() && queue.begin()->first <= Clock::now()) break;
          if (queue.empty()) {
            cv.wait(lock);
          } else {
            // A copy: wait_until reads the time again after waking, and another worker may
            // have taken that job (and freed its node) meanwhile.
            const Clock::time_point next = queue.begin()->first;
            cv.wait_until(lock, next);
          }
        }
        job = std::move(queue.begin()->second);
        queue.erase(queue.begin());
      }
      std::function<void()> deliver;
      bool requeue = false;
      // A connection that broke is replaced and the job tried once more (a server restart
      // breaks every idle connection at once).
      for (int attempt = 0; attempt < 2 && !deliver && !requeue; ++attempt) {
        try {
          if (!conn || !conn->is_open()) conn = std::make_unique<pqxx::connection>(cfg.pg);
          pqxx::read_transaction tx(*conn);
          if (job.min_seq > 0) {
            const pqxx::result r = tx.exec_params("SELECT last_seq FROM rooms WHERE id = $1::uuid", job.room_id);
            const std::int64_t stored = r.empty() ? 0 : r[0][0].as<std::int64_t>();
            if (stored < job.min_seq) {
              if (Clock::now() >= job.deadline)
                deliver = [fail = job.fail] { fail(core::ArchiveFailure::not_caught_up); };
              else
                requeue = true;
              break;
            }
          }
          deliver = job.compute(tx);
          tx.commit();
        } catch (const pqxx::broken_connection& e) {
          conn.reset();
          if (attempt == 1) {
            events::log_warn("archive", "PostgreSQL unavailable: {}", e.what());
            deliver = [fail = job.fail] { fail(core::ArchiveFailure::unavailable); };
          }
        } catch (const std::exception& e) {
          events::log_warn("archive", "archive query failed: {}", e.what());
          if (conn && !conn->is_open()) conn.reset();
          deliver = [fail = job.fail] { fail(core::ArchiveFailure::unavailable); };
        }
      }
      if (requeue) {
        push(std::move(job), Clock::now() + std::chrono::milliseconds(cfg.recheck_ms));
        continue;
      }
      if (deliver) deliver();
    }
  }
};

PgArchiveReader::PgArchiveReader(ArchiveReaderConfig cfg) : impl_(std::make_unique<Impl>()) {
  impl_->cfg = std::move(cfg);
  const std::uint32_t n = impl_->cfg.threads == 0 ? 1 : impl_->cfg.threads;
  for (std::uint32_t i = 0; i < n; ++i) impl_->threads.emplace_back([this] { impl_->worker(); });
}

PgArchiveReader::~PgArchiveReader() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  for (auto& t : impl_->threads) t.join();
  for (auto& [when, job] : impl_->queue) job.fail(core::ArchiveFailure::unavailable);
}

void PgArchiveReader::query(core::ArchiveQuery q, std::function<void(core::ArchiveResult)> done) {
  Job job;
  job.room_id = q.room_id;
  job.min_seq = canonical_uuid(q.room_id) ? q.min_seq : 0;  // not a room id: nothing to wait for
  job.deadline = Clock::now() + std::chrono::milliseconds(impl_->cfg.catch_up_timeout_ms);
  auto shared_done = std::make_shared<std::function<void(core::ArchiveResult)>>(std::move(done));
  job.fail = [shared_done](core::ArchiveFailure f) { (*shared_done)(f); };
  job.compute = [q = std::move(q), shared_done, cap = impl_->cfg.max_page](pqxx::transaction_base& tx) {
    return std::function<void()>([result = query_archive(tx, q, cap), shared_done]() mutable {
      (*shared_done)(std::move(result));
    });
  };
  impl_->push(std::move(job), Clock::now());
}

void PgArchiveReader::ends(std::string room_id, std::int64_t min_seq,
                           std::function<void(core::ArchiveEndsResult)> done) {
  Job job;
  job.room_id = room_id;
  job.min_seq = canonical_uuid(room_id) ? min_seq : 0;
  job.deadline = Clock::now() + std::chrono::milliseconds(impl_->cfg.catch_up_timeout_ms);
  auto shared_done = std::make_shared<std::function<void(core::ArchiveEndsResult)>>(std::move(done));
  job.fail = [shared_done](core::ArchiveFailure f) { (*shared_done)(f); };
  job.compute = [room_id = std::move(room_id), shared_done](pqxx::transaction_base& tx) {
    return std::function<void()>([ends = archive_ends(tx, room_id), shared_done]() mutable {
      (*shared_done)(std::move(ends));
    });
  };
  impl_->push(std::move(job), Clock::now());
}

}  // namespace mucstream::sql
