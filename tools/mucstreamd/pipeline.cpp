#include "tools/mucstreamd/pipeline.hpp"

#include <chrono>
#include <csignal>
#include <thread>

#include "crypto/openssl_crypto.hpp"
#include "sql/masking.hpp"
#include "tools/common/log.hpp"
#include "tools/mucstreamd/component_wiring.hpp"

namespace mucstream::tools {
namespace {
std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop.store(true); }

events::KafkaProperties passthrough(const Settings& s) {
  events::KafkaProperties p;
  for (const auto& [k, v] : s.kafka_properties()) p[k] = v;
  return p;
}
}  // namespace

KafkaEndpoint kafka_endpoint(const Settings& s, bool allow_mock) {
  KafkaEndpoint k;
  k.brokers = s.get("kafka.brokers");
  if (!k.brokers.empty()) return k;
  if (!allow_mock)
    throw SettingsError("--kafka-brokers is required (the embedded mock cluster lives inside `mucstreamd all`)");
  k.mock = std::make_unique<events::MockCluster>(s.get_int("kafka.mock_brokers"));
  k.mock->create_topic(s.get("kafka.topic"), s.get_int("kafka.mock_partitions"));
  k.mock->create_topic(s.get("kafka.dead_letter_topic"), 4);
  k.brokers = k.mock->bootstraps();
  log::info("kafka", "embedded mock cluster (in memory, lost on exit) at {}", k.brokers);
  log::info("kafka", "tail it with: kcat -b {} -t {} -C", k.brokers, s.get("kafka.topic"));
  return k;
}

events::ProducerConfig producer_config(const Settings& s, const std::string& brokers) {
  events::ProducerConfig c;
  c.brokers = brokers;
  c.topic = s.get("kafka.topic");
  c.properties = passthrough(s);
  const std::string& policy = s.get("kafka.queue_full");
  if (policy == "wait") c.queue_full = events::ProducerConfig::QueueFull::wait;
  else if (policy == "spill") c.queue_full = events::ProducerConfig::QueueFull::spill;
  else throw SettingsError("--kafka-queue-full must be 'wait' or 'spill'");
  c.queue_full_wait_ms = s.get_int("kafka.queue_full_wait_ms");
  c.spill_dir = s.get("kafka.spill_dir");
  c.unavailable_ms = s.get_int("commit.unavailable_ms");
  c.snapshot_topic = s.get("kafka.snapshot_topic");
  return c;
}

events::KafkaRestoreConfig kafka_restore_config(const Settings& s, const std::string& brokers) {
  events::KafkaRestoreConfig c;
  c.brokers = brokers;
  c.topic = s.get("kafka.topic");
  c.snapshot_topic = s.get("kafka.snapshot_topic");
  c.properties = passthrough(s);
  c.history = service_config(s).history;  // restored history kept as the live service keeps it
  return c;
}

std::string required_pg(const Settings& s) {
  const std::string& pg = s.get("pg");
  if (pg.empty()) throw SettingsError("--pg (a libpq connection string, MUCSTREAM_PG) is required");
  return pg;
}

sql::MaterializerConfig materializer_config(const Settings& s, const KafkaEndpoint& kafka) {
  sql::MaterializerConfig c;
  c.pg = required_pg(s);
  events::KafkaProperties props;
  // The mock cluster answers a waiting fetch only when fetch.wait.max.ms (500 ms) expires,
  // where a real broker answers as soon as data arrives: keep the wait short for it.
  if (kafka.mock) props["fetch.wait.max.ms"] = "20";
  for (const auto& [k, v] : passthrough(s)) props[k] = v;
  c.consumer = events::ConsumerConfig{kafka.brokers, s.get("kafka.group"), {s.get("kafka.topic")}, props};
  c.dead_letter_topic = s.get("kafka.dead_letter_topic");
  c.producer_properties = passthrough(s);
  c.batch_max = static_cast<std::size_t>(s.get_int("materialize.batch_max"));
  c.batch_ms = s.get_int("materialize.batch_ms");
  if (s.get_bool("privacy.mask_room_names")) {
    // The key is bound into the hash once; the crypto object lives as long as the mask.
    auto crypto = std::make_shared<crypto::OpenSslCrypto>();
    auto mask = std::make_shared<sql::RoomMask>(
        [crypto, key = s.get("privacy.mask_key")](std::string_view m) { return crypto->hmac_sha256(key, m); });
    c.transform = [mask](core::Event& e) { mask->apply(e); };
    log::info("materialize", "room names are masked: PostgreSQL stores room JIDs, titles and descriptions as keyed hashes");
  }
  return c;
}

bool wait_caught_up(const sql::Materializer& m, int timeout_ms, int quiet_ms) {
  using namespace std::chrono;
  const auto until = steady_clock::now() + milliseconds(timeout_ms);
  for (;;) {
    const sql::MaterializerStats st = m.stats();
    const auto now_ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    if (st.assigned > 0 && st.idle_since_ms != 0 && now_ms - st.idle_since_ms >= quiet_ms) return true;
    if (steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(milliseconds(100));
  }
}

const std::atomic<bool>& install_stop_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  return g_stop;
}

}  // namespace mucstream::tools
