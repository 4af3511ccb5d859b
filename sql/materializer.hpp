#pragma once
// The materialiser: a Kafka consumer-group member that folds event envelopes into
// PostgreSQL. Per batch: decode; undecodable messages -> dead-letter topic with the reason;
// the rest -> EventWriter (one PostgreSQL transaction); then, and only then, the Kafka
// offsets are committed. PostgreSQL trouble -> retry with backoff, offsets untouched.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/event.hpp"

#include "events/kafka.hpp"

namespace mucstream::sql {

struct MaterializerConfig {
  std::string pg;  // libpq connection string
  events::ConsumerConfig consumer;
  std::string dead_letter_topic = "mucstream.events.dlq";
  events::KafkaProperties producer_properties;  // for the dead-letter producer
  std::size_t batch_max = 5000;
  int batch_ms = 100;  // how long a batch may wait to fill once it has a message
  int backoff_min_ms = 100;
  int backoff_max_ms = 5000;
  bool migrate = true;  // apply migrations on connect
  // Applied to each decoded event before it is written (room-name masking, sql/masking.hpp).
  std::function<void(core::Event&)> transform;
  // Called after PostgreSQL committed a batch (its decoded events) and before the Kafka
  // offsets are committed: for measurements, and for tests (throwing from it simulates a
  // crash in exactly that window).
  std::function<void(std::uint64_t batch, const std::vector<core::Event>& events)> after_pg_commit;
};

struct MaterializerStats {
  std::uint64_t batches = 0;
  std::uint64_t consumed = 0;       // messages read from Kafka
  std::uint64_t inserted = 0;       // new events rows
  std::uint64_t duplicates = 0;     // redelivered events ignored
  std::uint64_t dead_lettered = 0;  // sent to the dead-letter topic
  std::uint64_t pg_failures = 0;    // failed attempts (each followed by a backoff)
  std::uint64_t lost = 0;           // messages Kafka dropped before we read them
  std::int64_t last_commit_ms = 0;  // wall time of the last committed batch
  std::int64_t idle_since_ms = 0;   // wall time since which polls found nothing (0 = busy)
  std::size_t assigned = 0;         // partitions this member owns (updated when idle)
};

class Materializer {
 public:
  explicit Materializer(MaterializerConfig);
  ~Materializer();
  // Runs until `stop` becomes true. A batch in flight when stopping is not committed to
  // Kafka unless PostgreSQL committed it (it is redelivered and deduplicated next time).
  void run(const std::atomic<bool>& stop);
  MaterializerStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mucstream::sql
