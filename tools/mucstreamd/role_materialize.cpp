// mucstreamd materialize: the materialiser on its own (scale out by starting more in the
// same consumer group). Migrates at start-up, runs until SIGTERM/SIGINT. --ops-listen
// serves /metrics, /healthz and /readyz (Kafka and PostgreSQL reachable). The retention
// purge (retention.*) runs here on its own thread and connection.
#include "tools/common/log.hpp"
#include "tools/mucstreamd/metrics_wiring.hpp"
#include "tools/mucstreamd/ops_server.hpp"
#include "tools/mucstreamd/pipeline.hpp"
#include "tools/mucstreamd/probes.hpp"
#include "tools/mucstreamd/retention_wiring.hpp"
#include "tools/mucstreamd/roles.hpp"

namespace mucstream::tools {

int run_materialize(const Settings& s) {
  const std::atomic<bool>& stop = install_stop_signals();
  KafkaEndpoint kafka = kafka_endpoint(s, false);
  const sql::MaterializerConfig cfg = materializer_config(s, kafka);
  PgProbe pg(cfg.pg);
  KafkaProbe kafka_probe(kafka.brokers, cfg.consumer.properties);
  analytics::metrics::Registry registry;
  std::unique_ptr<OpsServer> ops;
  sql::Materializer m(cfg);
  register_materializer_metrics(registry, m);
  ops = ops_server_if_configured(
      s.get("ops.listen"), registry,
      {{"kafka", [&kafka_probe] { return kafka_probe.ready(); }}, {"postgresql", [&pg] { return pg.ready(); }}});
  const auto purge = scheduled_purge_if_configured(s, cfg.pg);
  m.run(stop);
  if (ops) ops->stop();
  return 0;
}

}  // namespace mucstream::tools
