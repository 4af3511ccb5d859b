#include "sql/materializer.hpp"

#include <pqxx/pqxx>

#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include "events/envelope.hpp"
#include "events/log.hpp"
#include "sql/writer_session.hpp"

namespace mucstream::sql {
namespace {
constexpr const char* kLog = "materialize";

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct DeadLetter {
  std::string key, payload, reason, topic;
  int partition = 0;
  std::int64_t offset = 0;
};

}  // namespace

struct Materializer::Impl {
  MaterializerConfig cfg;
  events::Consumer consumer;
  events::Producer dlq;
  WriterSession pg;
  mutable std::mutex mutex;
  MaterializerStats stats;

  explicit Impl(MaterializerConfig c)
      : cfg(std::move(c)),
        consumer(cfg.consumer),
        dlq(events::ProducerConfig{cfg.consumer.brokers, cfg.dead_letter_topic, cfg.producer_properties,
                                   events::ProducerConfig::QueueFull::wait, 5000, ""}),
        pg(cfg.pg, cfg.migrate) {}

  void count(std::uint64_t MaterializerStats::*field, std::uint64_t n) {
    std::lock_guard lock(mutex);
    stats.*field += n;
  }

  void connect() { pg.open(); }
  void disconnect() { pg.close(); }

  // Sleeps up to ms in small slices; false when stopping.
  static bool pause(int ms, const std::atomic<bool>& stop) {
    for (int slept = 0; slept < ms && !stop.load(); slept += 50)
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min(50, ms - slept)));
    return !stop.load();
  }

  // Writes `events`, isolating events PostgreSQL refuses as data (bisection) into `dead`.
  void write_isolating(const std::vector<core::Event>& events, std::vector<DeadLetter>& dead, WriteResult& total) {
    if (events.empty()) return;
    try {
      connect();
      WriteResult r = pg.writer().write(events);
      total.inserted += r.inserted;
      total.duplicates += r.duplicates;
      return;
    } catch (const std::exception& e) {
      if (!is_data_error(e)) throw;
      if (events.size() == 1) {
        events::log_error(kLog, "event {} refused by PostgreSQL: {}", events[0].id, e.what());
        dead.push_back({events[0].room, events::encode(events[0]), std::string("postgresql: ") + e.what(), "", -1, -1});
        return;
      }
    }
    const auto mid = events.begin() + static_cast<std::ptrdiff_t>(events.size() / 2);
    write_isolating(std::vector<core::Event>(events.begin(), mid), dead, total);
    write_isolating(std::vector<core::Event>(mid, events.end()), dead, total);
  }

  // Retries until PostgreSQL took the batch; false when asked to stop first.
  bool write_with_retry(const std::vector<core::Event>& events, std::vector<DeadLetter>& dead,
                        const std::atomic<bool>& stop) {
    int backoff = cfg.backoff_min_ms;
    for (;;) {
      std::vector<DeadLetter> refused;
      WriteResult total;
      try {
        write_isolating(events, refused, total);
        count(&MaterializerStats::inserted, total.inserted);
        count(&MaterializerStats::duplicates, total.duplicates);
        dead.insert(dead.end(), refused.begin(), refused.end());
        return true;
      } catch (const std::exception& e) {
        count(&MaterializerStats::pg_failures, 1);
        events::log_warn(kLog, "PostgreSQL unavailable ({}); retrying {} events in {} ms, offsets not committed",
                         e.what(), events.size(), backoff);
        disconnect();
      }
      if (!pause(backoff, stop)) return false;
      backoff = std::min(backoff * 2, cfg.backoff_max_ms);
    }
  }

  // Produces the dead letters and waits until Kafka acknowledged every one (re-producing
  // after a failed delivery), so the offsets after them may be committed.
  bool send_dead_letters(const std::vector<DeadLetter>& dead, const std::atomic<bool>& stop) {
    if (dead.empty()) return true;
    int backoff = cfg.backoff_min_ms;
    for (bool first = true;; first = false) {
      const std::uint64_t failed_before = dlq.stats().failed;
      for (const DeadLetter& d : dead) {
        std::vector<std::pair<std::string, std::string>> headers = {{"mucstream.reason", d.reason}};
        if (!d.topic.empty())
          headers.emplace_back("mucstream.source",
                               d.topic + "/" + std::to_string(d.partition) + "/" + std::to_string(d.offset));
        dlq.produce_raw(cfg.dead_letter_topic, d.key, d.payload, headers);
        if (first)
          events::log_warn(kLog, "dead-lettered {} to {}: {}",
                           d.topic.empty() ? std::string("an event")
                                           : d.topic + "/" + std::to_string(d.partition) + "@" + std::to_string(d.offset),
                           cfg.dead_letter_topic, d.reason);
      }
      if (dlq.flush(5000) && dlq.stats().failed == failed_before) break;
      events::log_warn(kLog, "dead-letter topic {} did not take {} messages; offsets not committed, retrying",
                       cfg.dead_letter_topic, dead.size());
      if (!pause(backoff, stop)) return false;
      backoff = std::min(backoff * 2, cfg.backoff_max_ms);
    }
    count(&MaterializerStats::dead_lettered, dead.size());
    return true;
  }

  // A consumed batch on its way to PostgreSQL.
  struct Batch {
    std::vector<core::Event> events;
    std::vector<DeadLetter> dead;
    std::map<std::pair<std::string, int>, std::int64_t> offsets;
  };

  // The hand-off between the consuming thread and the writing thread: at most one batch
  // waits while the previous one is written, so reading and decoding the next batch
  // overlaps with PostgreSQL's work, and nothing is read further ahead than that.
  std::mutex slot_mutex;
  std::condition_variable slot_cv;
  std::optional<Batch> slot;
  bool writer_busy = false;
  bool writer_done = false;
  std::exception_ptr writer_error;

  // Writing thread: PostgreSQL, dead letters, then (only then) the Kafka offsets.
  void write_loop(const std::atomic<bool>& stop) {
    std::uint64_t batch_no = 0;
    for (;;) {
      Batch b;
      {
        std::unique_lock lock(slot_mutex);
        slot_cv.wait(lock, [&] { return slot.has_value() || writer_done; });
        if (!slot) return;
        b = std::move(*slot);
        slot.reset();
        writer_busy = true;
      }
      slot_cv.notify_all();
      const bool written = write_with_retry(b.events, b.dead, stop) && send_dead_letters(b.dead, stop);
      if (written) {
        ++batch_no;
        if (cfg.after_pg_commit) cfg.after_pg_commit(batch_no, b.events);
        const RdKafka::ErrorCode e = consumer.commit(b.offsets);
        if (e != RdKafka::ERR_NO_ERROR)
          events::log_warn(kLog, "offset commit failed ({}); the batch will be redelivered and deduplicated",
                           RdKafka::err2str(e));
        std::lock_guard lock(mutex);
        ++stats.batches;
        stats.last_commit_ms = wall_ms();
      }
      {
        std::lock_guard lock(slot_mutex);
        writer_busy = false;
      }
      slot_cv.notify_all();
      if (!written) return;  // stopping: the batch stays uncommitted and will be redelivered
    }
  }

  // Hands a batch to the writer, waiting while the previous one is still queued.
  bool hand_over(Batch b, const std::atomic<bool>& stop) {
    std::unique_lock lock(slot_mutex);
    while (slot.has_value() && !writer_error && !stop.load())
      slot_cv.wait_for(lock, std::chrono::milliseconds(100));
    if (writer_error || stop.load()) return false;
    slot = std::move(b);
    lock.unlock();
    slot_cv.notify_all();
    return true;
  }

  bool writer_idle() {
    std::lock_guard lock(slot_mutex);
    return !slot.has_value() && !writer_busy;
  }

  void run(const std::atomic<bool>& stop) {
    // Connect early so migrations run at start-up; failure here is retried with the first batch.
    try {
      connect();
    } catch (const std::exception& e) {
      events::log_warn(kLog, "PostgreSQL not reachable yet: {}", e.what());
      disconnect();
    }
    // The writer stops (abandoning a retry) only once the consuming side has stopped.
    std::atomic<bool> writer_stop{false};
    std::thread writer([&] {
      try {
        write_loop(writer_stop);
      } catch (...) {
        std::lock_guard lock(slot_mutex);
        writer_error = std::current_exception();
      }
      slot_cv.notify_all();
    });
    auto failed = [&] {
      std::lock_guard lock(slot_mutex);
      return writer_error != nullptr;
    };
    std::exception_ptr consumer_error;
    try {
      consume_loop(stop, failed);
    } catch (...) {
      consumer_error = std::current_exception();
    }
    writer_stop = true;
    {
      std::lock_guard lock(slot_mutex);
      writer_done = true;
      slot.reset();  // not written: uncommitted, redelivered next time
    }
    slot_cv.notify_all();
    writer.join();
    if (writer_error) std::rethrow_exception(writer_error);
    if (consumer_error) std::rethrow_exception(consumer_error);
  }

  // Consuming thread: reads and decodes batches and hands them to the writer.
  template <class Failed>
  void consume_loop(const std::atomic<bool>& stop, Failed&& failed) {
    while (!stop.load() && !failed()) {
      Batch b;
      std::size_t n = 0;
      std::optional<std::chrono::steady_clock::time_point> deadline;
      while (n < cfg.batch_max && !stop.load()) {
        int wait = 200;
        if (deadline) {
          const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - std::chrono::steady_clock::now()).count();
          if (left <= 0) break;
          wait = static_cast<int>(left);
        }
        auto m = consumer.poll(wait);
        if (!m) {
          if (!deadline && writer_idle()) {  // nothing read, nothing being written: caught up
            const std::size_t assigned = consumer.assigned();
            std::lock_guard lock(mutex);
            if (stats.idle_since_ms == 0) stats.idle_since_ms = wall_ms();
            stats.assigned = assigned;
          }
          if (!deadline && failed()) break;
          continue;
        }
        if (!deadline) {
          deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(cfg.batch_ms);
          std::lock_guard lock(mutex);
          stats.idle_since_ms = 0;
        }
        ++n;
        b.offsets[{m->topic_name(), m->partition()}] = m->offset();
        const std::string_view payload(static_cast<const char*>(m->payload()), m->len());
        events::Decoded d = events::decode(payload);
        if (d) {
          if (cfg.transform) cfg.transform(*d.event);
          b.events.push_back(std::move(*d.event));
        } else {
          b.dead.push_back({m->key() ? *m->key() : std::string(), std::string(payload), d.error, m->topic_name(),
                            m->partition(), m->offset()});
        }
      }
      {
        std::lock_guard lock(mutex);
        stats.consumed += n;
        stats.lost = consumer.lost();
      }
      if (n > 0 && !hand_over(std::move(b), stop)) break;
    }
  }
};

Materializer::Materializer(MaterializerConfig cfg) : impl_(std::make_unique<Impl>(std::move(cfg))) {}
Materializer::~Materializer() = default;

void Materializer::run(const std::atomic<bool>& stop) {
  events::log_info(kLog, "consuming {} as group {}", impl_->cfg.consumer.topics.front(), impl_->cfg.consumer.group);
  impl_->run(stop);
  const MaterializerStats s = stats();
  events::log_info(kLog, "stopped: {} batches, {} consumed, {} inserted, {} duplicates, {} dead-lettered, {} lost",
                   s.batches, s.consumed, s.inserted, s.duplicates, s.dead_lettered, s.lost);
}

MaterializerStats Materializer::stats() const {
  std::lock_guard lock(impl_->mutex);
  MaterializerStats s = impl_->stats;
  s.lost = impl_->consumer.lost();
  return s;
}

}  // namespace mucstream::sql
