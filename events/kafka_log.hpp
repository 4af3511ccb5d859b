#pragma once
// librdkafka's own log lines and error events, into core's log hook (core/log.hpp), so
// they reach the same sink, threshold and format as ours. Install on every librdkafka
// configuration this process creates (make_conf does).
#include <librdkafka/rdkafkacpp.h>

#include <atomic>

namespace mucstream::events {

// Stateless apart from a fatal-error flag an owner may read (the idempotent producer's fatal
// errors make the handle unusable).
class KafkaLogCb final : public RdKafka::EventCb {
 public:
  void event_cb(RdKafka::Event& e) override;
  bool fatal() const { return fatal_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> fatal_{false};
};

// Shared instance for handles whose fatal state nobody watches (consumers, the mock cluster).
KafkaLogCb& shared_kafka_log();

// Sets event_cb to `cb` on a global configuration; throws std::runtime_error on failure.
void install_kafka_log(RdKafka::Conf& conf, KafkaLogCb& cb);

}  // namespace mucstream::events
