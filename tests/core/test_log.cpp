// core/log: the one logging hook and level every library logs through.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/log.hpp"

using namespace mucstream::core;

namespace {
struct Captured {
  LogLevel level;
  std::string component, message;
};
}  // namespace

TEST_CASE("log: levels by name, the threshold filters before the sink, an empty sink restores stderr") {
  CHECK(log_level_from_string("debug") == LogLevel::debug);
  CHECK(log_level_from_string("info") == LogLevel::info);
  CHECK(log_level_from_string("warn") == LogLevel::warn);
  CHECK(log_level_from_string("error") == LogLevel::error);
  CHECK_FALSE(log_level_from_string("INFO"));
  CHECK_FALSE(log_level_from_string("verbose"));

  std::vector<Captured> got;
  set_log_sink([&](LogLevel l, std::string_view c, std::string_view m) { got.push_back({l, std::string(c), std::string(m)}); });
  set_log_level(LogLevel::warn);
  CHECK_FALSE(log_enabled(LogLevel::info));
  CHECK(log_enabled(LogLevel::error));
  log_write(LogLevel::info, "kafka", "dropped");
  log_write(LogLevel::warn, "kafka", "queue full");
  log_write(LogLevel::error, "component", "lost");
  REQUIRE(got.size() == 2);
  CHECK(got[0].level == LogLevel::warn);
  CHECK(got[0].component == "kafka");
  CHECK(got[0].message == "queue full");
  CHECK(got[1].level == LogLevel::error);
  CHECK(got[1].component == "component");

  set_log_level(LogLevel::debug);
  log_write(LogLevel::debug, "component", "in: <presence/>");
  CHECK(got.size() == 3);

  set_log_sink({});
  set_log_level(LogLevel::info);
  log_write(LogLevel::debug, "test", "not written");
  CHECK(got.size() == 3);
}
