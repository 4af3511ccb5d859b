#include "core/ids.hpp"

namespace mucstream::core {

std::string format_uuid_v7(std::int64_t unix_ms, const std::array<std::uint8_t, 10>& r) {
  std::array<std::uint8_t, 16> b{};
  auto ms = static_cast<std::uint64_t>(unix_ms);
  for (int i = 0; i < 6; ++i) b[i] = static_cast<std::uint8_t>(ms >> (40 - 8 * i));
  b[6] = static_cast<std::uint8_t>(0x70 | (r[0] & 0x0f));  // version 7
  b[7] = r[1];
  b[8] = static_cast<std::uint8_t>(0x80 | (r[2] & 0x3f));  // variant 10
  for (int i = 9; i < 16; ++i) b[i] = r[i - 6];
  static constexpr char hex[] = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(hex[b[i] >> 4]);
    s.push_back(hex[b[i] & 15]);
  }
  return s;
}

std::optional<std::int64_t> uuid_v7_time_ms(std::string_view id) {
  if (id.size() != 36) return std::nullopt;
  std::uint64_t ms = 0;
  int digits = 0;
  for (std::size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return std::nullopt;
      continue;
    }
    int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (v < 0) return std::nullopt;
    if (i == 14 && v != 7) return std::nullopt;  // the version nibble
    if (digits < 12) ms = (ms << 4) | static_cast<std::uint64_t>(v);
    ++digits;
  }
  return static_cast<std::int64_t>(ms);
}

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

}  // namespace mucstream::core
