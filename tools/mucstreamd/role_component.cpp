// mucstreamd component: the XEP-0114 MUC component on its own.
//   --kafka-brokers B: the commit point is Kafka. Events go to the producer (a decision's
//     output is sent once Kafka acknowledged its events), rooms are snapshotted to
//     kafka.snapshot_topic, and after every connect the rooms are restored from Kafka
//     (snapshots + the events after them) before a stanza is handled: a standby is a second
//     process retrying the connection, which takes over the rooms when it gets in.
//   With several MUC domains (--domain a,b): one connection, loop, producer and restore per
//     domain (room_services.hpp); each domain's snapshot rounds write their own checkpoint.
//   without brokers: events go to a log sink (stderr lines, stdout JSON lines or nowhere:
//     --xmpp-events), durable at once, nothing to restore from.
// --ops-listen serves /metrics, /healthz and /readyz.
#include <memory>

#include "crypto/openssl_crypto.hpp"
#include "events/ids.hpp"
#include "events/kafka_restore.hpp"
#include "tools/common/log.hpp"
#include "tools/mucstreamd/archive_wiring.hpp"
#include "tools/mucstreamd/component_wiring.hpp"
#include "tools/mucstreamd/domains.hpp"
#include "tools/mucstreamd/event_log_sink.hpp"
#include "tools/mucstreamd/metered_sink.hpp"
#include "tools/mucstreamd/metrics_wiring.hpp"
#include "tools/mucstreamd/ops_server.hpp"
#include "tools/mucstreamd/pipeline.hpp"
#include "tools/mucstreamd/probes.hpp"
#include "tools/mucstreamd/room_services.hpp"
#include "tools/mucstreamd/roles.hpp"

namespace mucstream::tools {
namespace {
std::unique_ptr<core::EventSink> log_sink(const std::string& where) {
  if (where == "stdout") return std::make_unique<JsonLinesSink>(stdout);
  if (where == "none") return std::make_unique<NullSink>();
  if (where == "log") return std::make_unique<LogSink>();
  throw SettingsError("--xmpp-events must be log, stdout or none");
}
}  // namespace

int run_component(const Settings& s) {
  const xmpp::ConnectionOptions conn = connection_options(s);
  const std::vector<std::string> domains = xmpp_domains(s);
  const bool several = domains.size() > 1;
  const std::atomic<bool>& stop = install_stop_signals();
  const std::string& brokers = s.get("kafka.brokers");
  std::unique_ptr<KafkaProbe> kafka_probe;
  if (!brokers.empty()) kafka_probe = std::make_unique<KafkaProbe>(brokers, producer_config(s, brokers).properties);

  // Per domain: its own log (a producer whose snapshot rounds checkpoint that domain alone),
  // its own loop, and a restore of that domain's rooms after each of its connects.
  std::vector<std::unique_ptr<events::Producer>> producers;
  std::vector<std::unique_ptr<core::EventSink>> plain;
  std::vector<std::unique_ptr<MeteredSink>> sinks;
  events::UuidV7Ids ids;
  RoomServices loops;
  for (const std::string& domain : domains) {
    events::Producer* producer = nullptr;
    if (!brokers.empty()) {
      events::ProducerConfig pc = producer_config(s, brokers);
      if (several) pc.checkpoint_key = events::checkpoint_key_for(domain);
      producers.push_back(std::make_unique<events::Producer>(pc));
      producer = producers.back().get();
    } else {
      plain.push_back(log_sink(s.get("xmpp.events")));
    }
    sinks.push_back(std::make_unique<MeteredSink>(producer ? static_cast<core::EventSink&>(*producer) : *plain.back()));
    xmpp::ConnectionOptions c = conn;
    c.domain = domain;
    core::ServiceConfig cfg = service_config(s);
    cfg.domain = domain;
    auto crypto = std::make_unique<crypto::OpenSslCrypto>();
    auto loop = std::make_unique<xmpp::RoomService>(c, limits(s), std::move(cfg), core::Service{}, ids, *crypto,
                                                    *sinks.back(), commit_options(s));
    if (producer) {
      events::KafkaRestoreConfig rc = kafka_restore_config(s, brokers);
      rc.domain = domain;
      if (several) rc.checkpoint_key = events::checkpoint_key_for(domain);
      loop->set_restore([rc, producer, domain] {
        events::KafkaRestoreStats st;
        core::Service restored = events::restore_from_kafka(rc, &st);
        producer->set_restored_offsets(st.end_offsets, st.gone);
        log::info("component", "restored {} rooms from Kafka for {} ({} from snapshots, {} events applied, {:.2f} s)",
                  st.rooms, domain, st.snapshots, st.events_applied, st.snapshot_seconds + st.events_seconds);
        return restored;
      });
    }
    loops.add(domain, std::move(loop), std::move(crypto));
  }

  // Archives are read from PostgreSQL: a split deployment's component needs --pg for them.
  // Declared after the loops, so destroyed first: its last answers reach live loops.
  const auto archive = archive_reader_if_configured(s);
  for (std::size_t i = 0; archive && i < loops.size(); ++i) loops.at(i).set_archive_reader(archive.get());

  analytics::metrics::Registry registry;
  for (std::size_t i = 0; i < loops.size(); ++i) {
    const std::string label = several ? domains[i] : std::string();
    register_component_metrics(registry, loops.at(i), label);
    register_sink_metrics(registry, *sinks[i], label);
    if (!producers.empty()) register_producer_metrics(registry, *producers[i], label);
  }
  std::vector<analytics::ReadinessCheck> checks{{"xmpp", [&loops] { return loops.all_connected(); }}};
  if (kafka_probe)
    checks.push_back({"kafka", [&sinks, probe = kafka_probe.get()] {
                        for (const auto& sink : sinks)
                          if (!sink->last_accepting()) return false;
                        return probe->ready();
                      }});
  auto ops = ops_server_if_configured(s.get("ops.listen"), registry, std::move(checks));

  const int rc = loops.run(stop);
  if (ops) ops->stop();  // its checks read the loops
  for (auto& p : producers) p->close();
  return rc;
}

}  // namespace mucstream::tools
