// mucstreamd all: the embedded default. One process runs
//   1. migrations,
//   2. Kafka: the configured cluster, or librdkafka's in-process mock cluster (logged, with
//      the kcat command to tail it) when --kafka-brokers is empty,
//   3. the materialiser on its own thread, which first catches up with the topic,
//   4. replay: persistent rooms rebuilt from the stored events (core::apply +
//      core::persistent_view) before the component accepts a stanza,
//   5. the XEP-0114 component with the Kafka producer as its event sink,
//   6. the HTTP API (with live room administration through the component's loop) when a
//      JWT secret is configured.
// On SIGTERM/SIGINT the component stops (occupants get 332), the producer flushes, and the
// materialiser drains what was produced before it stops, so with the in-memory mock cluster
// nothing is lost on a clean stop.
#include <pqxx/pqxx>
#include <thread>

#include "crypto/openssl_crypto.hpp"
#include "events/ids.hpp"
#include "sql/migrate.hpp"
#include "sql/replay.hpp"
#include "tools/mucstreamd/api_server.hpp"
#include "tools/mucstreamd/component_wiring.hpp"
#include "tools/mucstreamd/metered_sink.hpp"
#include "tools/mucstreamd/metrics_wiring.hpp"
#include "tools/common/log.hpp"
#include "tools/mucstreamd/pipeline.hpp"
#include "tools/mucstreamd/roles.hpp"
#include "xmpp/room_service.hpp"

namespace mucstream::tools {


namespace {
void register_lag_metric(analytics::metrics::Registry& r, const events::Producer& producer,
                         const sql::Materializer& materializer) {
  // Lag as events this process produced that are not in PostgreSQL yet.
  r.gauge_fn("mucstream_materializer_lag_events", "Events delivered to Kafka and not yet materialised", {},
             [&producer, &materializer] {
               const auto m = materializer.stats();
               const double done = static_cast<double>(m.inserted + m.duplicates);
               return std::max(0.0, static_cast<double>(producer.stats().delivered) - done);
             });
}
}  // namespace

int run_all(const Settings& s) {
  const std::atomic<bool>& stop = install_stop_signals();
  const xmpp::ConnectionOptions conn = connection_options(s);
  required_pg(s);  // check every required setting before starting anything

  KafkaEndpoint kafka = kafka_endpoint(s, true);
  sql::MaterializerConfig mcfg = materializer_config(s, kafka);
  {
    pqxx::connection pg(mcfg.pg);
    sql::migrate(pg);
  }

  events::Producer producer(producer_config(s, kafka.brokers));
  if (const std::size_t n = producer.resend_spilled()) log::info("all", "re-produced {} spilled events", n);

  sql::Materializer materializer(mcfg);
  std::atomic<bool> stop_materializer{false};
  std::thread materializer_thread([&] {
    try {
      materializer.run(stop_materializer);
    } catch (const std::exception& e) {
      log::error("materialize", "stopped: {}", e.what());
    }
  });
  auto stop_pipeline = [&] {
    stop_materializer = true;
    if (materializer_thread.joinable()) materializer_thread.join();
  };

  // Replay needs every event in PostgreSQL: let the materialiser catch up first (bounded:
  // a real cluster may hold a long backlog; the rooms are then restored from what is stored).
  if (!kafka.mock && !wait_caught_up(materializer, 60000))
    log::warn("all", "materialiser still catching up after 60 s; restoring rooms from what is stored so far");
  core::Service restored;
  try {
    pqxx::connection pg(mcfg.pg);
    sql::ReplayStats st;
    restored = sql::replay_service(pg, &st);
    log::info("all", "restored {} persistent rooms from {} stored events", st.rooms, st.events);
  } catch (const std::exception& e) {
    log::error("all", "replay failed: {}", e.what());
    stop_pipeline();
    return 1;
  }

  events::UuidV7Ids ids;
  crypto::OpenSslCrypto openssl;
  int rc = 0;
  {
    MeteredSink sink(producer);
    xmpp::RoomService service(conn, limits(s), service_config(s), std::move(restored), ids, openssl, sink);
    analytics::metrics::Registry registry;  // outlives the API that serves it
    std::unique_ptr<ApiServer> api;
    if (s.get("jwt.secret").empty()) {
      log::warn("all", "HTTP API not started: set --jwt-secret (MUCSTREAM_JWT_SECRET) to serve it");
    } else {
      register_component_metrics(registry, service);
      register_sink_metrics(registry, sink);
      register_producer_metrics(registry, producer);
      register_materializer_metrics(registry, materializer);
      register_lag_metric(registry, producer, materializer);
      try {
        // Each occupant's self-presence then carries its client token for POST /v1/telemetry.
        service.set_telemetry_token_source(telemetry_token_source(s));
        api = std::make_unique<ApiServer>(
            s, registry,
            [&service](core::Command c, auto done) { service.submit(std::move(c), std::move(done)); },
            [&service](auto read) { service.inspect(std::move(read)); },
            std::vector<analytics::ReadinessCheck>{
                {"xmpp", [&service] { return service.stats().connected.load(); }},
                {"kafka", [&sink] { return sink.last_accepting(); }}});
      } catch (...) {  // bad --http-listen or secret: stop what runs, then say why
        stop_pipeline();
        throw;
      }
    }
    rc = service.run(stop);
    if (api) api->stop();  // before the loop it submits to goes away
  }
  producer.close();
  const std::uint64_t delivered = producer.stats().delivered;
  if (kafka.mock) {
    // The mock cluster's data dies with this process: drain it into PostgreSQL first.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < until) {
      const sql::MaterializerStats st = materializer.stats();
      if (st.inserted + st.duplicates >= delivered && st.idle_since_ms != 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    const sql::MaterializerStats st = materializer.stats();
    if (st.inserted + st.duplicates < delivered)
      log::error("all", "LOSS: {} events produced to the embedded cluster were not materialised before exit",
                 delivered - st.inserted - st.duplicates);
  } else {
    wait_caught_up(materializer, 10000, 500);
  }
  stop_pipeline();
  return rc;
}

}  // namespace mucstream::tools
