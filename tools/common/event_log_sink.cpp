#include "tools/common/event_log_sink.hpp"

#include <ctime>

#include "tools/common/log.hpp"

namespace mucstream::tools {
namespace {

void json_string(std::string& o, std::string_view s) {
  o += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': o += "\\\""; break;
      case '\\': o += "\\\\"; break;
      case '\n': o += "\\n"; break;
      case '\r': o += "\\r"; break;
      case '\t': o += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          o += buf;
        } else {
          o += static_cast<char>(c);
        }
    }
  }
  o += '"';
}

void json_value(std::string& o, const core::Value& v) {
  using K = core::Value::Kind;
  switch (v.kind()) {
    case K::null: o += "null"; break;
    case K::boolean: o += v.as_bool() ? "true" : "false"; break;
    case K::integer: o += std::to_string(v.as_int()); break;
    case K::number: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", v.as_double());
      o += buf;
      break;
    }
    case K::string: json_string(o, v.as_string()); break;
    case K::array: {
      o += '[';
      bool first = true;
      for (const auto& x : v.as_array()) {
        if (!first) o += ',';
        first = false;
        json_value(o, x);
      }
      o += ']';
      break;
    }
    case K::object: {
      o += '{';
      bool first = true;
      for (const auto& [k, x] : v.as_object()) {
        if (!first) o += ',';
        first = false;
        json_string(o, k);
        o += ':';
        json_value(o, x);
      }
      o += '}';
      break;
    }
  }
}

std::string rfc3339(std::int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[96];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

}  // namespace

std::string event_json(const core::Event& e) {
  std::string o = "{\"v\":" + std::to_string(core::kEventSchemaVersion) + ",\"id\":";
  json_string(o, e.id);
  o += ",\"type\":";
  json_string(o, core::to_string(e.type));
  o += ",\"room\":";
  json_string(o, e.room);
  o += ",\"room_id\":";
  json_string(o, e.room_id);
  o += ",\"seq\":" + std::to_string(e.seq) + ",\"actor\":";
  json_string(o, e.actor);
  o += ",\"peer\":";
  if (e.peer) json_string(o, *e.peer);
  else o += "null";
  o += ",\"time\":";
  json_string(o, rfc3339(e.time_ms));
  o += ",\"data\":";
  json_value(o, e.data.is_null() ? core::Value::object() : e.data);
  o += '}';
  return o;
}

void JsonLinesSink::publish(const core::Event& e) {
  std::string line = event_json(e);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

void LogSink::publish(const core::Event& e) { log::info("event", "{}", event_json(e)); }

}  // namespace mucstream::tools
