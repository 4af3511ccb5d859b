#pragma once
// The project's JSON writer: streaming output (RapidJSON Writer, no DOM) for the API's
// handlers and mucctl's request bodies and --json output. Include from .cpp files only.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "analytics/params.hpp"
#include "core/value.hpp"
#include "events/json_value.hpp"

namespace mucstream::analytics {

class JsonOut {
 public:
  JsonOut() : w_(buf_) {}
  JsonOut& begin_object() { w_.StartObject(); return *this; }
  JsonOut& end_object() { w_.EndObject(); return *this; }
  JsonOut& begin_array() { w_.StartArray(); return *this; }
  JsonOut& end_array() { w_.EndArray(); return *this; }
  JsonOut& key(std::string_view k) { w_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); return *this; }
  JsonOut& str(const char* v) { return str(std::string_view(v)); }
  JsonOut& str(const std::string& v) { return str(std::string_view(v)); }
  JsonOut& str(std::string_view v) { w_.String(v.data(), static_cast<rapidjson::SizeType>(v.size())); return *this; }
  JsonOut& str(const std::optional<std::string>& v) { if (v) str(std::string_view(*v)); else w_.Null(); return *this; }
  // `"k": v` only when v is set (optional members of a request body); nothing otherwise.
  JsonOut& member_if(std::string_view k, const std::optional<std::string>& v) { if (v) key(k).str(*v); return *this; }
  JsonOut& i64(std::int64_t v) { w_.Int64(v); return *this; }
  JsonOut& boolean(bool v) { w_.Bool(v); return *this; }
  JsonOut& number(double v) { w_.Double(v); return *this; }
  JsonOut& number(const std::optional<double>& v) { if (v) w_.Double(*v); else w_.Null(); return *this; }
  JsonOut& null() { w_.Null(); return *this; }
  // A core::Value (client info, open-ended data) as events/ writes it.
  JsonOut& value(const core::Value& v) { return raw(events::encode_value(v)); }
  JsonOut& time(UnixMicros t) { return str(format_rfc3339(t)); }
  JsonOut& time(const std::optional<UnixMicros>& t) { if (t) time(*t); else w_.Null(); return *this; }
  // JSON text from a trusted source (a jsonb column): inserted as is; empty -> null.
  JsonOut& raw(const std::string& json) { return raw(std::string_view(json)); }
  JsonOut& raw(std::string_view json) {
    if (json.empty()) w_.Null();
    else w_.RawValue(json.data(), json.size(), rapidjson::kObjectType);
    return *this;
  }
  JsonOut& raw(const std::optional<std::string>& json) { if (json) raw(std::string_view(*json)); else w_.Null(); return *this; }
  std::string take() { return std::string(buf_.GetString(), buf_.GetSize()); }

 private:
  rapidjson::StringBuffer buf_;
  rapidjson::Writer<rapidjson::StringBuffer> w_;
};

}  // namespace mucstream::analytics
