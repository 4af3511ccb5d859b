#include "tools/common/uuid_ids.hpp"

namespace mucstream::tools {

UuidV7Ids::UuidV7Ids() {
  std::random_device rd;
  std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
  rng_.seed(seq);
}

std::string UuidV7Ids::next_id(std::int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  if (now_ms > last_ms_) {
    last_ms_ = now_ms;
    counter_ = static_cast<std::uint32_t>(rng_() & 0x3ff);  // random start, room to count up
  } else if (++counter_ > 0xfff) {  // clock went back or 4096 ids in one ms: borrow the next ms
    ++last_ms_;
    counter_ = 0;
  }
  std::array<std::uint8_t, 10> r{};
  std::uint64_t a = rng_();
  std::uint64_t b = rng_();
  r[0] = static_cast<std::uint8_t>((counter_ >> 8) & 0x0f);
  r[1] = static_cast<std::uint8_t>(counter_ & 0xff);
  for (int i = 2; i < 10; ++i) r[i] = static_cast<std::uint8_t>((i < 6 ? a : b) >> (8 * (i % 4)));
  r[2] = static_cast<std::uint8_t>(a >> 40);
  return core::format_uuid_v7(last_ms_, r);
}

std::string UuidV7Ids::random_bytes(std::size_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng_() & 0xff);
  return s;
}

}  // namespace mucstream::tools
