#pragma once
// Ids and salts from a counter: the same rooms and events on every run. For tests and for
// benchmarks that reuse what an earlier run seeded; never for a running service.
#include <array>
#include <cstdint>
#include <string>

#include "core/ids.hpp"

namespace mucstream::core {

class CountingIds final : public IdSource {
 public:
  std::string next_id(std::int64_t now_ms) override {
    std::array<std::uint8_t, 10> r{};
    const std::uint64_t n = ++counter_;
    for (int i = 0; i < 8; ++i) r[2 + i] = static_cast<std::uint8_t>(n >> (56 - 8 * i));
    return format_uuid_v7(now_ms, r);
  }
  std::string random_bytes(std::size_t n) override {
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(++counter_ * 37);
    return s;
  }

 private:
  std::uint64_t counter_ = 0;
};

}  // namespace mucstream::core
