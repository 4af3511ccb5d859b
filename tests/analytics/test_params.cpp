// Parameter parsing: every malformed or hostile value is refused with the parameter named.
#include <doctest/doctest.h>

#include <functional>

#include "analytics/params.hpp"

using namespace mucstream::analytics;

namespace {
Query query(std::multimap<std::string, std::string> p) { return Query(std::move(p)); }

// Strings an attacker tries in every filter.
const std::vector<std::string> kInjections = {
    "' OR '1'='1", "1; DROP TABLE events; --", "x' UNION SELECT * FROM users --", "\" OR \"\"=\"",
    "1 OR 1=1", "'); DELETE FROM rooms; --", "\\'; SELECT pg_sleep(10); --", "%27%20OR%201=1", "$1", "NULL",
};

std::string param_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ParamError& e) {
    return e.param();
  }
  return "<no error>";
}
}  // namespace

TEST_CASE("params: RFC 3339 times parse to exact microseconds") {
  CHECK(parse_rfc3339("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_rfc3339("2026-11-22T03:04:05Z") == 1795316645LL * 1000000);
  CHECK(parse_rfc3339("2026-11-22T03:04:05.123Z") == 1795316645LL * 1000000 + 123000);
  CHECK(parse_rfc3339("2026-11-22T03:04:05.123456Z") == 1795316645LL * 1000000 + 123456);
  CHECK(parse_rfc3339("2026-11-22T03:04:05.1234569Z") == 1795316645LL * 1000000 + 123456);  // truncated
  CHECK(parse_rfc3339("2026-11-22T05:04:05+02:00") == 1795316645LL * 1000000);
  CHECK(parse_rfc3339("2026-11-22T05:04:05 02:00") == 1795316645LL * 1000000);  // '+' decoded as space
  CHECK(parse_rfc3339("2026-11-22T01:04:05-02:00") == 1795316645LL * 1000000);
  CHECK(parse_rfc3339("2024-02-29T00:00:00Z").has_value());
  CHECK(parse_rfc3339("1969-12-31T23:59:59.5Z") == -500000);
}

TEST_CASE("params: malformed times are refused") {
  for (const char* bad : {"", "2026-11-22", "2026-11-22T03:04:05", "2026-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
                          "2026-11-22T24:00:00Z", "2026-11-22T03:60:00Z", "2026-11-22T03:04:60Z",
                          "2026-11-22T03:04:05.Z", "2026-11-22T03:04:05ZZ", "2026-11-22T03:04:05+2:00",
                          "yesterday", "2026-11-22T03:04:05.1234567890Z", "１９７０-01-01T00:00:00Z"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_rfc3339(bad).has_value());
  }
  for (const auto& s : kInjections) CHECK_FALSE(parse_rfc3339(s).has_value());
}

TEST_CASE("params: times format back as RFC 3339 and round-trip") {
  CHECK(format_rfc3339(0) == "1970-01-01T00:00:00.000Z");
  CHECK(format_rfc3339(1795316645LL * 1000000 + 123000) == "2026-11-22T03:04:05.123Z");
  CHECK(format_rfc3339(1795316645LL * 1000000 + 123456) == "2026-11-22T03:04:05.123456Z");
  CHECK(format_rfc3339(-500000) == "1969-12-31T23:59:59.500Z");
  for (long long t : {0LL, 1LL, 999999LL, 1795316645123456LL, -1LL, 951782400000000LL})
    CHECK(parse_rfc3339(format_rfc3339(t)) == t);
}

TEST_CASE("params: a period left to end now ends at the end of the current UTC hour") {
  const std::int64_t at = *parse_rfc3339("2026-11-22T10:17:03Z") / 1000000;
  CHECK(format_rfc3339(default_until(at)) == "2026-11-22T11:00:00.000Z");
  const std::int64_t on_the_hour = *parse_rfc3339("2026-11-22T10:00:00Z") / 1000000;
  CHECK(format_rfc3339(default_until(on_the_hour)) == "2026-11-22T10:00:00.000Z");
  CHECK(format_rfc3339(default_until(on_the_hour + 1)) == "2026-11-22T11:00:00.000Z");
}

TEST_CASE("params: UUIDs are validated and lowercased") {
  CHECK(parse_uuid("0190F3C2-8A4B-7C3D-9E2F-0A1B2C3D4E5F") == "0190f3c2-8a4b-7c3d-9e2f-0a1b2c3d4e5f");
  CHECK_FALSE(parse_uuid("0190f3c2-8a4b-7c3d-9e2f-0a1b2c3d4e5").has_value());
  CHECK_FALSE(parse_uuid("0190f3c2x8a4b-7c3d-9e2f-0a1b2c3d4e5f").has_value());
  CHECK_FALSE(parse_uuid("0190f3c2-8a4b-7c3d-9e2f-0a1b2c3d4e5g").has_value());
  for (const auto& s : kInjections) CHECK_FALSE(parse_uuid(s).has_value());
}

TEST_CASE("params: cursors are opaque, round-trip, and refuse tampering") {
  const Cursor c{'e', 1795316645123456, "0190f3c2-8a4b-7c3d-9e2f-0a1b2c3d4e5f"};
  const std::string text = encode_cursor(c);
  CHECK(text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos);
  CHECK(decode_cursor(text) == c);
  CHECK(decode_cursor(encode_cursor({'r', -5, c.id})) == Cursor{'r', -5, c.id});
  CHECK_FALSE(decode_cursor("").has_value());
  CHECK_FALSE(decode_cursor(text + "=").has_value());
  CHECK_FALSE(decode_cursor(base64url_encode("e1:12:not-a-uuid")).has_value());
  CHECK_FALSE(decode_cursor(base64url_encode("e1:1x:" + c.id)).has_value());
  CHECK_FALSE(decode_cursor(base64url_encode("x1:12:" + c.id)).has_value());
  CHECK_FALSE(decode_cursor(base64url_encode("e2:12:" + c.id)).has_value());
  CHECK_FALSE(decode_cursor(base64url_encode("e1:99999999999999999999:" + c.id)).has_value());
  for (const auto& s : kInjections) {
    CHECK_FALSE(decode_cursor(s).has_value());
    CHECK_FALSE(decode_cursor(base64url_encode("e1:1:" + s)).has_value());
  }
}

TEST_CASE("params: base64url round-trips every length") {
  std::string s;
  for (int i = 0; i < 40; ++i) {
    CHECK(base64url_decode(base64url_encode(s)) == s);
    s += static_cast<char>(i * 37);
  }
  CHECK_FALSE(base64url_decode("a").has_value());
  CHECK_FALSE(base64url_decode("ab+/").has_value());
}

TEST_CASE("params: durations") {
  CHECK(parse_duration_seconds("90") == 90);
  CHECK(parse_duration_seconds("90s") == 90);
  CHECK(parse_duration_seconds("15m") == 900);
  CHECK(parse_duration_seconds("1h") == 3600);
  CHECK(parse_duration_seconds("7d") == 7 * 86400);
  for (const char* bad : {"", "h", "0", "-5m", "1w", "1.5h", "1h30m", "9999999999d"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_duration_seconds(bad).has_value());
  }
}

TEST_CASE("params: integers are range-checked and name the parameter") {
  auto q = query({{"limit", "20"}});
  CHECK(q.integer("limit", 100, 1, 1000) == 20);
  CHECK(q.integer("page", 1, 1, 10) == 1);
  CHECK(param_of([] { query({{"limit", "0"}}).integer("limit", 1, 1, 1000); }) == "limit");
  CHECK(param_of([] { query({{"limit", "1001"}}).integer("limit", 1, 1, 1000); }) == "limit");
  CHECK(param_of([] { query({{"limit", "ten"}}).integer("limit", 1, 1, 1000); }) == "limit");
  CHECK(param_of([] { query({{"limit", "99999999999999999999999"}}).integer("limit", 1, 1, 1000); }) == "limit");
  CHECK(param_of([] { query({{"limit", "1"}, {"limit", "2"}}).integer("limit", 1, 1, 1000); }) == "limit");
  for (const auto& s : kInjections)
    CHECK(param_of([&] { query({{"page", s}}).integer("page", 1, 1, 1000); }) == "page");
}

TEST_CASE("params: enums, lists, booleans, uuids and cursors name the parameter") {
  CHECK(query({{"order", "desc"}}).one_of("order", {"asc", "desc"}) == "desc");
  CHECK(param_of([] { query({{"order", "sideways"}}).one_of("order", {"asc", "desc"}); }) == "order");
  const std::set<std::string, std::less<>> types = {"message_sent", "occupant_joined"};
  CHECK(query({{"type", "message_sent,occupant_joined"}}).list_of("type", types) ==
        std::vector<std::string>{"message_sent", "occupant_joined"});
  CHECK(param_of([&] { query({{"type", "message_sent,"}}).list_of("type", types); }) == "type");
  CHECK(query({{"active", "true"}}).boolean("active") == true);
  CHECK(query({{"active", "0"}}).boolean("active") == false);
  CHECK(param_of([] { query({{"active", "yes"}}).boolean("active"); }) == "active");
  CHECK(param_of([] { query({{"since", "tomorrow"}}).time("since"); }) == "since");
  CHECK(param_of([] { query({{"cursor", encode_cursor({'r', 1, "0190f3c2-8a4b-7c3d-9e2f-0a1b2c3d4e5f"})}}).cursor("cursor", 'e'); }) ==
        "cursor");
  CHECK(param_of([] { check_range(10, 10); }) == "until");
  CHECK(param_of([] { check_range(10, 5); }) == "until");
  CHECK(param_of([] { query({{"name", std::string("a\nb")}}).text("name"); }) == "name");
  CHECK(param_of([] { query({{"name", ""}}).text("name"); }) == "name");
  for (const auto& s : kInjections) {
    CAPTURE(s);
    CHECK(param_of([&] { query({{"type", s}}).list_of("type", types); }) == "type");
    CHECK(param_of([&] { query({{"actor", s}}).uuid("actor"); }) == "actor");
    CHECK(param_of([&] { query({{"cursor", s}}).cursor("cursor", 'e'); }) == "cursor");
    CHECK(param_of([&] { query({{"order", s}}).one_of("order", {"asc", "desc"}); }) == "order");
    CHECK(param_of([&] { query({{"active", s}}).boolean("active"); }) == "active");
    CHECK(param_of([&] { query({{"since", s}}).time("since"); }) == "since");
    // Free text is returned unchanged: it is only ever bound as a parameter, never spliced.
    CHECK(query({{"name", s}}).text("name") == s);
  }
}

TEST_CASE("params: unknown parameters are refused by name") {
  auto q = query({{"limit", "5"}, {"lmit", "5"}});
  q.integer("limit", 1, 1, 10);
  CHECK(param_of([&] { q.check_all_used(); }) == "lmit");
  auto ok = query({{"limit", "5"}});
  ok.integer("limit", 1, 1, 10);
  CHECK_NOTHROW(ok.check_all_used());
}
