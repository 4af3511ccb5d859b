#include "core/time.hpp"

#include <cstdio>

namespace mucstream::core {
namespace {

// Days since 1970-01-01 <-> proleptic Gregorian date (Howard Hinnant's algorithms).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month, day;
};
Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return kDays[m - 1] + (m == 2 && leap(y));
}

// The `n` ASCII digits at `at` as a number; -1 when any is missing or not a digit.
int digits(std::string_view s, std::size_t at, std::size_t n) {
  if (at + n > s.size()) return -1;
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// Floor division and its non-negative remainder.
std::int64_t floor_div(std::int64_t a, std::int64_t b, std::int64_t& rem) {
  std::int64_t q = a / b;
  rem = a % b;
  if (rem < 0) {
    rem += b;
    --q;
  }
  return q;
}

// "YYYY-MM-DDTHH:MM:SS" of whole seconds since the epoch.
std::string format_seconds(std::int64_t unix_s) {
  std::int64_t sec = 0;
  const Civil c = civil_from_days(floor_div(unix_s, 86400, sec));
  char buf[48];
  const int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d", static_cast<long long>(c.year), c.month,
                              c.day, static_cast<int>(sec / 3600), static_cast<int>(sec / 60 % 60),
                              static_cast<int>(sec % 60));
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace

std::optional<std::int64_t> parse_time_us(std::string_view s) {
  const int y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2);
  const int h = digits(s, 11, 2), mi = digits(s, 14, 2), se = digits(s, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || se < 0) return std::nullopt;
  if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':') return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || se > 59) return std::nullopt;
  std::size_t i = 19;
  std::int64_t micros = 0;
  if (i < s.size() && s[i] == '.') {
    const std::size_t start = ++i;
    std::int64_t scale = 100000;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      micros += (s[i] - '0') * scale;  // digits past microseconds are truncated
      scale /= 10;
    }
    if (i == start || i - start > 9) return std::nullopt;
  }
  if (i >= s.size()) return std::nullopt;
  std::int64_t offset_min = 0;
  if (s[i] == 'Z' || s[i] == 'z') {
    ++i;
  } else if (s[i] == '+' || s[i] == '-') {
    const int oh = digits(s, i + 1, 2), om = digits(s, i + 4, 2);
    if (oh < 0 || om < 0 || s[i + 3] != ':' || oh > 23 || om > 59) return std::nullopt;
    offset_min = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  const std::int64_t secs = ((days * 24 + h) * 60 + mi - offset_min) * 60 + se;
  const std::int64_t t = secs * 1000000 + micros;
  if (t < kMinTimeMicros || t > kMaxTimeMicros) return std::nullopt;
  return t;
}

std::optional<std::int64_t> parse_time(std::string_view s) {
  const auto us = parse_time_us(s);
  if (!us) return std::nullopt;
  std::int64_t rem = 0;
  return floor_div(*us, 1000, rem);
}

std::string format_time(std::int64_t unix_ms) {
  std::int64_t ms = 0;
  const std::int64_t secs = floor_div(unix_ms, 1000, ms);
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03dZ", static_cast<int>(ms));
  return format_seconds(secs) + frac;
}

std::string format_time_us(std::int64_t unix_us) {
  std::int64_t us = 0;
  const std::int64_t secs = floor_div(unix_us, 1000000, us);
  char frac[12];
  if (us % 1000 == 0) std::snprintf(frac, sizeof frac, ".%03dZ", static_cast<int>(us / 1000));
  else std::snprintf(frac, sizeof frac, ".%06dZ", static_cast<int>(us));
  return format_seconds(secs) + frac;
}

}  // namespace mucstream::core
