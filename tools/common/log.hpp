#pragma once
// The programs' logging: core's hook and level (core/log.hpp) with events/'s fmt front, one
// line per message on stderr: "2026-11-22T03:04:05.123Z INFO  component: connected".
// The threshold comes from MUCSTREAM_LOG_LEVEL / --log-level.
#include <string_view>

#include "events/log.hpp"

namespace mucstream::tools::log {

void set_level(std::string_view name);  // unknown names keep the current threshold (info)

inline constexpr const events::LogAt& debug = events::log_debug;
inline constexpr const events::LogAt& info = events::log_info;
inline constexpr const events::LogAt& warn = events::log_warn;
inline constexpr const events::LogAt& error = events::log_error;

}  // namespace mucstream::tools::log
