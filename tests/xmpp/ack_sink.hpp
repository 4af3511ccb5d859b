#pragma once
// A sink whose acknowledgements the test gives: publish() returns 1, 2, 3 …, nothing is
// durable until ack()/ack_all() reports it (from the test's thread, as a real log's thread
// would). accepting() is the test's to set; snapshot calls are recorded as text.
#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "core/sink.hpp"

namespace mucstream::xmpp::testing {

class AckSink final : public core::EventSink {
 public:
  core::LogPosition publish(const core::Event& e) override {
    std::lock_guard<std::mutex> l(mu_);
    events_.push_back(e);
    unacked_.push_back(++next_);
    return next_;
  }
  void set_durable_handler(DurableHandler h) override {
    std::lock_guard<std::mutex> l(mu_);
    handler_ = std::move(h);
  }
  bool accepting() const override { return accepting_.load(); }
  void snapshot_begin(core::LogPosition upto) override { record("begin:" + std::to_string(upto)); }
  void snapshot(const core::Room& r) override {
    record("room:" + r.jid + "@" + std::to_string(r.seq) + "/" + std::to_string(r.occupants.size()));
  }
  void snapshot_removed(const std::string& jid) override { record("removed:" + jid); }
  void snapshot_end() override { record("end"); }

  void set_accepting(bool a) { accepting_ = a; }
  // Reports these positions durable through the handler, as the log's thread does.
  void ack(std::vector<core::LogPosition> ps) {
    DurableHandler h;
    {
      std::lock_guard<std::mutex> l(mu_);
      h = handler_;
      for (auto p : ps) std::erase(unacked_, p);
    }
    if (h) h(std::move(ps));
  }
  void ack_all() {
    std::vector<core::LogPosition> ps;
    {
      std::lock_guard<std::mutex> l(mu_);
      ps = unacked_;
    }
    ack(std::move(ps));
  }
  std::vector<core::LogPosition> unacked() {
    std::lock_guard<std::mutex> l(mu_);
    return unacked_;
  }
  core::LogPosition last() {
    std::lock_guard<std::mutex> l(mu_);
    return next_;
  }
  std::vector<core::Event> events() {
    std::lock_guard<std::mutex> l(mu_);
    return events_;
  }
  std::vector<std::string> snapshots() {
    std::lock_guard<std::mutex> l(mu_);
    return snapshots_;
  }
  void clear_snapshots() {
    std::lock_guard<std::mutex> l(mu_);
    snapshots_.clear();
  }

 private:
  void record(std::string s) {
    std::lock_guard<std::mutex> l(mu_);
    snapshots_.push_back(std::move(s));
  }
  mutable std::mutex mu_;
  std::vector<core::Event> events_;
  std::vector<core::LogPosition> unacked_;
  core::LogPosition next_ = 0;
  DurableHandler handler_;
  std::atomic<bool> accepting_{true};
  std::vector<std::string> snapshots_;
};

}  // namespace mucstream::xmpp::testing
