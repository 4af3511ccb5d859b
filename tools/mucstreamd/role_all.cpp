// mucstreamd all: component + API (+ materialiser) in one process. Two shapes:
//
// Embedded (no --kafka-brokers), the default: PostgreSQL is the commit point.
//   1. migrations;
//   2. the rooms restored from PostgreSQL (sql::restore_from_pg: every live room, with its
//      occupants, from its latest snapshot and the events after it); rows the restore does
//      not hold are closed as orphaned (sql::close_orphans);
//   3. sql::PgCommitLog as the event sink: group commits on its own thread (events, rooms,
//      users and reports in one transaction), then each event mirrored to librdkafka's
//      in-process mock cluster so `kcat` tails of the events topic still work. No
//      materialiser: everything is in PostgreSQL already, and nothing is left to recover
//      after a crash;
//   4. the XEP-0114 component, 5. the HTTP API (with live room administration) when a JWT
//      secret is configured.
//
// With --kafka-brokers B: Kafka is the commit point. The rooms are restored from Kafka
// (snapshots + events after them), the producer is the sink, and the materialiser runs on
// its own thread to fill PostgreSQL for the API. Once it has caught up, rows of rooms and
// sessions the restored log does not hold (a wiped cluster) are closed as orphaned.
//
// Either way, occupants restored whose clients are gone leave as ghosts once connected
// (xmpp/ghosts.hpp), and their rows are closed by their events.
//
// On SIGTERM/SIGINT the component stops (occupants get 332) and what was published is
// written (PostgreSQL) or flushed (Kafka) before exit.
#include <pqxx/pqxx>
#include <thread>

#include "crypto/openssl_crypto.hpp"
#include "events/ids.hpp"
#include "events/kafka_restore.hpp"
#include "sql/migrate.hpp"
#include "sql/orphans.hpp"
#include "sql/pg_commit_log.hpp"
#include "sql/restore.hpp"
#include "tools/common/log.hpp"
#include "tools/mucstreamd/archive_wiring.hpp"
#include "tools/mucstreamd/api_server.hpp"
#include "tools/mucstreamd/component_wiring.hpp"
#include "tools/mucstreamd/metered_sink.hpp"
#include "tools/mucstreamd/metrics_wiring.hpp"
#include "tools/mucstreamd/pipeline.hpp"
#include "tools/mucstreamd/retention_wiring.hpp"
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

void register_commit_log_metrics(analytics::metrics::Registry& r, const sql::PgCommitLog& log) {
  r.counter_fn("mucstream_commit_log_written_total", "Events committed to PostgreSQL by the commit log", {},
               [&log] { return static_cast<double>(log.stats().written); });
  r.counter_fn("mucstream_commit_log_batches_total", "Group commits of the commit log", {},
               [&log] { return static_cast<double>(log.stats().batches); });
  r.counter_fn("mucstream_commit_log_pg_failures_total", "Failed PostgreSQL attempts of the commit log", {},
               [&log] { return static_cast<double>(log.stats().pg_failures); });
  r.gauge_fn("mucstream_commit_log_last_latency_seconds", "Publish of a batch's first event to durable, last batch",
             {}, [&log] { return static_cast<double>(log.stats().last_latency_ms) / 1000.0; });
}

// Closes what the restored log no longer holds once the materialiser has caught up (before
// that, a row open in PostgreSQL may be a room whose end is still on its way from Kafka).
struct OrphanSweep {
  std::atomic<bool> stop{false};
  std::thread thread;
  OrphanSweep(const sql::Materializer& m, std::string pg, sql::LiveIds live) {
    thread = std::thread([this, &m, pg = std::move(pg), live = std::move(live)] {
      for (std::int64_t waited = 0; !stop.load(); waited += 1000) {
        if (!wait_caught_up(m, 1000, 300)) {
          if (waited == 120'000)
            log::warn("all", "the materialiser has not caught up for 120 s: orphaned rows are checked once it has");
          continue;
        }
        try {
          pqxx::connection c(pg);
          sql::close_orphans(c, live);
        } catch (const std::exception& e) {
          log::error("all", "closing orphaned rows failed: {}", e.what());
        }
        return;
      }
    });
  }
  ~OrphanSweep() {
    stop = true;
    if (thread.joinable()) thread.join();
  }
};

// The materialiser on its own thread (with Kafka only).
struct MaterializerThread {
  sql::Materializer m;
  std::atomic<bool> stop{false};
  std::thread thread;
  explicit MaterializerThread(sql::MaterializerConfig cfg) : m(std::move(cfg)) {
    thread = std::thread([this] {
      try {
        m.run(stop);
      } catch (const std::exception& e) {
        log::error("materialize", "stopped: {}", e.what());
      }
    });
  }
  ~MaterializerThread() {
    stop = true;
    if (thread.joinable()) thread.join();
  }
};
}  // namespace

