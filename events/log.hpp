#pragma once
// fmt-formatted logging through core's hook (core/log.hpp), for events/, sql/ and tools/:
//   log_warn("kafka", "producer queue full ({} times so far)", n);
// The text is formatted only when the level passes the threshold.
#include <fmt/format.h>

#include <string_view>

#include "core/log.hpp"

namespace mucstream::events {

// Logs at one level; a function object so that each level is one constant, not a copy.
struct LogAt {
  core::LogLevel level;
  template <class... A>
  void operator()(std::string_view component, fmt::format_string<A...> f, A&&... a) const {
    if (core::log_enabled(level)) core::log_write(level, component, fmt::format(f, std::forward<A>(a)...));
  }
};
inline constexpr LogAt log_debug{core::LogLevel::debug};
inline constexpr LogAt log_info{core::LogLevel::info};
inline constexpr LogAt log_warn{core::LogLevel::warn};
inline constexpr LogAt log_error{core::LogLevel::error};

}  // namespace mucstream::events
