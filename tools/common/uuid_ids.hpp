#pragma once
// The production IdSource: UUIDv7 (RFC 9562) from the wall clock and std::random_device
// seeded randomness; ids from one source strictly increase, even within one millisecond
// (a 12-bit counter in rand_a, as RFC 9562 §6.2 method 1 allows).
#include <cstdint>
#include <mutex>
#include <random>

#include "core/ids.hpp"

namespace mucstream::tools {

class UuidV7Ids final : public core::IdSource {
 public:
  UuidV7Ids();
  std::string next_id(std::int64_t now_ms) override;
  std::string random_bytes(std::size_t n) override;

 private:
  std::mutex mu_;  // cheap when uncontended; the room loop is the only caller in practice
  std::mt19937_64 rng_;
  std::int64_t last_ms_ = 0;
  std::uint32_t counter_ = 0;
};

}  // namespace mucstream::tools
