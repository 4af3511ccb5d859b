#include "events/ids.hpp"

#include <sys/random.h>

#include <stdexcept>

namespace mucstream::events {
namespace {
void kernel_random(void* buf, std::size_t n) {
  auto* p = static_cast<unsigned char*>(buf);
  while (n > 0) {
    const ssize_t got = getrandom(p, n, 0);
    if (got < 0) throw std::runtime_error("getrandom failed");
    p += got;
    n -= static_cast<std::size_t>(got);
  }
}
}  // namespace

UuidV7Ids::UuidV7Ids() {
  std::uint64_t seed;
  kernel_random(&seed, sizeof seed);
  rng_.seed(seed);
}

std::string UuidV7Ids::next_id(std::int64_t now_ms) {
  std::array<std::uint8_t, 10> r{};
  std::int64_t ms;
  {
    std::lock_guard lock(mutex_);
    const std::uint64_t tail = rng_();
    if (now_ms > last_ms_) {
      last_ms_ = now_ms;
      counter_ = static_cast<std::uint32_t>(tail >> 53);  // start in the lower half: room to count
    } else if (++counter_ > 0xfff) {
      ++last_ms_;  // the counter ran out (4096 ids in one ms, or the clock went back): borrow the next ms
      counter_ = static_cast<std::uint32_t>(tail >> 53);
    }
    ms = last_ms_;
    r[0] = static_cast<std::uint8_t>(counter_ >> 8);
    r[1] = static_cast<std::uint8_t>(counter_);
    const std::uint64_t more = rng_();
    for (int i = 0; i < 8; ++i) r[2 + i] = static_cast<std::uint8_t>(more >> (8 * i));
  }
  return core::format_uuid_v7(ms, r);
}

std::string UuidV7Ids::random_bytes(std::size_t n) {
  std::string s(n, '\0');
  kernel_random(s.data(), n);
  return s;
}

}  // namespace mucstream::events
