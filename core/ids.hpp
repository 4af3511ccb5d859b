#pragma once
// The one impure need of decide(): fresh identifiers and salt. The core declares it, the
// outside implements it (a UUIDv7 generator in production, a counter in tests).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mucstream::core {

class IdSource {
 public:
  virtual ~IdSource() = default;
  // A globally unique, time-ordered id (events, sessions, rooms).
  virtual std::string next_id(std::int64_t now_ms) = 0;
  // Unpredictable bytes for salts.
  virtual std::string random_bytes(std::size_t n) = 0;
};

// Formats a UUIDv7 (RFC 9562) from a Unix millisecond time and 10 random bytes.
std::string format_uuid_v7(std::int64_t unix_ms, const std::array<std::uint8_t, 10>& random);

// The Unix millisecond time in a UUIDv7 (any case, with hyphens), or nullopt when `id` is not
// one: what tells how old a stanza-id the room stamped is.
std::optional<std::int64_t> uuid_v7_time_ms(std::string_view id);

// Lower-case hex of `bytes` (salts from random_bytes() as they appear in events).
std::string to_hex(std::string_view bytes);

}  // namespace mucstream::core
