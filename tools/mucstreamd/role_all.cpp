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
// Several MUC domains (--domain a,b): one connection, loop and log (commit log or producer)
// per domain, each restored with that domain's rooms (room_services.hpp); the API routes
// each command to its room's domain.
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
#include "tools/mucstreamd/domains.hpp"
#include "tools/mucstreamd/metered_sink.hpp"
#include "tools/mucstreamd/metrics_wiring.hpp"
#include "tools/mucstreamd/pipeline.hpp"
#include "tools/mucstreamd/retention_wiring.hpp"
#include "tools/mucstreamd/room_services.hpp"
#include "tools/mucstreamd/roles.hpp"
#include "xmpp/room_service.hpp"

namespace mucstream::tools {

namespace {
void register_lag_metric(analytics::metrics::Registry& r, const std::vector<std::unique_ptr<events::Producer>>& producers,
                         const sql::Materializer& materializer) {
  // Lag as events this process produced (every domain's producer) that are not in PostgreSQL yet.
  r.gauge_fn("mucstream_materializer_lag_events", "Events delivered to Kafka and not yet materialised", {},
             [&producers, &materializer] {
               const auto m = materializer.stats();
               const double done = static_cast<double>(m.inserted + m.duplicates);
               double delivered = 0;
               for (const auto& p : producers) delivered += static_cast<double>(p->stats().delivered);
               return std::max(0.0, delivered - done);
             });
}

// `domain` non-empty: one commit log per domain, each series labelled with it.
void register_commit_log_metrics(analytics::metrics::Registry& r, const sql::PgCommitLog& log,
                                 const std::string& domain) {
  const analytics::metrics::Labels l = domain.empty() ? analytics::metrics::Labels{}
                                                      : analytics::metrics::Labels{{"domain", domain}};
  r.counter_fn("mucstream_commit_log_written_total", "Events committed to PostgreSQL by the commit log", l,
               [&log] { return static_cast<double>(log.stats().written); });
  r.counter_fn("mucstream_commit_log_batches_total", "Group commits of the commit log", l,
               [&log] { return static_cast<double>(log.stats().batches); });
  r.counter_fn("mucstream_commit_log_pg_failures_total", "Failed PostgreSQL attempts of the commit log", l,
               [&log] { return static_cast<double>(log.stats().pg_failures); });
  r.gauge_fn("mucstream_commit_log_last_latency_seconds", "Publish of a batch's first event to durable, last batch",
             l, [&log] { return static_cast<double>(log.stats().last_latency_ms) / 1000.0; });
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
  const std::vector<std::string> domains = xmpp_domains(s);
  const bool several = domains.size() > 1;
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
  // Embedded: the mirror of the commit logs into the mock cluster. With Kafka: unused (each
  // domain has a producer of its own below).
  events::Producer producer(producer_config(s, kafka.brokers));
  // One log per domain, each the sink of that domain's loop: PostgreSQL commit logs
  // (embedded) or producers whose snapshot rounds checkpoint that domain alone (Kafka).
  std::vector<std::unique_ptr<sql::PgCommitLog>> commit_logs;
  std::vector<std::unique_ptr<events::Producer>> producers;
  std::unique_ptr<MaterializerThread> materializer;

  std::unique_ptr<OrphanSweep> sweep;
  // The retention purge (retention.*) beside the writer, whichever writes.
  const auto purge = scheduled_purge_if_configured(s, pg);

  std::vector<core::Service> restored;
  const auto restore_start = std::chrono::system_clock::now();
  if (embedded) {
    pqxx::connection c(pg);
    sql::RestoreStats st;
    core::Service all = sql::restore_from_pg(c, &st, service_config(s).history);
    log::info("all", "restored {} rooms from PostgreSQL ({} from snapshots, {} events applied) in {} ms", st.rooms,
              st.snapshots, st.events, st.total_ms);
    // Rows of every restored room stay open, served or not: a domain left out of --domain
    // for a while finds its rooms again when it is back.
    sql::close_orphans(c, sql::live_ids(all, restore_start));
    std::size_t foreign = 0;
    restored = split_by_domain(std::move(all), domains, &foreign);
    if (foreign > 0)
      log::warn("all", "{} live rooms in PostgreSQL are of domains not in --domain: not served, left as they are",
                foreign);
    for (std::size_t i = 0; i < domains.size(); ++i) {
      sql::PgCommitLogConfig cfg;
      cfg.pg = pg;
      cfg.migrate = false;
      cfg.unavailable_ms = s.get_int("commit.unavailable_ms");
      cfg.mirror = &producer;
      commit_logs.push_back(std::make_unique<sql::PgCommitLog>(cfg));
    }
  } else {
    materializer = std::make_unique<MaterializerThread>(materializer_config(s, kafka));
    sql::LiveIds live;
    live.before = restore_start;
    live.domains = domains;  // each restore read its own domain: other domains' rows are left alone
    for (const std::string& domain : domains) {
      events::ProducerConfig pc = producer_config(s, kafka.brokers);
      events::KafkaRestoreConfig rc = kafka_restore_config(s, kafka.brokers);
      rc.domain = domain;
      if (several) pc.checkpoint_key = rc.checkpoint_key = events::checkpoint_key_for(domain);
      producers.push_back(std::make_unique<events::Producer>(pc));
      events::KafkaRestoreStats st;
      restored.push_back(events::restore_from_kafka(rc, &st));
      producers.back()->set_restored_offsets(st.end_offsets, st.gone);
      log::info("all", "restored {} rooms from Kafka for {} ({} from snapshots, {} events applied, {:.2f} s)",
                st.rooms, domain, st.snapshots, st.events_applied, st.snapshot_seconds + st.events_seconds);
      sql::LiveIds some = sql::live_ids(restored.back(), restore_start);
      live.rooms.insert(live.rooms.end(), some.rooms.begin(), some.rooms.end());
      live.sessions.insert(live.sessions.end(), some.sessions.begin(), some.sessions.end());
    }
    sweep = std::make_unique<OrphanSweep>(materializer->m, pg, std::move(live));
  }
  std::vector<std::unique_ptr<MeteredSink>> sinks;
  for (std::size_t i = 0; i < domains.size(); ++i)
    sinks.push_back(std::make_unique<MeteredSink>(embedded ? static_cast<core::EventSink&>(*commit_logs[i])
                                                           : static_cast<core::EventSink&>(*producers[i])));

  events::UuidV7Ids ids;
  int rc = 0;
  {
    RoomServices loops;
    for (std::size_t i = 0; i < domains.size(); ++i) {
      xmpp::ConnectionOptions c = conn;
      c.domain = domains[i];
      core::ServiceConfig cfg = service_config(s);
      cfg.domain = domains[i];
      auto crypto = std::make_unique<crypto::OpenSslCrypto>();
      // Made before add() takes the crypto: argument evaluation order is unspecified.
      auto loop = std::make_unique<xmpp::RoomService>(c, limits(s), std::move(cfg), std::move(restored[i]), ids,
                                                      *crypto, *sinks[i], commit_options(s));
      loops.add(domains[i], std::move(loop), std::move(crypto));
    }
    // Declared after the loops, so destroyed first: its last answers reach live loops.
    const auto archive = std::make_unique<sql::PgArchiveReader>(archive_reader_config(s, pg));
    for (std::size_t i = 0; i < loops.size(); ++i) loops.at(i).set_archive_reader(archive.get());
    analytics::metrics::Registry registry;  // outlives the API that serves it
    std::unique_ptr<ApiServer> api;
    if (s.get("jwt.secret").empty()) {
      log::warn("all", "HTTP API not started: set --jwt-secret (MUCSTREAM_JWT_SECRET) to serve it");
    } else {
      for (std::size_t i = 0; i < loops.size(); ++i) {
        const std::string label = several ? domains[i] : std::string();
        register_component_metrics(registry, loops.at(i), label);
        register_sink_metrics(registry, *sinks[i], label);
        if (!embedded) register_producer_metrics(registry, *producers[i], label);
        if (embedded) register_commit_log_metrics(registry, *commit_logs[i], label);
      }
      if (embedded) register_producer_metrics(registry, producer);
      if (materializer) {
        register_materializer_metrics(registry, materializer->m);
        register_lag_metric(registry, producers, materializer->m);
      }
      // Each occupant's self-presence then carries its client token for POST /v1/telemetry,
      // limited to its room's domain (the tenant claim).
      for (std::size_t i = 0; i < loops.size(); ++i)
        loops.at(i).set_telemetry_token_source(telemetry_token_source(s, domains[i]));
      api = std::make_unique<ApiServer>(
          s, registry, [&loops](core::Command c, auto done) { loops.submit(std::move(c), std::move(done)); },
          [&loops](const std::string& domain, auto read) { loops.inspect(domain, std::move(read)); },
          std::vector<analytics::ReadinessCheck>{
              {"xmpp", [&loops] { return loops.all_connected(); }},
              {embedded ? "commit_log" : "kafka", [&sinks] {
                 for (const auto& sink : sinks)
                   if (!sink->last_accepting()) return false;
                 return true;
               }}});
    }
    rc = loops.run(stop);
    if (api) api->stop();  // before the loops it submits to go away
  }
  for (auto& log : commit_logs) {
    if (!log->flush(10000)) log::error("all", "PostgreSQL did not take every event before exit");
    log.reset();  // its thread hands the last events to the mirror
  }
  for (auto& p : producers) p->close();
  producer.close();
  sweep.reset();  // before the materialiser it watches
  if (materializer) wait_caught_up(materializer->m, 10000, 500);
  materializer.reset();
  return rc;
}

}  // namespace mucstream::tools
