#include "sql/retention_schedule.hpp"

#include <algorithm>
#include <chrono>

#include "events/log.hpp"

namespace mucstream::sql {

ScheduledPurge::ScheduledPurge(std::string pg, RetentionPolicy policy, int interval_s)
    : pg_(std::move(pg)), policy_(policy), interval_s_(interval_s) {
  thread_ = std::thread([this] { loop(); });
}

ScheduledPurge::~ScheduledPurge() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ScheduledPurge::loop() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, std::chrono::seconds(std::min(interval_s_, 60)), [this] { return stop_; });
  while (!stop_) {
    lock.unlock();
    run_once();
    lock.lock();
    cv_.wait_for(lock, std::chrono::seconds(interval_s_), [this] { return stop_; });
  }
}

void ScheduledPurge::run_once() {
  try {
    pqxx::connection conn(pg_);
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    const PurgeReport r = purge(conn, policy_, now_ms, true);
    if (r.skipped)
      events::log_info("retention", "purge skipped: another purge is running");
    else if (r.partitions_dropped > 0 || r.bodies > 0 || r.sessions > 0)
      events::log_info("retention", "purged {} partitions ({} events), {} bodies, personal fields of {} sessions",
                       r.partitions_dropped, r.events_dropped, r.bodies, r.sessions);
    ++runs_;
  } catch (const std::exception& e) {
    ++failures_;
    events::log_warn("retention", "purge failed, retrying in {} s: {}", interval_s_, e.what());
  }
}

}  // namespace mucstream::sql
