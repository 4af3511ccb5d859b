#pragma once
// One-line logs to stderr: "2026-11-22T03:04:05.123Z INFO  component: connected".
// Deliberately tiny; levels are filtered by MUCSTREAM_LOG_LEVEL / --log-level.
#include <fmt/format.h>

#include <string_view>

namespace mucstream::tools::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };
void set_level(std::string_view name);  // unknown names keep "info"
bool enabled(Level);
void write(Level, std::string_view component, std::string_view message);

template <class... A>
void debug(std::string_view c, fmt::format_string<A...> f, A&&... a) {
  if (enabled(Level::debug)) write(Level::debug, c, fmt::format(f, std::forward<A>(a)...));
}
template <class... A>
void info(std::string_view c, fmt::format_string<A...> f, A&&... a) {
  if (enabled(Level::info)) write(Level::info, c, fmt::format(f, std::forward<A>(a)...));
}
template <class... A>
void warn(std::string_view c, fmt::format_string<A...> f, A&&... a) {
  if (enabled(Level::warn)) write(Level::warn, c, fmt::format(f, std::forward<A>(a)...));
}
template <class... A>
void error(std::string_view c, fmt::format_string<A...> f, A&&... a) {
  if (enabled(Level::error)) write(Level::error, c, fmt::format(f, std::forward<A>(a)...));
}

}  // namespace mucstream::tools::log
