// `mucstreamd materialize` as a real process, killed with SIGKILL mid-stream and started
// again: exactly N rows. Kafka is the mock cluster in this test process (reachable over
// TCP), PostgreSQL the server tests/scripts/pg.sh started.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "events/kafka.hpp"
#include "tests/events/scenario.hpp"
#include "tests/sql/support.hpp"

using namespace mucstream;
using namespace mucstream::testing;

namespace {

pid_t spawn_materializer(const std::string& brokers, const TestDb& db, const std::string& log) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    const std::string pg = db.conn_string();
    ::execl(MUCSTREAMD_PATH, "mucstreamd", "materialize", "--pg", pg.c_str(), "--kafka-brokers", brokers.c_str(),
            "--materialize-batch-max", "200", "--kafka.session.timeout.ms=3000", "--kafka.heartbeat.interval.ms=300",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}


}  // namespace

TEST_CASE("sql process: mucstreamd materialize killed with SIGKILL mid-stream and restarted stores exactly N rows") {
  TestDb db;
  std::unique_ptr<events::MockCluster> mock;
  const std::string brokers = fresh_mock(mock).bootstraps();
  World w;
  run_scenario(w, 16, 20000, 12);
  const auto n = static_cast<std::int64_t>(w.log.size());
  MESSAGE("events: ", n);
  const std::string log = "/tmp/mucstream-materialize-" + std::to_string(::getpid()) + ".log";

  std::atomic<bool> done{false};
  std::thread producer([&] {  // a steady stream, so the kill lands while batches are in flight
    events::Producer p(events::ProducerConfig{brokers, "mucstream.events", {}, events::ProducerConfig::QueueFull::wait,
                                              1000, ""});
    const std::size_t per_tick = std::max<std::size_t>(1, w.log.size() / 100);
    for (std::size_t i = 0; i < w.log.size(); ++i) {
      p.publish(w.log[i]);
      if (i % per_tick == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    p.flush(30000);
    done = true;
  });
  pid_t pid = spawn_materializer(brokers, db, log);
  REQUIRE(pid > 0);
  REQUIRE(wait_until([&] { return stored_events(db) > n / 4; }, 60));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WIFSIGNALED(status));
  const std::int64_t at_kill = stored_events(db);
  CHECK(at_kill < n);

  pid = spawn_materializer(brokers, db, log);
  REQUIRE(pid > 0);
  producer.join();
  CHECK(done.load());
  const bool complete = wait_until([&] { return stored_events(db) == n; }, 120);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  ::kill(pid, SIGTERM);  // a clean stop this time
  ::waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  if (!complete) MESSAGE("materialiser log: ", log);
  REQUIRE(complete);
  CHECK(db.count("SELECT count(*) FROM events") == n);
  CHECK(db.count("SELECT count(DISTINCT id) FROM events") == n);
  CHECK(db.count("SELECT coalesce(sum(event_count), 0) FROM rooms") == n);
  CHECK(db.count("SELECT count(*) FROM users") == db.count("SELECT count(*) FROM events WHERE type = 'occupant_joined'"));
  ::unlink(log.c_str());
}
