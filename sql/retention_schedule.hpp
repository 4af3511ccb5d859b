#pragma once
// The scheduled purge (sql/retention.hpp) on a thread of its own with its own PostgreSQL
// connection, so the materialiser's batches never wait for it: a first run a minute after
// start (or one interval, if shorter: the materialiser migrates the schema meanwhile), then
// one every interval. A failed run (PostgreSQL away, a lock not granted in time) is logged
// and tried again at the next interval; the purge's advisory lock keeps several
// materialisers from purging at once.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "sql/retention.hpp"

namespace mucstream::sql {

class ScheduledPurge {
 public:
  ScheduledPurge(std::string pg, RetentionPolicy policy, int interval_s);
  ~ScheduledPurge();  // stops and joins (a run in progress finishes first)
  ScheduledPurge(const ScheduledPurge&) = delete;
  ScheduledPurge& operator=(const ScheduledPurge&) = delete;

  std::int64_t runs() const { return runs_.load(); }          // runs that completed
  std::int64_t failures() const { return failures_.load(); }  // runs that threw

 private:
  void loop();
  void run_once();

  const std::string pg_;
  const RetentionPolicy policy_;
  const int interval_s_;
  std::atomic<std::int64_t> runs_{0}, failures_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace mucstream::sql
