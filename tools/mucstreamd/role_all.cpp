// mucstreamd all: the embedded default. One process runs
//   1. migrations,
//   2. Kafka: the configured cluster, or librdkafka's in-process mock cluster (logged, with
//      the kcat command to tail it) when --kafka-brokers is empty,
//   3. the materialiser on its own thread, which first catches up with the topic,
//   4. replay: persistent rooms rebuilt from the stored events (core::apply +
//      core::persistent_view) before the component accepts a stanza,
//   5. the XEP-0114 component with the Kafka producer as its event sink.
// On SIGTERM/SIGINT the component stops (occupants get 332), the producer flushes, and the
// materialiser drains what was produced before it stops, so with the in-memory mock cluster
// nothing is lost on a clean stop.
//
// Needs the xmpp/ RoomService (branch xmpp); tools/CMakeLists.txt compiles this file only
// when the mucstream_xmpp target exists.
#include <pqxx/pqxx>
#include <thread>

#include "events/ids.hpp"
#include "sql/migrate.hpp"
#include "sql/replay.hpp"
#include "tools/common/log.hpp"
#include "tools/mucstreamd/pipeline.hpp"
#include "tools/mucstreamd/roles.hpp"
#include "xmpp/room_service.hpp"

namespace mucstream::tools {

// Defined with the component role (role_component.cpp).
xmpp::ConnectionOptions connection_options(const Settings& s);
xmpp::Limits limits(const Settings& s);
core::ServiceConfig service_config(const Settings& s);

int run_all(const Settings& s) {
  bridge_pipeline_logs();
  const std::atomic<bool>& stop = install_stop_signals();
  const xmpp::ConnectionOptions conn = connection_options(s);

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
  int rc = 0;
  {
    xmpp::RoomService service(conn, limits(s), service_config(s), std::move(restored), ids, producer);
    service.set_logger([](xmpp::RoomService::LogLevel l, const std::string& m) {
      const auto level = static_cast<log::Level>(static_cast<int>(l));
      if (log::enabled(level)) log::write(level, "component", m);
    });
    rc = service.run(stop);
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
