#pragma once
// A room loop for tests: one thread owns a core::Service and executes queued commands
// through core::execute, as xmpp::RoomService does; submit() may be called from any thread.
#include <array>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "core/decide.hpp"
#include "crypto/openssl_crypto.hpp"

namespace mucstream::analytics::testing {

class SequentialIds final : public core::IdSource {
 public:
  std::string next_id(std::int64_t now_ms) override {
    std::array<std::uint8_t, 10> r{};
    const std::uint64_t n = ++n_;
    for (int i = 0; i < 8; ++i) r[2 + i] = static_cast<std::uint8_t>(n >> (56 - 8 * i));
    return core::format_uuid_v7(now_ms, r);
  }
  std::string random_bytes(std::size_t n) override { return std::string(n, 'x'); }

 private:
  std::uint64_t n_ = 0;
};

// The room loop: one thread owns the rooms; submit() queues from any thread.
class Loop {
 public:
  // Each command runs one second after the previous, from `first_ms`: two loops writing into
  // one database need different starts, or their sequential ids would collide.
  explicit Loop(std::int64_t first_ms = 1'795'316'645'000) : start_ms_(first_ms), thread_([this] { serve(); }) {
    cfg_.domain = "rooms.localhost";
  }
  ~Loop() {
    {
      std::lock_guard l(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void submit(core::Command c, std::function<void(const core::Decision&)> done) {
    {
      std::lock_guard l(mu_);
      queue_.push_back({std::move(c), std::move(done), {}});
    }
    cv_.notify_all();
  }
  // A read of the rooms on the loop, in order with commands (RoomService::inspect).
  void inspect(std::function<void(const core::Service&)> read) {
    {
      std::lock_guard l(mu_);
      queue_.push_back({core::Command{}, {}, std::move(read)});
    }
    cv_.notify_all();
  }
  // Runs a command on the loop and waits for it (for the test's own XMPP-side actions).
  core::Decision run(core::Command c) {
    std::promise<core::Decision> p;
    auto f = p.get_future();
    submit(std::move(c), [&p](const core::Decision& d) { p.set_value(d); });
    return f.get();
  }
  std::vector<core::Decision> decisions() {
    std::lock_guard l(mu_);
    return decisions_;
  }

 private:
  void serve() {
    std::int64_t now = start_ms_;
    while (true) {
      Item item;
      {
        std::unique_lock l(mu_);
        cv_.wait(l, [&] { return stop_ || !queue_.empty(); });
        if (stop_ && queue_.empty()) return;
        item = std::move(queue_.front());
        queue_.pop_front();
      }
      if (item.read) {
        item.read(svc_);
        continue;
      }
      core::Context ctx{cfg_, now += 1000, ids_, crypto_};
      core::Decision d = core::execute(svc_, item.cmd, ctx);
      {
        std::lock_guard l(mu_);
        decisions_.push_back(d);
      }
      if (item.done) item.done(d);
    }
  }
  core::ServiceConfig cfg_;
  core::Service svc_;
  SequentialIds ids_;
  crypto::OpenSslCrypto crypto_{1000};  // real hashes at a test cost
  std::mutex mu_;
  std::condition_variable cv_;
  struct Item {
    core::Command cmd;
    std::function<void(const core::Decision&)> done;
    std::function<void(const core::Service&)> read;
  };
  std::deque<Item> queue_;
  std::vector<core::Decision> decisions_;
  bool stop_ = false;
  std::int64_t start_ms_;
  std::thread thread_;
};

}  // namespace mucstream::analytics::testing
