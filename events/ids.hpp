#pragma once
// Production IdSource: UUIDv7 (RFC 9562) with the 12-bit rand_a field used as a counter
// (the RFC's "method 1"), so ids from one source increase strictly even within one
// millisecond, and kernel randomness for the rest and for salts. Thread-safe.
#include <cstdint>
#include <mutex>
#include <random>

#include "core/ids.hpp"

namespace mucstream::events {

class UuidV7Ids final : public core::IdSource {
 public:
  UuidV7Ids();
  std::string next_id(std::int64_t now_ms) override;
  std::string random_bytes(std::size_t n) override;

 private:
  std::mutex mutex_;
  std::int64_t last_ms_ = -1;
  std::uint32_t counter_ = 0;  // 12 bits
  std::mt19937_64 rng_;         // seeded from the kernel; only for the non-secret id tail
};

}  // namespace mucstream::events
