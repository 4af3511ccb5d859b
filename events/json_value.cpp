#include "events/json_value.hpp"

#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <system_error>

#include "events/json_detail.hpp"
#include "events/rapidjson_value.hpp"

namespace mucstream::events {
namespace detail {

using core::Value;

void write_value(Writer& w, const Value& v) {
  switch (v.kind()) {
    case Value::Kind::null: w.Null(); return;
    case Value::Kind::boolean: w.Bool(v.as_bool()); return;
    case Value::Kind::integer: w.Int64(v.as_int()); return;
    case Value::Kind::number: {
      const double d = v.as_double();
      if (std::isfinite(d)) w.Double(d);
      else w.Null();  // JSON has no NaN/Inf; PostgreSQL's jsonb would refuse them
      return;
    }
    case Value::Kind::string: write_string(w, v.as_string()); return;
    case Value::Kind::array:
      w.StartArray();
      for (const Value& x : v.as_array()) write_value(w, x);
      w.EndArray();
      return;
    case Value::Kind::object:
      w.StartObject();
      for (const auto& [k, x] : v.as_object()) {
        write_string(w, k);
        write_value(w, x);
      }
      w.EndObject();
      return;
  }
}

namespace {
constexpr int kMaxDepth = 64;
constexpr unsigned kParseFlags =
    rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag;  // numbers: SafeNumbers below
}  // namespace

bool has_nul(const char* s, rapidjson::SizeType n) { return std::string_view(s, n).find('\0') != std::string_view::npos; }

bool valid_utf8(const char* s, rapidjson::SizeType n) {
  const auto* p = reinterpret_cast<const unsigned char*>(s);
  for (rapidjson::SizeType i = 0; i < n;) {
    const unsigned c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    unsigned len = 0, lo = 0x80, hi = 0xbf;  // allowed range of the second byte (RFC 3629 table)
    if (c >= 0xc2 && c <= 0xdf) len = 2;
    else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;  // U+D800..U+DFFF are surrogates, not characters
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else {
      return false;
    }
    if (n - i < len || p[i + 1] < lo || p[i + 1] > hi) return false;
    for (unsigned k = 2; k < len; ++k)
      if (p[i + k] < 0x80 || p[i + k] > 0xbf) return false;
    i += len;
  }
  return true;
}

namespace {
// The conversion itself; a refusal says where and what, so that callers holding a parsed
// body (the HTTP API) can name the field.
std::optional<Value> to_value_at(const rapidjson::Value& j, int depth, JsonRefusal& why, const std::string& path) {
  if (depth > kMaxDepth) {
    why = {path, "data nested deeper than 64 levels"};
    return std::nullopt;
  }
  switch (j.GetType()) {
    case rapidjson::kNullType: return Value{};
    case rapidjson::kFalseType: return Value{false};
    case rapidjson::kTrueType: return Value{true};
    case rapidjson::kStringType:
      if (has_nul(j.GetString(), j.GetStringLength())) {
        why = {path, "string with a NUL character"};
        return std::nullopt;
      }
      if (!valid_utf8(j.GetString(), j.GetStringLength())) {
        why = {path, "string that is not valid UTF-8"};
        return std::nullopt;
      }
      return Value{std::string(j.GetString(), j.GetStringLength())};
    case rapidjson::kNumberType:
      if (j.IsInt64()) return Value{static_cast<std::int64_t>(j.GetInt64())};
      return Value{j.GetDouble()};
    case rapidjson::kArrayType: {
      Value::Array a;
      a.reserve(j.Size());
      for (rapidjson::SizeType i = 0; i < j.Size(); ++i) {
        auto v = to_value_at(j[i], depth + 1, why, path + "[" + std::to_string(i) + "]");
        if (!v) return std::nullopt;
        a.push_back(std::move(*v));
      }
      return Value{std::move(a)};
    }
    case rapidjson::kObjectType: {
      Value::Object o;
      o.reserve(j.MemberCount());
      for (auto it = j.MemberBegin(); it != j.MemberEnd(); ++it) {
        std::string key(it->name.GetString(), it->name.GetStringLength());
        if (key.find('\0') != std::string::npos) {
          why = {path, "key with a NUL character"};
          return std::nullopt;
        }
        if (!valid_utf8(key.data(), static_cast<rapidjson::SizeType>(key.size()))) {
          why = {path, "key that is not valid UTF-8"};
          return std::nullopt;
        }
        auto v = to_value_at(it->value, depth + 1, why, path + "." + key);
        if (!v) return std::nullopt;
        o.emplace_back(std::move(key), std::move(*v));
      }
      return Value{std::move(o)};
    }
  }
  why = {path, "unknown JSON type"};
  return std::nullopt;
}
}  // namespace

std::optional<Value> to_value(const rapidjson::Value& j, int depth, std::string& err, const std::string& path) {
  JsonRefusal why;
  auto v = to_value_at(j, depth, why, path);
  if (!v) err = why.message();
  return v;
}

const char* json_type_name(const rapidjson::Value& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType: return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType: return "a boolean";
    case rapidjson::kObjectType: return "an object";
    case rapidjson::kArrayType: return "an array";
    case rapidjson::kStringType: return "a string";
    case rapidjson::kNumberType: return "a number";
  }
  return "?";
}

namespace {
// RapidJSON 1.1.0's full-precision strtod is unsafe: a zero significand with a large exponent
// calls __builtin_clzll(0) ("0e40" decoded as -2.4e229), and a long significand with a large
// negative exponent ("3.333333333333333333e-333") indexes its table of powers out of bounds
// and crashes. So numbers reach the document as text and are read here: integers as
// RapidJSON types them (int64, else uint64, else double), everything else with
// std::from_chars, which rounds correctly.
class SafeNumbers {
 public:
  using Ch = char;
  explicit SafeNumbers(rapidjson::Document& doc) : doc_(doc) {}
  bool Null() { return doc_.Null(); }
  bool Bool(bool b) { return doc_.Bool(b); }
  bool Int(int i) { return doc_.Int(i); }
  bool Uint(unsigned u) { return doc_.Uint(u); }
  bool Int64(std::int64_t i) { return doc_.Int64(i); }
  bool Uint64(std::uint64_t u) { return doc_.Uint64(u); }
  bool Double(double d) { return doc_.Double(d); }
  bool String(const Ch* s, rapidjson::SizeType n, bool copy) { return doc_.String(s, n, copy); }
  bool Key(const Ch* s, rapidjson::SizeType n, bool copy) { return doc_.Key(s, n, copy); }
  bool StartObject() { return doc_.StartObject(); }
  bool EndObject(rapidjson::SizeType n) { return doc_.EndObject(n); }
  bool StartArray() { return doc_.StartArray(); }
  bool EndArray(rapidjson::SizeType n) { return doc_.EndArray(n); }
  bool RawNumber(const Ch* s, rapidjson::SizeType n, bool) {
    const char* end = s + n;
    if (std::string_view(s, n).find_first_of(".eE") == std::string_view::npos) {
      if (std::int64_t i = 0; std::from_chars(s, end, i).ec == std::errc{}) return doc_.Int64(i);
      if (std::uint64_t u = 0; s[0] != '-' && std::from_chars(s, end, u).ec == std::errc{}) return doc_.Uint64(u);
    }
    double d = 0;
    const auto [p, ec] = std::from_chars(s, end, d);
    if (p != end) return false;
    if (ec == std::errc::result_out_of_range) {
      // Too small for a double is zero (as RapidJSON reads it); too large is refused.
      const auto e = std::string_view(s, n).find_first_of("eE");
      if (e == std::string_view::npos || s[e + 1] != '-') return false;
      d = s[0] == '-' ? -0.0 : 0.0;
    }
    return doc_.Double(d);
  }

