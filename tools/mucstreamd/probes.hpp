#pragma once
// Readiness probes for /readyz: can this process reach PostgreSQL, Kafka? Each probe
// answers from a cached result younger than `max_age_ms` and otherwise tries once (a
// connection with a short timeout), so a scrape every second costs one connection attempt
// per second at most and a dead peer delays /readyz by the timeout, not more.
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "events/kafka.hpp"

namespace mucstream::tools {

class CachedProbe {
 public:
  explicit CachedProbe(int max_age_ms = 1000) : max_age_(max_age_ms) {}
  virtual ~CachedProbe() = default;
  bool ready();  // thread-safe

 protected:
  virtual bool probe() = 0;  // called with the lock held

 private:
  std::mutex mu_;
  std::chrono::milliseconds max_age_;
  std::chrono::steady_clock::time_point at_{};
  bool last_ = false;
  bool probed_ = false;
};

// SELECT 1 on a new connection (connect_timeout 2 s).
class PgProbe final : public CachedProbe {
 public:
  explicit PgProbe(std::string conninfo) : conninfo_(std::move(conninfo)) {}

 private:
  bool probe() override;
  std::string conninfo_;
};

// Cluster metadata from the bootstrap brokers (1 s timeout), through one long-lived client.
class KafkaProbe final : public CachedProbe {
 public:
  KafkaProbe(const std::string& brokers, const events::KafkaProperties& properties);
  ~KafkaProbe() override;

 private:
  bool probe() override;
  std::unique_ptr<RdKafka::Producer> client_;
};

}  // namespace mucstream::tools
