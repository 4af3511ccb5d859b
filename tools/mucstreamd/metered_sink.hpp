#pragma once
// An EventSink in front of another that counts what the commit point waits for, so /metrics
// shows it whatever the log is (Kafka producer, PostgreSQL commit log, a log line):
// positions published, positions reported durable, and whether the log accepts actions.
#include <atomic>
#include <cstdint>

#include "core/sink.hpp"

namespace mucstream::tools {

class MeteredSink final : public core::EventSink {
 public:
  explicit MeteredSink(core::EventSink& inner) : inner_(inner) {}

  core::LogPosition publish(const core::Event& e) override;
  void set_durable_handler(DurableHandler h) override;
  bool accepting() const override;
  void snapshot_begin(core::LogPosition upto) override { inner_.snapshot_begin(upto); }
  void snapshot(const core::Room& r) override { inner_.snapshot(r); }
  void snapshot_removed(const std::string& room_jid) override { inner_.snapshot_removed(room_jid); }
  void snapshot_end() override;

  // Readable from any thread (scrapes).
  std::uint64_t published() const { return published_.load(std::memory_order_relaxed); }
  // Events whose position is durable (those published with position 0 count at once).
  std::uint64_t durable() const { return durable_.load(std::memory_order_relaxed); }
  std::uint64_t pending() const {
    const auto p = published(), d = durable();
    return p > d ? p - d : 0;
  }
  // As last seen by the loop (accepting() is the loop's to call).
  bool last_accepting() const { return accepting_.load(std::memory_order_relaxed); }
  std::uint64_t snapshot_rounds() const { return rounds_.load(std::memory_order_relaxed); }

 private:
  core::EventSink& inner_;
  std::atomic<std::uint64_t> published_{0}, durable_{0}, rounds_{0};
  mutable std::atomic<bool> accepting_{true};
};

}  // namespace mucstream::tools
