#include "tools/common/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace mucstream::tools::log {
namespace {
std::atomic<int> g_level{static_cast<int>(Level::info)};
constexpr const char* kNames[] = {"DEBUG", "INFO ", "WARN ", "ERROR"};
}  // namespace

void set_level(std::string_view name) {
  if (name == "debug") g_level = 0;
  else if (name == "info") g_level = 1;
  else if (name == "warn") g_level = 2;
  else if (name == "error") g_level = 3;
}

bool enabled(Level l) { return static_cast<int>(l) >= g_level.load(std::memory_order_relaxed); }

void write(Level l, std::string_view component, std::string_view message) {
  using namespace std::chrono;
  auto now = system_clock::now();
  std::time_t t = system_clock::to_time_t(now);
  int ms = static_cast<int>(duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  // One fprintf per line so concurrent threads do not interleave within a line.
  std::fprintf(stderr, "%s.%03dZ %s %.*s: %.*s\n", stamp, ms, kNames[static_cast<int>(l)],
               static_cast<int>(component.size()), component.data(), static_cast<int>(message.size()),
               message.data());
}

}  // namespace mucstream::tools::log
