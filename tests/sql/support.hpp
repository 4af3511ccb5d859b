#pragma once
// Integration-test support: a fresh database per test case on the real PostgreSQL that
// tests/scripts/pg.sh started (MUCSTREAM_TEST_PG), librdkafka's mock cluster, and a
// materialiser running on its own thread.
#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <pqxx/pqxx>
#include <string>
#include <thread>

#include "events/kafka.hpp"
#include "sql/materializer.hpp"

namespace mucstream::testing {

inline std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// A database of its own on the test server, dropped afterwards.
class TestDb {
 public:
  TestDb() {
    base_ = env("MUCSTREAM_TEST_PG");
    REQUIRE_MESSAGE(!base_.empty(), "run through tests/scripts/pg.sh (MUCSTREAM_TEST_PG is not set)");
    static int counter = 0;
    name_ = "mucstream_t" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    pqxx::connection admin(base_);
    pqxx::nontransaction tx(admin);
    tx.exec0("CREATE DATABASE " + tx.quote_name(name_));
  }
  ~TestDb() {
    try {
      pqxx::connection admin(base_);
      pqxx::nontransaction tx(admin);
      tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
    } catch (const std::exception&) {
      // the server may have been stopped by the test; its data directory goes anyway
    }
  }
  std::string conn_string() const { return base_ + " dbname=" + name_; }
  std::int64_t count(const std::string& sql) const {
    pqxx::connection c(conn_string());
    pqxx::nontransaction tx(c);
    return tx.exec1(sql)[0].as<std::int64_t>();
  }

 private:
  std::string base_, name_;
};

// Stored events; -1 until the materialiser has migrated the database.
inline std::int64_t stored_events(const TestDb& db) {
  try {
    return db.count("SELECT count(*) FROM events");
  } catch (const pqxx::undefined_table&) {
    return -1;
  }
}

// Keeps consumer-group rejoins fast: a departed member is noticed after the session timeout.
inline const events::KafkaProperties kFastGroup = {{"session.timeout.ms", "3000"}, {"heartbeat.interval.ms", "300"}};

inline sql::MaterializerConfig materializer_config(const std::string& brokers, const TestDb& db,
                                                   const std::string& group = "mucstream-materializer") {
  sql::MaterializerConfig c;
  c.pg = db.conn_string();
  c.consumer = events::ConsumerConfig{brokers, group, {"mucstream.events"}, kFastGroup};
  c.dead_letter_topic = "mucstream.events.dlq";
  c.batch_max = 500;
  c.batch_ms = 50;
  c.backoff_min_ms = 100;
  c.backoff_max_ms = 1000;
  return c;
}

// A materialiser on its own thread; stopped and joined on destruction.
class Running {
 public:
  explicit Running(sql::MaterializerConfig cfg) : m_(std::move(cfg)) {
    t_ = std::thread([this] {
      try {
        m_.run(stop_);
      } catch (const std::exception& e) {
        error_ = e.what();
      }
      done_ = true;
    });
  }
  ~Running() { stop(); }
  void stop() {
    stop_ = true;
    if (t_.joinable()) t_.join();
  }
  sql::MaterializerStats stats() const { return m_.stats(); }
  bool done() const { return done_; }
  const std::string& error() const { return error_; }

 private:
  sql::Materializer m_;
  std::atomic<bool> stop_{false}, done_{false};
  std::string error_;
  std::thread t_;
};

inline bool wait_until(const std::function<bool()>& pred, int seconds = 90) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return pred();
}

inline events::MockCluster& fresh_mock(std::unique_ptr<events::MockCluster>& holder) {
  holder = std::make_unique<events::MockCluster>(3);
  holder->create_topic("mucstream.events", 32);
  holder->create_topic("mucstream.events.dlq", 2);
  return *holder;
}

}  // namespace mucstream::testing
