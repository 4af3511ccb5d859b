// PostgreSQL stopped for 10 s while events keep coming: the materialiser retries with
// backoff without committing offsets, then catches up: no loss, no duplicates.
#include <cstdlib>

#include "tests/events/scenario.hpp"
#include "tests/sql/support.hpp"

using namespace mucstream;
using namespace mucstream::testing;

TEST_CASE("sql outage: PostgreSQL stopped for 10 s under load loses and duplicates nothing") {
  const std::string pgctl = env("MUCSTREAM_TEST_PGCTL"), pgdata = env("MUCSTREAM_TEST_PGDATA");
  REQUIRE_MESSAGE(!pgctl.empty(), "run through tests/scripts/pg.sh");
  TestDb db;
  std::unique_ptr<events::MockCluster> mock;
  const std::string brokers = fresh_mock(mock).bootstraps();
  World w;
  run_scenario(w, 20, 30000, 10);
  const auto n = static_cast<std::int64_t>(w.log.size());
  MESSAGE("events: ", n);

  Running m(materializer_config(brokers, db));
  // Steady load for ~20 s, through the outage.
  std::atomic<bool> producing{true};
  std::thread producer([&] {
    events::Producer p(events::ProducerConfig{brokers, "mucstream.events", {}, events::ProducerConfig::QueueFull::wait,
                                              1000, ""});
    const std::size_t per_tick = std::max<std::size_t>(1, w.log.size() / 200);
    for (std::size_t i = 0; i < w.log.size(); ++i) {
      p.publish(w.log[i]);
      if (i % per_tick == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    p.flush(30000);
    producing = false;
  });
  REQUIRE(wait_until([&] { return m.stats().inserted > 1000; }));
  REQUIRE(std::system((pgctl + " stop " + pgdata).c_str()) == 0);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const auto early = m.stats();  // a batch may have committed just before the stop
  std::this_thread::sleep_for(std::chrono::seconds(9));
  const auto late = m.stats();
  CHECK(late.pg_failures > early.pg_failures);  // it kept retrying …
  CHECK(late.inserted == early.inserted);       // … and nothing was written while down
  CHECK(late.consumed == early.consumed);       // nor read ahead: the failed batch waits
  REQUIRE(std::system((pgctl + " start " + pgdata + " >/dev/null").c_str()) == 0);
  producer.join();
  CHECK_FALSE(producing.load());
  REQUIRE(wait_until([&] { return m.stats().inserted >= static_cast<std::uint64_t>(n); }, 120));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  CHECK(db.count("SELECT count(*) FROM events") == n);
  CHECK(db.count("SELECT count(DISTINCT id) FROM events") == n);
  CHECK(db.count("SELECT coalesce(sum(event_count), 0) FROM rooms") == n);
  CHECK(m.stats().lost == 0);
  MESSAGE("PostgreSQL failures retried: ", m.stats().pg_failures, ", duplicates skipped: ", m.stats().duplicates);
}
