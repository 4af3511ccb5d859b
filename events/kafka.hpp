#pragma once
// librdkafka pieces of the event pipeline: the embedded mock cluster, the producer that
// implements core::EventSink, and a consumer-group consumer that notices lost messages.
#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/sink.hpp"

struct rd_kafka_s;
struct rd_kafka_mock_cluster_s;

namespace mucstream::events {

using KafkaProperties = std::map<std::string, std::string>;

// librdkafka's in-process mock cluster: the real Kafka protocol on loopback, data in memory.
// Each mock partition keeps only ~5 MiB / 100k message sets (older data is dropped), so the
// topic is created with many partitions and consumers check for loss (see Consumer).
class MockCluster {
 public:
  explicit MockCluster(int brokers = 3);
  ~MockCluster();
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  const std::string& bootstraps() const { return bootstraps_; }
  void create_topic(const std::string& topic, int partitions);

 private:
  rd_kafka_s* rk_ = nullptr;
  rd_kafka_mock_cluster_s* mc_ = nullptr;
  std::string bootstraps_;
};

// Builds a librdkafka configuration; throws std::runtime_error naming a bad property.
std::unique_ptr<RdKafka::Conf> make_conf(const KafkaProperties& props);

struct ProducerConfig {
  std::string brokers;
  std::string topic = "mucstream.events";
  KafkaProperties properties;  // any librdkafka property; applied last, so operators win
  enum class QueueFull { wait, spill } queue_full = QueueFull::wait;
  int queue_full_wait_ms = 1000;  // bounded wait before spilling
  std::string spill_dir;          // where events that could not be queued or delivered go
};

struct ProducerStats {
  std::uint64_t produced = 0;     // accepted into librdkafka's queue
  std::uint64_t delivered = 0;    // acknowledged by the cluster (acks=all)
  std::uint64_t failed = 0;       // delivery failed permanently (then spilled)
  std::uint64_t queue_full = 0;   // times the local queue was full
  std::uint64_t spilled = 0;      // events written to the spill file
  std::uint64_t dropped = 0;      // events that could neither be queued nor spilled (logged)
};

// The EventSink the room loop publishes to: encodes each event and hands it to librdkafka,
// keyed by the bare room JID so one room's events stay in one partition, in order.
// Idempotent (enable.idempotence, acks=all), lz4-compressed, delivery reports counted by
// a background poll thread. When the queue is full: bounded wait, then spill (or spill at
// once); a failed delivery is spilled too. Spill files are lines "room\tenvelope" that
// `kcat -P -K '\t' -t TOPIC -l FILE` re-produces; resend_spilled() does the same.
class Producer final : public core::EventSink {
 public:
  explicit Producer(ProducerConfig);
  ~Producer() override;  // flushes (see close)

  core::LogPosition publish(const core::Event&) override;
  // Produces an already encoded message (tools, benchmarks, dead letters).
  void produce_raw(const std::string& topic, const std::string& key, const std::string& payload,
                   const std::vector<std::pair<std::string, std::string>>& headers = {});
  // Waits until everything queued is acknowledged; returns false on timeout.
  bool flush(int timeout_ms);
  // Flushes for up to timeout_ms, then spills what is still undelivered. Idempotent.
  void close(int timeout_ms = 10000);
  // Re-produces events spilled by earlier runs (files in spill_dir); returns how many.
  std::size_t resend_spilled();

  ProducerStats stats() const;
  RdKafka::Producer& handle() { return *producer_; }

 private:
  class Reports;
  void spill(const std::string& key, const char* payload, std::size_t len, const char* why);
  bool enqueue(const std::string& topic, const std::string& key, const std::string& payload,
               const std::vector<std::pair<std::string, std::string>>& headers);

  ProducerConfig cfg_;
  std::unique_ptr<Reports> reports_;
  std::unique_ptr<RdKafka::Producer> producer_;
  std::atomic<bool> stop_{false};
  std::thread poller_;
  std::mutex spill_mutex_;
  std::FILE* spill_file_ = nullptr;
  std::string spill_path_;
  std::atomic<std::uint64_t> produced_{0}, delivered_{0}, failed_{0}, queue_full_{0}, spilled_{0}, dropped_{0};
  bool closed_ = false;
  std::string encode_buffer_;
};

struct ConsumerConfig {
  std::string brokers;
  std::string group = "mucstream-materializer";
  std::vector<std::string> topics = {"mucstream.events"};
  KafkaProperties properties;
};

// A consumer-group member with manual commits (offsets are committed by the caller after
// its work is durable). It counts lost messages: a committed offset below the partition's
// low watermark when a partition is assigned (retention dropped data nobody read), and
// offset gaps while consuming (a lagging fetch that jumped forward). Both are logged as errors.
class Consumer {
 public:
  explicit Consumer(ConsumerConfig);
  ~Consumer();

  // Next message or nullptr on timeout; partition EOFs and transient errors are handled here.
  std::unique_ptr<RdKafka::Message> poll(int timeout_ms);
  // Commits "consumed up to and including offset" for each (topic, partition).
  RdKafka::ErrorCode commit(const std::map<std::pair<std::string, int>, std::int64_t>& last_offsets);
  void pause_all();
  void resume_all();
  std::uint64_t lost() const { return lost_.load(); }
  std::size_t assigned() const;
  void close();

 private:
  class Rebalance;
  friend class Rebalance;
  void on_assign(std::vector<RdKafka::TopicPartition*>& parts);
  void on_revoke(std::vector<RdKafka::TopicPartition*>& parts);

  ConsumerConfig cfg_;
  std::unique_ptr<Rebalance> rebalance_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, std::int64_t> next_offset_;  // expected next offset
  std::atomic<std::uint64_t> lost_{0};
  bool closed_ = false;
};

}  // namespace mucstream::events
