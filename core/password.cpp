#include "core/password.hpp"

#include <charconv>
#include <cstdint>

#include "core/sha256.hpp"

namespace mucstream::core {
namespace {

std::string pbkdf2_block1(std::string_view password, std::string_view salt, int iterations) {
  // One 32-byte block of PBKDF2 (RFC 8018 §5.2) is all a 256-bit key needs.
  std::string s(salt);
  s.append("\x00\x00\x00\x01", 4);
  Digest u = hmac_sha256(password, s);
  Digest t = u;
  for (int i = 1; i < iterations; ++i) {
    u = hmac_sha256(password, std::string_view(reinterpret_cast<const char*>(u.data()), u.size()));
    for (std::size_t j = 0; j < t.size(); ++j) t[j] ^= u[j];
  }
  return std::string(reinterpret_cast<const char*>(t.data()), t.size());
}

std::string from_hex(std::string_view hex) {
  std::string out;
  if (hex.size() % 2) return out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    unsigned v = 0;
    auto r = std::from_chars(hex.data() + i, hex.data() + i + 2, v, 16);
    if (r.ec != std::errc{} || r.ptr != hex.data() + i + 2) return {};
    out.push_back(static_cast<char>(v));
  }
  return out;
}

}  // namespace

std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

std::string hash_password(std::string_view password, std::string_view salt, int iterations) {
  return "pbkdf2-sha256$" + std::to_string(iterations) + "$" + to_hex(salt) + "$" +
         to_hex(pbkdf2_block1(password, salt, iterations));
}

bool verify_password(std::string_view password, std::string_view stored) {
  constexpr std::string_view prefix = "pbkdf2-sha256$";
  if (stored.substr(0, prefix.size()) != prefix) return false;
  stored.remove_prefix(prefix.size());
  auto d1 = stored.find('$');
  if (d1 == std::string_view::npos) return false;
  auto d2 = stored.find('$', d1 + 1);
  if (d2 == std::string_view::npos) return false;
  int iterations = 0;
  auto r = std::from_chars(stored.data(), stored.data() + d1, iterations);
  if (r.ec != std::errc{} || iterations < 1 || iterations > 1'000'000) return false;
  std::string salt = from_hex(stored.substr(d1 + 1, d2 - d1 - 1));
  std::string expected = from_hex(stored.substr(d2 + 1));
  if (salt.empty() || expected.size() != 32) return false;
  std::string actual = pbkdf2_block1(password, salt, iterations);
  unsigned char diff = 0;  // constant time: no early exit on the first differing byte
  for (std::size_t i = 0; i < expected.size(); ++i) diff |= static_cast<unsigned char>(expected[i] ^ actual[i]);
  return diff == 0;
}

}  // namespace mucstream::core
