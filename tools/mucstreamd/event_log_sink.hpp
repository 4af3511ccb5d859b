#pragma once
// An EventSink for the standalone component (no Kafka): each event as one JSON line in
// the envelope shape of docs/envelope.md, to a FILE (stdout) or as a log line.
#include <cstdio>
#include <string>

#include "core/sink.hpp"

namespace mucstream::tools {

// The envelope as JSON (no trailing newline).
std::string event_json(const core::Event&);

class JsonLinesSink final : public core::EventSink {
 public:
  explicit JsonLinesSink(std::FILE* out) : out_(out) {}
  core::LogPosition publish(const core::Event& e) override;

 private:
  std::FILE* out_;
};

class LogSink final : public core::EventSink {
 public:
  core::LogPosition publish(const core::Event& e) override;
};

class NullSink final : public core::EventSink {
 public:
  core::LogPosition publish(const core::Event&) override { return 0; }
};

}  // namespace mucstream::tools
