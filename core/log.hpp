#pragma once
// The one logging hook and level of the libraries. xmpp/, events/, sql/ and analytics/ log
// through log_write(); the program (tools/) chooses the threshold and may install a sink. The
// default sink writes one line per message to stderr:
//   2026-11-22T03:04:05.123Z INFO  component: message
// Messages below the threshold (default info) are dropped before any sink sees them; callers
// that build costly text ask log_enabled() first (events/log.hpp's fmt helpers do).
#include <functional>
#include <optional>
#include <string_view>

namespace mucstream::core {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 };

// "debug", "info", "warn", "error"; nullopt for anything else.
std::optional<LogLevel> log_level_from_string(std::string_view name);

using LogSink = std::function<void(LogLevel, std::string_view component, std::string_view message)>;

// Thread-safe. An empty sink restores the default (stderr). Sinks are called one at a time.
void set_log_sink(LogSink sink);
void set_log_level(LogLevel threshold);
bool log_enabled(LogLevel level);
void log_write(LogLevel level, std::string_view component, std::string_view message);

}  // namespace mucstream::core
