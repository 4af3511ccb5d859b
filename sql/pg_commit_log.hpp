#pragma once
// The embedded default's commit point: PostgreSQL as the event log. publish() only queues a
// copy of the event (the room loop never waits on the database) and returns its position;
// a thread of its own writes what is queued with sql::EventWriter, one transaction per
// batch (group commit: rooms, users and reports maintained in it as the materialiser
// does), then reports the batch's positions durable, then hands the events to an optional
// mirror sink (the embedded mock cluster's producer, so tails of the events topic still
// work). Snapshot rounds upsert and delete rows of room_snapshots (migration 0008), written
// in order with the events: a snapshot is never stored before the events it contains.
//
// PostgreSQL down: the batch is retried with backoff, in order, nothing dropped; accepting()
// turns false once the oldest event not yet durable has waited longer than
// `unavailable_ms`, or when the queue holds more than `queue_max` events, and true again
// once it drains.
#include <cstdint>
#include <memory>
#include <string>

#include "core/sink.hpp"

namespace mucstream::sql {

struct PgCommitLogConfig {
  std::string pg;                      // libpq connection string
  bool migrate = true;                 // apply migrations on the first connect
  std::size_t batch_max = 5000;        // events per transaction at most
  std::size_t queue_max = 200000;      // queued events beyond which accepting() is false
  int unavailable_ms = 5000;           // commit.unavailable_ms
  int backoff_min_ms = 50;
  int backoff_max_ms = 2000;
  core::EventSink* mirror = nullptr;   // receives each event after it is durable; not owned
};

struct PgCommitLogStats {
  std::uint64_t published = 0;          // events queued
  std::uint64_t written = 0;            // events committed (new rows; redelivered ones included)
  std::uint64_t batches = 0;            // event transactions committed
  std::uint64_t snapshots_written = 0;  // room_snapshots rows upserted
  std::uint64_t snapshots_removed = 0;  // room_snapshots rows deleted
  std::uint64_t pg_failures = 0;        // failed attempts (each followed by a backoff)
  std::uint64_t refused = 0;            // events PostgreSQL refused as data (logged, skipped)
  std::size_t queued = 0;               // events waiting or being written now
  core::LogPosition durable = 0;        // highest position reported durable
  std::int64_t last_commit_ms = 0;      // duration of the last event transaction
  std::int64_t last_latency_ms = 0;     // publish of its first event -> durable
  bool accepting = true;
};

class PgCommitLog final : public core::EventSink {
 public:
  explicit PgCommitLog(PgCommitLogConfig);
  // Stops the thread after a bounded attempt (up to `unavailable_ms`) to write what is queued.
  ~PgCommitLog() override;

  core::LogPosition publish(const core::Event&) override;
  void set_durable_handler(DurableHandler) override;
  bool accepting() const override;
  void snapshot_begin(core::LogPosition upto) override;
  void snapshot(const core::Room&) override;
  void snapshot_removed(const std::string& room_jid) override;
  void snapshot_end() override;

  // Waits until everything queued so far is written (true) or `timeout_ms` passed (false).
  bool flush(int timeout_ms);
  PgCommitLogStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mucstream::sql
