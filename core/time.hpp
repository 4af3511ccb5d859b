#pragma once
// RFC 3339 / XEP-0082 date-times: the one reader and writer of the project's time text.
//
// Written as UTC with a 'Z': 2026-11-22T03:04:05.123Z (milliseconds; the microsecond form
// adds three digits only when there are sub-millisecond digits).
//
// Read strictly, the same everywhere (envelope, stanzas, query parameters):
//   YYYY-MM-DDTHH:MM:SS[.F](Z|+HH:MM|-HH:MM)
// - 'T' and 'Z' may be lower case (RFC 3339 5.6); a space for 'T' is refused;
// - F is 1 to 9 digits; digits past the precision asked for are truncated;
// - the date must exist (02-30 and 2023-02-29 are refused), hours 00-23, minutes and seconds
//   00-59: a leap second (:60) is refused, as neither PostgreSQL nor the Unix clock has one;
// - offsets are -23:59..+23:59;
// - the instant, after the offset, lies in years 0001..9999 (what the text can write back
//   and PostgreSQL's timestamptz can store).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mucstream::core {

// Bounds of what parse_* returns: 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999Z.
inline constexpr std::int64_t kMinTimeMicros = -62135596800000000;
inline constexpr std::int64_t kMaxTimeMicros = 253402300799999999;

// Milliseconds since 1970-01-01T00:00:00Z (events, stanzas, logs).
std::string format_time(std::int64_t unix_ms);
std::optional<std::int64_t> parse_time(std::string_view text);

// Microseconds since 1970-01-01T00:00:00Z (PostgreSQL timestamptz precision, the HTTP API).
// Formats .123Z when the microseconds are whole milliseconds, .123456Z otherwise.
std::string format_time_us(std::int64_t unix_us);
std::optional<std::int64_t> parse_time_us(std::string_view text);

}  // namespace mucstream::core
