#pragma once
// librdkafka pieces of the event pipeline: the embedded mock cluster, the producer that
// implements core::EventSink, and a consumer-group consumer that notices lost messages.
#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <optional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/sink.hpp"
#include "events/kafka_log.hpp"

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
  // Takes every broker down (connections closed, new ones refused) or back up: "Kafka away".
  void set_all_brokers_down(bool down);

 private:
  int brokers_ = 0;
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
  // Raw messages (produce_raw: dead letters, tools) only: how long to wait for queue space.
  // Room events never wait: publish() must not block the loop (see Producer).
  enum class QueueFull { wait, spill } queue_full = QueueFull::wait;
  int queue_full_wait_ms = 1000;
  std::string spill_dir;  // where events still undelivered at close() are written (fsync'd)
  // accepting() turns false when the oldest unacknowledged event is older than this.
  int unavailable_ms = 5000;
  // Room snapshots (key = bare room JID, value = events/room_snapshot.hpp JSON, null = the
  // room is gone) and each round's checkpoint record (key checkpoint_key).
  std::string snapshot_topic = "mucstream.snapshots";
  // A component serving several MUC domains runs one producer per domain, each with its own
  // snapshot rounds: each round's checkpoint then says where that domain's restore starts
  // (checkpoint_key_for), so one domain's round never moves another's start past events its
  // snapshots do not hold.
  std::string checkpoint_key = std::string("\0checkpoint", 11);
};

// The key of a snapshot round's checkpoint record in the snapshot topic. Its value:
//   {"v":1,"topic":"mucstream.events","upto":N,"time":"…","offsets":{"0":123,"1":0,…}}
// offsets = per events-topic partition, where a restore starts reading (see kafka_restore.hpp).
inline const std::string kCheckpointKey{"\0checkpoint", 11};

// The checkpoint key of one MUC domain's snapshot rounds (kCheckpointKey + "@" + domain);
// empty domain: kCheckpointKey (a component serving one domain).
inline std::string checkpoint_key_for(const std::string& domain) {
  return domain.empty() ? kCheckpointKey : kCheckpointKey + "@" + domain;
}

struct ProducerStats {
  std::uint64_t produced = 0;     // accepted into librdkafka's queue
  std::uint64_t delivered = 0;    // acknowledged by the cluster (acks=all)
  std::uint64_t failed = 0;       // delivery failed permanently (spilled, never reported durable)
  std::uint64_t queue_full = 0;   // times the local queue was full
  std::uint64_t spilled = 0;      // events written to the spill file
  std::uint64_t dropped = 0;      // raw messages that could neither be queued nor spilled (logged)
  std::uint64_t overflow = 0;     // events waiting in memory for queue space now
  std::uint64_t unacknowledged = 0;  // published positions not yet durable
  std::uint64_t snapshots = 0;    // snapshot records acknowledged (tombstones included)
  std::uint64_t checkpoints = 0;  // checkpoint records acknowledged
};

// The EventSink the room loop publishes to, and the commit point when Kafka is configured.
// Each event is encoded and handed to librdkafka keyed by the bare room JID (one room's
// events stay in one partition, in order), idempotent with acks=all, retried for ever
// (message.timeout.ms ~24 days). publish() returns positions 1, 2, 3 …; each message carries
// its position as the opaque, and the delivery reports served by the poll thread go to the
// durable handler in one batch per poll.
//
// An event librdkafka cannot queue (queue full) waits in an ordered in-memory overflow that
// the poll thread feeds into the queue as it drains; once anything waits there, later events
// wait behind it, so per-room order holds. Such an event is not durable until Kafka
// acknowledges it: a crash loses it, but nobody saw its effects (the loop parks them).
// accepting() is false while the overflow is not empty, the queue is 90 % full, or the oldest
// unacknowledged event is older than unavailable_ms. At close(), events still undelivered
// after the timeout are written to an fsync'd spill file (never reported durable); an operator
// may re-produce them with resend_spilled() (before a restore) or `kcat -P -K '\t'`.
//
// Snapshot rounds: each snapshot record is produced only once every event published before it
// is durable (a snapshot never holds an event the log may lose), and the round's checkpoint
// once all positions <= upto are durable and the round's records are acknowledged.
class Producer final : public core::EventSink {
 public:
  explicit Producer(ProducerConfig);
  ~Producer() override;  // flushes (see close)

