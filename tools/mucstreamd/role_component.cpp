// mucstreamd component: the XEP-0114 MUC component on its own.
//   --kafka-brokers B: the commit point is Kafka. Events go to the producer (a decision's
//     output is sent once Kafka acknowledged its events), rooms are snapshotted to
//     kafka.snapshot_topic, and after every connect the rooms are restored from Kafka
//     (snapshots + the events after them) before a stanza is handled: a standby is a second
//     process retrying the connection, which takes over the rooms when it gets in.
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
#include "tools/mucstreamd/event_log_sink.hpp"
#include "tools/mucstreamd/metered_sink.hpp"
#include "tools/mucstreamd/metrics_wiring.hpp"
#include "tools/mucstreamd/ops_server.hpp"
#include "tools/mucstreamd/pipeline.hpp"
#include "tools/mucstreamd/probes.hpp"
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
  const std::atomic<bool>& stop = install_stop_signals();
  const std::string& brokers = s.get("kafka.brokers");
  std::unique_ptr<events::Producer> producer;
  std::unique_ptr<core::EventSink> plain;
  std::unique_ptr<KafkaProbe> kafka_probe;
  if (!brokers.empty()) {
    const events::ProducerConfig pc = producer_config(s, brokers);
    producer = std::make_unique<events::Producer>(pc);
    kafka_probe = std::make_unique<KafkaProbe>(brokers, pc.properties);
  } else {
    plain = log_sink(s.get("xmpp.events"));
  }
  MeteredSink sink(producer ? static_cast<core::EventSink&>(*producer) : *plain);

  events::UuidV7Ids ids;
  crypto::OpenSslCrypto openssl;
  xmpp::RoomService service(conn, limits(s), service_config(s), core::Service{}, ids, openssl, sink,
                            commit_options(s));
  // Archives are read from PostgreSQL: a split deployment's component needs --pg for them.
  const auto archive = archive_reader_if_configured(s);
  attach_archive_reader(service, archive.get());
  if (producer) {
    service.set_restore([cfg = kafka_restore_config(s, brokers), p = producer.get()] {
      events::KafkaRestoreStats st;
      core::Service restored = events::restore_from_kafka(cfg, &st);
      p->set_restored_offsets(st.end_offsets, st.gone);
      log::info("component", "restored {} rooms from Kafka ({} from snapshots, {} events applied, {:.2f} s)",
                st.rooms, st.snapshots, st.events_applied, st.snapshot_seconds + st.events_seconds);
      return restored;
    });
  }

  analytics::metrics::Registry registry;
  register_component_metrics(registry, service);
  register_sink_metrics(registry, sink);
  if (producer) register_producer_metrics(registry, *producer);
  std::vector<analytics::ReadinessCheck> checks{
      {"xmpp", [&service] { return service.stats().connected.load(); }}};
  if (kafka_probe)
    checks.push_back({"kafka", [&sink, probe = kafka_probe.get()] { return sink.last_accepting() && probe->ready(); }});
  auto ops = ops_server_if_configured(s.get("ops.listen"), registry, std::move(checks));

  const int rc = service.run(stop);
  if (ops) ops->stop();  // its checks read the service
  if (producer) producer->close();
  return rc;
}

}  // namespace mucstream::tools
