// The request target: percent-decoding and the query string.
#include <doctest/doctest.h>

#include "analytics/url.hpp"

using namespace mucstream::analytics;

TEST_CASE("url: percent-decoding of paths and query values") {
  CHECK(percent_decode("/v1/rooms/a%20b", false) == "/v1/rooms/a b");
  CHECK(percent_decode("a+b", false) == "a+b");
  CHECK(percent_decode("a+b", true) == "a b");
  CHECK(percent_decode("%2B%2b", true) == "++");
  CHECK(percent_decode("%", false) == std::nullopt);
  CHECK(percent_decode("%4", false) == std::nullopt);
  CHECK(percent_decode("%zz", false) == std::nullopt);
  CHECK(percent_decode("", false) == "");
}

TEST_CASE("url: the query string keeps every pair, empty values and repeated names") {
  const auto q = parse_query("limit=5&&name=a%20b&flag&until=2026-11-22T05:00:00+01:00&limit=6");
  REQUIRE(q.has_value());
  CHECK(q->count("limit") == 2);
  CHECK(q->find("name")->second == "a b");
  CHECK(q->find("flag")->second == "");
  CHECK(q->find("until")->second == "2026-11-22T05:00:00 01:00");  // '+' not encoded: a space
  CHECK(q->size() == 5);
  CHECK(parse_query("")->empty());
  CHECK(parse_query("a=%G0") == std::nullopt);
}
