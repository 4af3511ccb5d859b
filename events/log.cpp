#include "events/log.hpp"

#include <cstdio>
#include <mutex>

namespace mucstream::events {
namespace {
std::mutex g_mutex;
LogFn g_log;
}  // namespace

void set_log(LogFn f) {
  std::lock_guard lock(g_mutex);
  g_log = std::move(f);
}

void log_write(LogLevel level, std::string_view component, std::string_view message) {
  std::lock_guard lock(g_mutex);
  if (g_log) return g_log(level, component, message);
  static constexpr const char* kNames[] = {"DEBUG", "INFO ", "WARN ", "ERROR"};
  std::fprintf(stderr, "%s %.*s: %.*s\n", kNames[static_cast<int>(level)], static_cast<int>(component.size()),
               component.data(), static_cast<int>(message.size()), message.data());
}

}  // namespace mucstream::events
