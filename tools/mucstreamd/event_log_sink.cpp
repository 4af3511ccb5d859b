#include "tools/mucstreamd/event_log_sink.hpp"

#include "events/envelope.hpp"
#include "tools/common/log.hpp"

namespace mucstream::tools {

// The same envelope the Kafka producer sends (events/envelope), one event per line.
std::string event_json(const core::Event& e) { return events::encode(e); }

core::LogPosition JsonLinesSink::publish(const core::Event& e) {
  std::string line = event_json(e);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
  return 0;
}

core::LogPosition LogSink::publish(const core::Event& e) {
  log::info("event", "{}", event_json(e));
  return 0;
}

}  // namespace mucstream::tools
