#pragma once
// Wiring of the event pipeline for mucstreamd roles: settings -> Kafka (a real cluster, or
// the embedded mock cluster when kafka.brokers is empty), the producer sink, the
// materialiser, migrations and replay. Roles stay short; `all` composes the same pieces.
#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "events/kafka.hpp"
#include "events/kafka_restore.hpp"
#include "sql/materializer.hpp"
#include "tools/common/settings.hpp"

namespace mucstream::tools {

// Where Kafka is. Starts the embedded mock cluster (and logs its bootstrap address and a
// kcat command) when kafka.brokers is empty and `allow_mock` is set.
struct KafkaEndpoint {
  std::unique_ptr<events::MockCluster> mock;  // set when embedded
  std::string brokers;
};
KafkaEndpoint kafka_endpoint(const Settings& s, bool allow_mock);

// The --pg setting, or a SettingsError naming it when it is empty.
std::string required_pg(const Settings& s);
events::ProducerConfig producer_config(const Settings& s, const std::string& brokers);
events::KafkaRestoreConfig kafka_restore_config(const Settings& s, const std::string& brokers);
sql::MaterializerConfig materializer_config(const Settings& s, const KafkaEndpoint& kafka);

// Waits until the materialiser owns partitions and has found nothing new for `quiet_ms`
// (it has caught up with the topic), for at most `timeout_ms`. Returns whether it did.
bool wait_caught_up(const sql::Materializer& m, int timeout_ms, int quiet_ms = 1000);

// SIGINT/SIGTERM set the returned flag (and SIGPIPE is ignored).
const std::atomic<bool>& install_stop_signals();

}  // namespace mucstream::tools
