#pragma once
// Parsing and validation of request parameters. Every function either returns a value of
// the right type and range or throws ParamError naming the parameter; handlers never see
// raw strings they could splice into SQL (queries bind every value with exec_params).
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"

namespace mucstream::analytics {

class ParamError : public std::invalid_argument {
 public:
  ParamError(std::string param, const std::string& message)
      : std::invalid_argument("invalid parameter '" + param + "': " + message), param_(std::move(param)) {}
  const std::string& param() const { return param_; }

 private:
  std::string param_;
};

// Microseconds since 1970-01-01T00:00:00Z (PostgreSQL timestamptz precision).
using UnixMicros = std::int64_t;

// RFC 3339 date-time as core/time reads it (core::parse_time_us), and also with a space
// where the offset's '+' was ('+' in a query string decodes to a space when the client did
// not percent-encode it). nullopt when invalid.
std::optional<UnixMicros> parse_rfc3339(std::string_view text);
// 2026-11-22T03:04:05.123Z (milliseconds), or .123456Z when there are sub-millisecond digits.
inline std::string format_rfc3339(UnixMicros t) { return core::format_time_us(t); }

// 8-4-4-4-12 hexadecimal; returned lowercased.
std::optional<std::string> parse_uuid(std::string_view text);

// A keyset position: (time, id) of the last row a page returned. Opaque to clients:
// base64url of "<kind>1:<micros>:<uuid>", where kind says which listing made it.
struct Cursor {
  char kind = 'e';  // 'e' events, 'r' rooms, 'u' users, 'o'/'n' messages towards older/newer
  UnixMicros time = 0;
  std::string id;   // lowercase uuid
  bool operator==(const Cursor&) const = default;
};
std::string encode_cursor(const Cursor& c);
std::optional<Cursor> decode_cursor(std::string_view text);

std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

// Durations for token lifetimes: "90", "90s", "15m", "1h", "7d" (seconds). nullopt if bad.
std::optional<std::int64_t> parse_duration_seconds(std::string_view text);

// The query string of one request, read by name. Each getter validates and throws
// ParamError; a parameter given twice is an error. check_all_used() throws for any
// parameter no getter asked for, so a typo ("lmit=5") is a 400, not silently ignored.
class Query {
 public:
  explicit Query(std::multimap<std::string, std::string> params) : params_(std::move(params)) {}

  std::optional<std::string> text(const std::string& name, std::size_t max_len = 256);
  std::int64_t integer(const std::string& name, std::int64_t fallback, std::int64_t min, std::int64_t max);
  std::optional<bool> boolean(const std::string& name);  // true|false|1|0
  std::optional<UnixMicros> time(const std::string& name);
  std::optional<std::string> one_of(const std::string& name, std::initializer_list<std::string_view> allowed);
  // Comma-separated values, each from `allowed`; empty vector when absent.
  std::vector<std::string> list_of(const std::string& name, const std::set<std::string, std::less<>>& allowed);
  std::optional<std::string> uuid(const std::string& name);
  std::optional<Cursor> cursor(const std::string& name, char kind);
  void check_all_used() const;

 private:
  std::optional<std::string> raw(const std::string& name);
  std::multimap<std::string, std::string> params_;
  std::set<std::string> used_;
};

// The `until` of a period left to default to "up to now": the end of the UTC hour holding
// now_seconds. The rollups answer whole hours; a period ending mid-hour also reads that
// hour's raw rows (for P2P quality, every stats sample of it), so the default period costs
// what an explicit whole-hour one does, and shows everything stored so far.
UnixMicros default_until(std::int64_t now_seconds);

// since < until when both are given (throws ParamError naming `until_name`).
void check_range(const std::optional<UnixMicros>& since, const std::optional<UnixMicros>& until,
                 const std::string& until_name = "until");

}  // namespace mucstream::analytics
