#include "tools/common/log.hpp"

#include <chrono>
#include <cstdio>

#include "core/time.hpp"
#include "core/value.hpp"
#include "events/json_value.hpp"

namespace mucstream::tools::log {

void set_level(std::string_view name) {
  if (const auto level = core::log_level_from_string(name)) core::set_log_level(*level);
}

const std::vector<std::string>& level_names() {
  // Each LogLevel in order, spelled as core reads it back (a unit test holds the two together).
  static const std::vector<std::string> names = {"debug", "info", "warn", "error"};
  return names;
}

std::string json_line(core::LogLevel level, std::string_view component, std::string_view message, std::int64_t time_ms) {
  core::Value::Object o;
  o.emplace_back("time", core::Value(core::format_time(time_ms)));
  o.emplace_back("level", core::Value(level_names().at(static_cast<std::size_t>(level))));
  o.emplace_back("component", core::Value(std::string(component)));
  o.emplace_back("message", core::Value(std::string(message)));
  return events::encode_value(core::Value(std::move(o)));
}

void set_format(std::string_view name) {
  if (name != "json") {
    core::set_log_sink({});
    return;
  }
  // core calls sinks one at a time, so each line is written whole.
  core::set_log_sink([](core::LogLevel level, std::string_view component, std::string_view message) {
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    std::string line = json_line(level, component, message, now.count());
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
  });
}

}  // namespace mucstream::tools::log
