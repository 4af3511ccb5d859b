#pragma once
// SHA-256 and HMAC-SHA-256 (FIPS 180-4, RFC 2104), small enough to keep the core free of a
// crypto library; only room passwords are hashed with it.
#include <array>
#include <cstdint>
#include <string_view>

namespace mucstream::core {

using Digest = std::array<std::uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t len);
  void update(std::string_view s) { update(s.data(), s.size()); }
  Digest finish();

 private:
  void block(const std::uint8_t* p);
  std::array<std::uint32_t, 8> h_;
  std::array<std::uint8_t, 64> buf_{};
  std::size_t used_ = 0;
  std::uint64_t total_ = 0;
};

Digest sha256(std::string_view);
Digest hmac_sha256(std::string_view key, std::string_view message);

}  // namespace mucstream::core