 private:
  rapidjson::Document& doc_;
};
}  // namespace

bool parse(rapidjson::Document& doc, std::string_view json, std::string& err) {
  rapidjson::ParseResult result;
  auto run = [&](rapidjson::Document& d) {
    SafeNumbers handler(d);
    rapidjson::Reader reader;
    rapidjson::MemoryStream ms(json.data(), json.size());
    rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(ms);
    result = reader.Parse<kParseFlags | rapidjson::kParseNumbersAsStringsFlag>(in, handler);
    return !result.IsError();
  };
  doc.Populate(run);
  if (result.IsError()) {
    err = std::string("malformed JSON at byte ") + std::to_string(result.Offset()) + ": " +
          rapidjson::GetParseError_En(result.Code());
    return false;
  }
  return true;
}

}  // namespace detail

std::string encode_value(const core::Value& v) {
  std::string s;
  detail::StringOut os{s};
  detail::Writer w(os);
  detail::write_value(w, v);
  return s;
}

std::optional<core::Value> decode_value(std::string_view json, std::string* error) {
  detail::PooledDocument pooled;
  rapidjson::Document& doc = pooled.doc();
  std::string err;
  if (!detail::parse(doc, json, err)) {
    if (error) *error = err;
    return std::nullopt;
  }
  auto v = detail::to_value(doc, 0, err, "$");
  if (!v && error) *error = err;
  return v;
}

std::optional<core::Value> value_from_json(const rapidjson::Value& json, const std::string& path, JsonRefusal* why) {
  JsonRefusal refusal;
  auto v = detail::to_value_at(json, 0, refusal, path);
  if (!v && why) *why = std::move(refusal);
  return v;
}

}  // namespace mucstream::events
