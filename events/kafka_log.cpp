#include "events/kafka_log.hpp"

#include <stdexcept>
#include <string>

#include "events/log.hpp"

namespace mucstream::events {
namespace {
constexpr const char* kComponent = "librdkafka";

// syslog severities (librdkafka's log levels) onto ours. librdkafka logs every failed
// connection at LOG_ERR and also raises it as an error event, which is where we judge it
// (see event_cb): its log lines at ERR and WARNING are warnings here.
core::LogLevel level_of(RdKafka::Event::Severity s) {
  if (s <= RdKafka::Event::EVENT_SEVERITY_CRITICAL) return core::LogLevel::error;
  if (s <= RdKafka::Event::EVENT_SEVERITY_WARNING) return core::LogLevel::warn;
  if (s <= RdKafka::Event::EVENT_SEVERITY_INFO) return core::LogLevel::info;
  return core::LogLevel::debug;
}

// Errors librdkafka recovers from by itself (a broker away, a connection refused): warn, the
// producer's own bound turns them into refusals if they last.
bool transient(RdKafka::ErrorCode e) {
  return e == RdKafka::ERR__TRANSPORT || e == RdKafka::ERR__ALL_BROKERS_DOWN || e == RdKafka::ERR__RESOLVE ||
         e == RdKafka::ERR__TIMED_OUT;
}
}  // namespace

void KafkaLogCb::event_cb(RdKafka::Event& e) {
  switch (e.type()) {
    case RdKafka::Event::EVENT_LOG: {
      const core::LogLevel l = level_of(e.severity());
      if (core::log_enabled(l)) core::log_write(l, kComponent, e.fac() + ": " + e.str());
      break;
    }
    case RdKafka::Event::EVENT_ERROR:
      if (e.fatal()) {
        fatal_.store(true, std::memory_order_relaxed);
        log_error(kComponent, "FATAL {}: {}", RdKafka::err2str(e.err()), e.str());
      } else if (transient(e.err())) {
        log_warn(kComponent, "{}: {}", RdKafka::err2str(e.err()), e.str());
      } else {
        log_error(kComponent, "{}: {}", RdKafka::err2str(e.err()), e.str());
      }
      break;
    case RdKafka::Event::EVENT_THROTTLE:
      log_debug(kComponent, "throttled {} ms by broker {}", e.throttle_time(), e.broker_name());
      break;
    default: break;
  }
}

KafkaLogCb& shared_kafka_log() {
  static KafkaLogCb cb;
  return cb;
}

void install_kafka_log(RdKafka::Conf& conf, KafkaLogCb& cb) {
  std::string err;
  if (conf.set("event_cb", static_cast<RdKafka::EventCb*>(&cb), err) != RdKafka::Conf::CONF_OK)
    throw std::runtime_error("kafka: " + err);
}

}  // namespace mucstream::events
