#include "core/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

#include "core/time.hpp"

namespace mucstream::core {
namespace {

std::atomic<int> g_threshold{static_cast<int>(LogLevel::info)};
std::mutex g_mutex;  // guards g_sink and keeps lines whole
LogSink g_sink;

void write_stderr(LogLevel level, std::string_view component, std::string_view message) {
  static constexpr const char* kNames[] = {"DEBUG", "INFO ", "WARN ", "ERROR"};
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  const std::string stamp = format_time(now.count());
  std::fprintf(stderr, "%s %s %.*s: %.*s\n", stamp.c_str(), kNames[static_cast<int>(level)],
               static_cast<int>(component.size()), component.data(), static_cast<int>(message.size()),
               message.data());
}

}  // namespace

std::optional<LogLevel> log_level_from_string(std::string_view name) {
  if (name == "debug") return LogLevel::debug;
  if (name == "info") return LogLevel::info;
  if (name == "warn") return LogLevel::warn;
  if (name == "error") return LogLevel::error;
  return std::nullopt;
}

void set_log_sink(LogSink sink) {
  std::lock_guard lock(g_mutex);
  g_sink = std::move(sink);
}

void set_log_level(LogLevel threshold) { g_threshold.store(static_cast<int>(threshold), std::memory_order_relaxed); }

bool log_enabled(LogLevel level) { return static_cast<int>(level) >= g_threshold.load(std::memory_order_relaxed); }

void log_write(LogLevel level, std::string_view component, std::string_view message) {
  if (!log_enabled(level)) return;
  std::lock_guard lock(g_mutex);
  if (g_sink) g_sink(level, component, message);
  else write_stderr(level, component, message);
}

}  // namespace mucstream::core
