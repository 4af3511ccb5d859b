#pragma once
// The programs' logging: core's hook and level (core/log.hpp) with events/'s fmt front, one
// line per message on stderr, as text
//   2026-11-22T03:04:05.123Z INFO  component: connected
// or, with log.format=json (for log shippers that parse lines), one JSON object per line
//   {"time":"2026-11-22T03:04:05.123Z","level":"info","component":"component","message":"connected"}
// The threshold comes from MUCSTREAM_LOG_LEVEL / --log-level, the shape from --log-format.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/log.hpp"
#include "events/log.hpp"

namespace mucstream::tools::log {

void set_level(std::string_view name);   // unknown names keep the current threshold (info)
// The names of core's levels, lowest first: what --log-level accepts.
const std::vector<std::string>& level_names();
void set_format(std::string_view name);  // "json" installs the JSON sink; anything else: text

// One log record as a JSON object (no newline); `time_ms` is milliseconds since the epoch.
std::string json_line(core::LogLevel level, std::string_view component, std::string_view message, std::int64_t time_ms);

inline constexpr const events::LogAt& debug = events::log_debug;
inline constexpr const events::LogAt& info = events::log_info;
inline constexpr const events::LogAt& warn = events::log_warn;
inline constexpr const events::LogAt& error = events::log_error;

}  // namespace mucstream::tools::log
