// Inputs tests/fuzz found (docs/fuzzing.md), kept as unit tests.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "events/envelope.hpp"
#include "events/json_detail.hpp"
#include "events/json_value.hpp"
#include "events/rapidjson_value.hpp"

using namespace mucstream;
using events::detail::PooledDocument;

// RapidJSON stores its chunk header and the parsed values at the start of the per-thread
// buffer: a char array may sit at any address, and every decode was then undefined behaviour
// (UBSan: "member access within misaligned address" on the first decode_value).
TEST_CASE("pooled JSON documents hand out aligned memory") {
  CHECK(alignof(PooledDocument::Buffer) >= alignof(std::max_align_t));
  PooledDocument d;
  void* p = d.doc().GetAllocator().Malloc(16);
  CHECK(reinterpret_cast<std::uintptr_t>(p) % alignof(std::uint64_t) == 0);  // RapidJSON aligns to 8
  CHECK_FALSE(events::decode_value(""));
  CHECK(events::decode_value(R"({"a":[1,2.5,"x",null]})"));
}

// RapidJSON 1.1.0 decodes a lone low surrogate escape into the bytes ED B8 80 even with
// encoding validation: a telemetry body carrying one was accepted, written to the log as
// text that is not UTF-8, and refused when read back (and by PostgreSQL).
TEST_CASE("a lone surrogate escape is refused where the data enters, not when read back") {
  for (const char* bad : {R"({"s":"\ude00"})", R"({"s":"x\udfffy"})", R"({"\udc00":1})", R"(["\u00e9\ude00"])"}) {
    CAPTURE(bad);
    std::string why;
    CHECK_FALSE(events::decode_value(bad, &why));
    CHECK(why.find("not valid UTF-8") != std::string::npos);
    rapidjson::Document doc;  // the HTTP API's path: a parsed body, then value_from_json
    doc.Parse<rapidjson::kParseValidateEncodingFlag>(bad);
    REQUIRE_FALSE(doc.HasParseError());  // the parser alone lets it through
    events::JsonRefusal refusal;
    CHECK_FALSE(events::value_from_json(doc, "data", &refusal));
    CHECK(refusal.what.find("not valid UTF-8") != std::string::npos);
  }
  // A proper pair and characters of every length stay accepted.
  const auto ok = events::decode_value(R"({"s":"\ud83d\ude00 \u00e9 \u20ac é € 😀"})");
  REQUIRE(ok);
  CHECK(events::decode_value(events::encode_value(*ok)));
}

TEST_CASE("UTF-8 validation follows RFC 3629") {
  using events::detail::valid_utf8;
  auto v = [](const std::string& s) { return valid_utf8(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
  CHECK(v(""));
  CHECK(v("ascii"));
  CHECK(v("\xc3\xa9"));              // é
  CHECK(v("\xed\x9f\xbf"));          // U+D7FF, last before the surrogates
  CHECK(v("\xee\x80\x80"));          // U+E000, first after them
  CHECK(v("\xf4\x8f\xbf\xbf"));      // U+10FFFF
  CHECK_FALSE(v("\xed\xa0\x80"));    // U+D800
  CHECK_FALSE(v("\xed\xbf\xbf"));    // U+DFFF
  CHECK_FALSE(v("\xc0\xaf"));        // overlong '/'
  CHECK_FALSE(v("\xe0\x80\xaf"));    // overlong
  CHECK_FALSE(v("\xf0\x80\x80\xaf")); // overlong
  CHECK_FALSE(v("\xf4\x90\x80\x80")); // above U+10FFFF
  CHECK_FALSE(v("\xc3"));            // truncated
  CHECK_FALSE(v("\xe2\x82"));        // truncated
  CHECK_FALSE(v("\x80"));            // lone continuation byte
}

TEST_CASE("an envelope field with a lone surrogate escape is refused") {
  const std::string env =
      R"({"v":1,"id":"019a8f2e-1c2d-7abc-8def-0123456789ab","type":"room_destroyed",)"
      R"("room":"chat@rooms.example.org\udc00","room_id":"019a8f2e-1c2d-7000-8000-000000000001","seq":7,)"
      R"("actor":"","peer":null,"time":"2025-11-22T03:04:05.123Z","data":{}})";
  const auto d = events::decode(env);
  CHECK_FALSE(d);
  CHECK(d.error.find("not valid UTF-8") != std::string::npos);
}

// RapidJSON 1.1.0's full-precision number parsing calls __builtin_clzll(0) for a zero
// significand with a large exponent (undefined; UBSan "passing zero to clz()"): "0e40"
// decoded as -2.4e229 in the release build. And a long significand with a large negative
// exponent indexed its table of powers out of bounds: a segmentation fault.
TEST_CASE("a zero with any exponent decodes as zero") {
  for (const char* zero : {"0e40", "0E+300", "0.000e-30", "-0e99", "0.0e25"}) {
    CAPTURE(zero);
    const auto v = events::decode_value(zero);
    REQUIRE(v);
    CHECK(events::encode_value(*v) == (zero[0] == '-' ? "-0.0" : "0.0"));
  }
}

TEST_CASE("long significands with extreme exponents decode without crashing") {
  const auto tiny = events::decode_value("[3.333333333333333333e-333,-1.23456789012345678901e-330,1e-400]");
  REQUIRE(tiny);
  CHECK(events::encode_value(*tiny) == "[0.0,-0.0,0.0]");
  const auto small = events::decode_value("2.4703282292062328e-324");  // rounds up to the smallest denormal
  REQUIRE(small);
  CHECK(events::encode_value(*small) == "5e-324");
  CHECK_FALSE(events::decode_value("1.5e309"));
  CHECK_FALSE(events::decode_value("1e400"));
}

TEST_CASE("numbers keep their kinds") {
  const auto v = events::decode_value(
      R"([0,-0,1e2,0.1,17,-9223372036854775808,9223372036854775808,18446744073709551616,1.7976931348623157e308,5e-324])");
  REQUIRE(v);
  // Beyond int64 a number is a double in core::Value (written as the writer spells doubles).
  CHECK(events::encode_value(*v) ==
        "[0,0,100.0,0.1,17,-9223372036854775808,9223372036854776000.0,18446744073709553000.0,1.7976931348623157e308,"
        "5e-324]");
  CHECK_FALSE(events::decode_value("[01]"));
  CHECK_FALSE(events::decode_value("[1,]"));
  CHECK_FALSE(events::decode_value("[1.]"));
}
