#pragma once
// Stanza-ids (the message_sent event ids) as text, checked before they reach PostgreSQL, and
// the time inside them. A UUIDv7 starts with its Unix millisecond time, so in the canonical
// lower-case form text order is byte order is time order: bounds on ids can be compared as
// strings and built from times.
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

namespace mucstream::sql {

// The canonical lower-case form of a UUID in any letter case, or nothing if `s` is not one.
inline std::optional<std::string> canonical_uuid(const std::string& s) {
  if (s.size() != 36) return std::nullopt;
  std::string out = s;
  for (std::size_t i = 0; i < out.size(); ++i) {
    char& c = out[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return std::nullopt;
      continue;
    }
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  return out;
}

// The millisecond time a UUIDv7 carries (its first 48 bits). `id` must be canonical.
inline std::int64_t uuid7_ms(const std::string& id) {
  std::int64_t ms = 0;
  for (char c : id.substr(0, 8) + id.substr(9, 4)) ms = ms * 16 + (c <= '9' ? c - '0' : c - 'a' + 10);
  return ms;
}

// The smallest UUID text with time `ms`: every UUIDv7 of that millisecond or later sorts
// after it, every one of an earlier millisecond before it.
inline std::string uuid7_floor(std::int64_t ms) {
  if (ms < 0) ms = 0;
  if (ms > 0xffffffffffffLL) ms = 0xffffffffffffLL;
  char hex[13];
  std::snprintf(hex, sizeof hex, "%012llx", static_cast<unsigned long long>(ms));
  const std::string h(hex);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-0000-0000-000000000000";
}

}  // namespace mucstream::sql