int run_all(const Settings& s) {
  const std::atomic<bool>& stop = install_stop_signals();
  const xmpp::ConnectionOptions conn = connection_options(s);
  const std::string pg = required_pg(s);  // check every required setting before starting anything
  const bool embedded = s.get("kafka.brokers").empty();
  // The embedded mode restores rooms from PostgreSQL by their JIDs: masked ones cannot be.
  if (embedded && s.get_bool("privacy.mask_room_names"))
    throw SettingsError("--privacy-mask-room-names needs --kafka-brokers: without Kafka, rooms are restored from "
                        "PostgreSQL, where masked names cannot be turned back into rooms");

  KafkaEndpoint kafka = kafka_endpoint(s, true);
  {
    pqxx::connection c(pg);
    sql::migrate(c);
  }
  // Embedded: the mirror of the commit log into the mock cluster. With Kafka: the sink.
  events::Producer producer(producer_config(s, kafka.brokers));
  std::unique_ptr<sql::PgCommitLog> commit_log;
  std::unique_ptr<MaterializerThread> materializer;

  std::unique_ptr<OrphanSweep> sweep;
  // The retention purge (retention.*) beside the writer, whichever writes.
  const auto purge = scheduled_purge_if_configured(s, pg);

  core::Service restored;
  const auto restore_start = std::chrono::system_clock::now();
  if (embedded) {
    pqxx::connection c(pg);
    sql::RestoreStats st;
    restored = sql::restore_from_pg(c, &st, service_config(s).history);
    log::info("all", "restored {} rooms from PostgreSQL ({} from snapshots, {} events applied) in {} ms", st.rooms,
              st.snapshots, st.events, st.total_ms);
    sql::close_orphans(c, sql::live_ids(restored, restore_start));
    sql::PgCommitLogConfig cfg;
    cfg.pg = pg;
    cfg.migrate = false;
    cfg.unavailable_ms = s.get_int("commit.unavailable_ms");
    cfg.mirror = &producer;
    commit_log = std::make_unique<sql::PgCommitLog>(cfg);
  } else {
    materializer = std::make_unique<MaterializerThread>(materializer_config(s, kafka));
    events::KafkaRestoreStats st;
    restored = events::restore_from_kafka(kafka_restore_config(s, kafka.brokers), &st);
    producer.set_restored_offsets(st.end_offsets, st.gone);
    log::info("all", "restored {} rooms from Kafka ({} from snapshots, {} events applied, {:.2f} s)", st.rooms,
              st.snapshots, st.events_applied, st.snapshot_seconds + st.events_seconds);
    sweep = std::make_unique<OrphanSweep>(materializer->m, pg, sql::live_ids(restored, restore_start));
  }
  MeteredSink sink(embedded ? static_cast<core::EventSink&>(*commit_log) : producer);

  events::UuidV7Ids ids;
  crypto::OpenSslCrypto openssl;
  int rc = 0;
  {
    xmpp::RoomService service(conn, limits(s), service_config(s), std::move(restored), ids, openssl, sink,
                              commit_options(s));
    // Declared after the service, so destroyed first: its last answers reach a live loop.
    const auto archive = std::make_unique<sql::PgArchiveReader>(archive_reader_config(s, pg));
    if (archive) service.set_archive_reader(archive.get());
    analytics::metrics::Registry registry;  // outlives the API that serves it
    std::unique_ptr<ApiServer> api;
    if (s.get("jwt.secret").empty()) {
      log::warn("all", "HTTP API not started: set --jwt-secret (MUCSTREAM_JWT_SECRET) to serve it");
    } else {
      register_component_metrics(registry, service);
      register_sink_metrics(registry, sink);
      register_producer_metrics(registry, producer);
      if (commit_log) register_commit_log_metrics(registry, *commit_log);
      if (materializer) {
        register_materializer_metrics(registry, materializer->m);
        register_lag_metric(registry, producer, materializer->m);
      }
      // Each occupant's self-presence then carries its client token for POST /v1/telemetry.
      service.set_telemetry_token_source(telemetry_token_source(s));
      api = std::make_unique<ApiServer>(
          s, registry, [&service](core::Command c, auto done) { service.submit(std::move(c), std::move(done)); },
          [&service](auto read) { service.inspect(std::move(read)); },
          std::vector<analytics::ReadinessCheck>{
              {"xmpp", [&service] { return service.stats().connected.load(); }},
              {embedded ? "commit_log" : "kafka", [&sink] { return sink.last_accepting(); }}});
    }
    rc = service.run(stop);
    if (api) api->stop();  // before the loop it submits to goes away
  }
  if (commit_log) {
    if (!commit_log->flush(10000)) log::error("all", "PostgreSQL did not take every event before exit");
    commit_log.reset();  // its thread hands the last events to the mirror
  }
  producer.close();
  sweep.reset();  // before the materialiser it watches
  if (materializer) wait_caught_up(materializer->m, 10000, 500);
  materializer.reset();
  return rc;
}

}  // namespace mucstream::tools
