#pragma once
// Logging hook for events/ and sql/. These libraries sit below tools/ (which owns the real
// logger), so they log through a function the program installs; the default writes to stderr.
#include <fmt/format.h>

#include <functional>
#include <string_view>

namespace mucstream::events {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 };
using LogFn = std::function<void(LogLevel, std::string_view component, std::string_view message)>;

void set_log(LogFn);
void log_write(LogLevel, std::string_view component, std::string_view message);

template <class... A>
void log_info(std::string_view c, fmt::format_string<A...> f, A&&... a) {
  log_write(LogLevel::info, c, fmt::format(f, std::forward<A>(a)...));
}
template <class... A>
void log_warn(std::string_view c, fmt::format_string<A...> f, A&&... a) {
  log_write(LogLevel::warn, c, fmt::format(f, std::forward<A>(a)...));
}
template <class... A>
void log_error(std::string_view c, fmt::format_string<A...> f, A&&... a) {
  log_write(LogLevel::error, c, fmt::format(f, std::forward<A>(a)...));
}

}  // namespace mucstream::events
