#pragma once
// What the materialiser counts in memory before it adds to a rollup: an event's hour, slot and
// tenant, computed as the SQL definitions compute them, and the array literals the counts
// travel in as statement parameters.
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace mucstream::sql {

constexpr std::int64_t kHourMs = 3600LL * 1000;
constexpr std::int64_t kSlotMs = 300LL * 1000;

// The start of the period of `period_ms` an event counts in: floor, also before 1970.
inline std::int64_t floor_to(std::int64_t ms, std::int64_t period_ms) {
  const std::int64_t q = ms / period_ms;
  return (ms % period_ms < 0 ? q - 1 : q) * period_ms;
}

// The hour an event counts in (mucstream_hour).
inline std::int64_t hour_of(std::int64_t ms) { return floor_to(ms, kHourMs); }

// The five-minute slot an event counts in (mucstream_slot).
inline std::int64_t slot_of(std::int64_t ms) { return floor_to(ms, kSlotMs); }

// The tenant of an event: its room JID's domain, as split_part(room, '@', 2) in SQL (the
// text after the first '@', empty without one).
inline std::string_view domain_of(std::string_view room) {
  const auto at = room.find('@');
  if (at == std::string_view::npos) return {};
  const auto rest = room.substr(at + 1);
  return rest.substr(0, rest.find('@'));
}

// A PostgreSQL array literal ({"a","b"}) built element by element, each quoted as
// text_array quotes it: bound as a parameter, never spliced into SQL.
class ArrayLiteral {
 public:
  void add(std::string_view s) {
    text_ += text_.size() > 1 ? ",\"" : "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') text_ += '\\';
      text_ += c;
    }
    text_ += '"';
  }
  void add(long long n) { add(std::string_view(std::to_string(n))); }
  // The shortest text that reads back as the same double (float8in rounds it to it).
  void add(double d) {
    char buf[32];
    const auto end = std::to_chars(buf, buf + sizeof buf, d).ptr;
    add(std::string_view(buf, static_cast<std::size_t>(end - buf)));
  }
  std::string str() const { return text_ + "}"; }

 private:
  std::string text_ = "{";
};

}  // namespace mucstream::sql