  core::LogPosition publish(const core::Event&) override;
  void set_durable_handler(DurableHandler) override;
  bool accepting() const override;
  void snapshot_begin(core::LogPosition upto) override;
  void snapshot(const core::Room&) override;
  void snapshot_removed(const std::string& room_jid) override;
  void snapshot_end() override;

  // The events topic's end offsets a restore read up to (KafkaRestoreStats::end_offsets):
  // checkpoints never start a partition before them. Call before the first snapshot round.
  // `gone`: rooms whose live snapshot the restore found ended by later events
  // (KafkaRestoreStats::gone); the first round removes their snapshots.
  void set_restored_offsets(const std::map<std::int32_t, std::int64_t>& end_offsets,
                            const std::vector<std::string>& gone = {});

  // Produces an already encoded message (tools, benchmarks, dead letters).
  void produce_raw(const std::string& topic, const std::string& key, const std::string& payload,
                   const std::vector<std::pair<std::string, std::string>>& headers = {});
  // Waits until everything published or queued is acknowledged; false on timeout.
  bool flush(int timeout_ms);
  // Flushes for up to timeout_ms, then spills what is still undelivered. Idempotent.
  void close(int timeout_ms = 10000);
  // Re-produces events spilled by earlier runs (files in spill_dir); returns how many.
  std::size_t resend_spilled();

  ProducerStats stats() const;
  RdKafka::Producer& handle() { return *producer_; }

 private:
  class Reports;
  struct Outgoing;
  struct Held;
  struct Round;
  void spill(const std::string& key, const char* payload, std::size_t len, const char* why);
  bool enqueue(const std::string& topic, const std::string& key, const std::string& payload,
               const std::vector<std::pair<std::string, std::string>>& headers);
  // With mutex_ held.
  bool try_produce(const Outgoing&);
  void acknowledged(core::LogPosition);
  void poll_loop();
  void pump();  // overflow -> queue, held snapshot records -> queue, finished rounds -> checkpoint
  std::string checkpoint_value(const Round&) const;

  ProducerConfig cfg_;
  std::unique_ptr<Reports> reports_;
  std::unique_ptr<KafkaLogCb> log_cb_;
  std::unique_ptr<RdKafka::Producer> producer_;
  std::unique_ptr<RdKafka::Topic> events_topic_, snapshot_topic_;
  std::atomic<bool> stop_{false};
  std::thread poller_;
  std::mutex spill_mutex_;
  std::FILE* spill_file_ = nullptr;
  std::string spill_path_;
  std::atomic<std::uint64_t> produced_{0}, delivered_{0}, failed_{0}, queue_full_{0}, spilled_{0}, dropped_{0},
      snapshots_{0}, checkpoints_{0};
  bool closed_ = false;
  std::string encode_buffer_;
  std::size_t queue_limit_ = 100000;  // queue.buffering.max.messages

  std::mutex handler_mutex_;
  DurableHandler durable_;
  std::vector<core::LogPosition> batch_;  // poll thread: positions acknowledged in this poll

  mutable std::mutex mutex_;  // everything below
  core::LogPosition last_position_ = 0;
  core::LogPosition base_ = 1;              // every position below is durable
  std::deque<std::pair<std::int64_t, bool>> unacked_;  // from base_: (published at, steady ms; acked)
  std::deque<Outgoing> overflow_;
  std::deque<Held> held_;
  std::deque<Round> rounds_;
  std::uint64_t next_round_ = 1;
  std::map<std::int32_t, std::int64_t> delivered_hi_;  // events partition -> highest delivered offset
  std::map<std::int32_t, std::int64_t> restored_;
  std::vector<std::string> restored_gone_;  // snapshots to remove in the first round
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
