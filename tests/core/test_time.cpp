// core/time: the one RFC 3339 / XEP-0082 reader and writer. The envelope, the stanza codec
// and the HTTP API used to disagree on the cases marked "was": each is pinned here.
#include <doctest/doctest.h>

#include <cstdint>

#include "core/time.hpp"

using namespace mucstream::core;

namespace {
constexpr std::int64_t k2026 = 1795316645;  // 2026-11-22T03:04:05Z in seconds
}

TEST_CASE("time: formats UTC with milliseconds") {
  CHECK(format_time(0) == "1970-01-01T00:00:00.000Z");
  CHECK(format_time(k2026 * 1000 + 250) == "2026-11-22T03:04:05.250Z");
  CHECK(format_time(951782400000) == "2000-02-29T00:00:00.000Z");
  // Before 1970 the fraction still counts forward (was: "23:59:59.-01" from gmtime and %).
  CHECK(format_time(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(format_time(-62135596800000) == "0001-01-01T00:00:00.000Z");
  CHECK(format_time(253402300799999) == "9999-12-31T23:59:59.999Z");
}

TEST_CASE("time: microsecond form adds digits only when there are any") {
  CHECK(format_time_us(0) == "1970-01-01T00:00:00.000Z");
  CHECK(format_time_us(k2026 * 1000000 + 123000) == "2026-11-22T03:04:05.123Z");
  CHECK(format_time_us(k2026 * 1000000 + 123456) == "2026-11-22T03:04:05.123456Z");
  CHECK(format_time_us(-500000) == "1969-12-31T23:59:59.500Z");
  CHECK(format_time_us(-1) == "1969-12-31T23:59:59.999999Z");
}

TEST_CASE("time: parses Z and offsets to the same instant") {
  CHECK(parse_time("2026-11-22T03:04:05Z") == k2026 * 1000);
  CHECK(parse_time("2026-11-22T04:04:05.250+01:00") == k2026 * 1000 + 250);
  CHECK(parse_time("2026-11-22T01:04:05-02:00") == k2026 * 1000);
  CHECK(parse_time("2000-02-29T01:30:00.5+01:30") == 951782400500);
  CHECK(parse_time("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_time_us("2026-11-22T03:04:05.123456Z") == k2026 * 1000000 + 123456);
  CHECK(parse_time_us("2026-11-22T05:04:05+02:00") == k2026 * 1000000);
  CHECK(parse_time_us("1969-12-31T23:59:59.5Z") == -500000);
}

TEST_CASE("time: fractions are truncated, never rounded, at the precision asked for") {
  CHECK(parse_time("2026-11-22T03:04:05.1239Z") == k2026 * 1000 + 123);
  CHECK(parse_time_us("2026-11-22T03:04:05.1234569Z") == k2026 * 1000000 + 123456);
  CHECK(parse_time_us("2026-11-22T03:04:05.123456789Z") == k2026 * 1000000 + 123456);
  // Before 1970 truncation goes towards the past (the same instant as the text's digits).
  CHECK(parse_time("1969-12-31T23:59:59.9995Z") == -1);
}

TEST_CASE("time: lower-case t and z are RFC 3339 (was: refused in stanzas)") {
  CHECK(parse_time("2026-11-22t03:04:05z") == k2026 * 1000);
}

TEST_CASE("time: dates that do not exist are refused (was: 02-31 accepted in stanzas)") {
  for (const char* bad : {"2026-02-31T00:00:00Z", "2026-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2001-02-29T00:00:00Z",
                          "1900-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
                          "2026-01-00T00:00:00Z", "2026-01-32T00:00:00Z"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_time(bad));
    CHECK_FALSE(parse_time_us(bad));
  }
  CHECK(parse_time("2024-02-29T00:00:00Z"));
  CHECK(parse_time("2000-02-29T00:00:00Z"));
}

TEST_CASE("time: hours, minutes and seconds stay in range, with no leap second (was: :60 accepted in stanzas)") {
  for (const char* bad : {"2026-11-22T03:04:60Z", "2016-12-31T23:59:60Z", "2026-11-22T03:60:00Z", "2026-11-22T24:00:00Z"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_time(bad));
    CHECK_FALSE(parse_time_us(bad));
  }
}

TEST_CASE("time: the shape is strict") {
  for (const char* bad : {
           "", "yesterday", "2026-11-22", "2026-11-22T03:04:05",  // no offset
           "2026-11-22 03:04:05Z",                                // space for T (was: accepted in the envelope)
           "2026-11-22T03:04:05.Z", "2026-11-22T03:04:05ZZ", "2026-11-22T03:04:05Z ",
           "2026-11-22T03:04:05.1234567890Z",                     // 10 fraction digits (was: accepted in envelope and stanzas)
           "2026-11-22T03:04:05+2:00", "2026-11-22T03:04:05+0200", "2026-11-22T03:04:05+02",
           "2026-11-22T03:04:05+24:00", "2026-11-22T03:04:05-02:60",  // (was: accepted in stanzas)
           "2026-11-22T03:04:05 02:00",                           // a query string's '+' is the API's business
           "+2026-11-22T03:04:05Z", "26-11-22T03:04:05Z", "2026-1-22T03:04:05Z",
           "2026/11/22T03:04:05Z", "2026-11-22T03.04.05Z", "１９７０-01-01T00:00:00Z"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_time(bad));
    CHECK_FALSE(parse_time_us(bad));
  }
}

TEST_CASE("time: instants outside years 0001..9999 are refused, after the offset") {
  CHECK(parse_time("0001-01-01T00:00:00Z") == -62135596800000);
  CHECK(parse_time("9999-12-31T23:59:59.999Z") == 253402300799999);
  CHECK(parse_time_us("9999-12-31T23:59:59.999999Z") == kMaxTimeMicros);
  CHECK_FALSE(parse_time("0000-12-31T23:59:59Z"));
  CHECK_FALSE(parse_time("0001-01-01T00:30:00+01:00"));
  CHECK_FALSE(parse_time("9999-12-31T23:30:00-01:00"));
}

TEST_CASE("time: what is written reads back") {
  for (std::int64_t ms : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{1763780645123}, std::int64_t{951782400000},
                          std::int64_t{-62135596800000}, std::int64_t{253402300799999}}) {
    CAPTURE(ms);
    CHECK(parse_time(format_time(ms)) == ms);
  }
  for (std::int64_t us : {std::int64_t{0}, std::int64_t{1}, std::int64_t{999999}, std::int64_t{-1},
                          k2026 * 1000000 + 123456, kMinTimeMicros, kMaxTimeMicros}) {
    CAPTURE(us);
    CHECK(parse_time_us(format_time_us(us)) == us);
  }
  // Every day of a leap year and a common one, at a time with an odd offset.
  for (std::int64_t day = 0; day < 366 + 365; ++day) {
    const std::int64_t ms = (10957 + day) * 86400000 + 45296789;  // 2000-01-01 + day, 12:34:56.789
    CHECK(parse_time(format_time(ms)) == ms);
  }
}
