#pragma once
// Waits for something another thread (librdkafka's, a log's writer) makes true, bounded.
#include <chrono>
#include <thread>

namespace mucstream::testing {

template <class F>
bool eventually(F f, int ms) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!f()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace mucstream::testing
