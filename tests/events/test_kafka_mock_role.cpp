// `mucstreamd kafka-mock` as its own process: its first stdout line names the bootstrap
// servers, other processes produce to and read from it, SIGTERM ends it cleanly.
#include <doctest/doctest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "events/kafka.hpp"
#include "events/kafka_restore.hpp"
#include "tests/events/scenario.hpp"

using namespace mucstream;
using namespace mucstream::events;

namespace {

// The first line the child writes on fd, within `ms`.
std::string first_line(int fd, int ms) {
  std::string line;
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < until) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char c;
    if (::read(fd, &c, 1) != 1) break;
    if (c == '\n') return line;
    line += c;
  }
  return line;
}

// waitpid with a deadline; -1 when the child did not exit in time (then it is killed).
int wait_exit(pid_t pid, int ms) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  int status = 0;
  while (std::chrono::steady_clock::now() < until) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return -1;
}

}  // namespace

TEST_CASE("kafka-mock role: serves other processes, prints its bootstrap first, stops on SIGTERM") {
  int out[2];
  REQUIRE(::pipe(out) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::close(out[1]);
    ::execl(MUCSTREAMD_PATH, "mucstreamd", "kafka-mock", "--brokers", "2", "--partitions", "4", nullptr);
    ::_exit(127);
  }
  ::close(out[1]);
  const std::string line = first_line(out[0], 10000);
  ::close(out[0]);
  REQUIRE_MESSAGE(line.rfind("bootstrap=", 0) == 0, line);
  const std::string brokers = line.substr(10);
  CHECK(brokers.find(',') != std::string::npos);  // two brokers

  testing::World w;
  testing::run_scenario(w, 3, 100, 7);
  {
    ProducerConfig c;
    c.brokers = brokers;
    Producer p(c);
    for (const auto& e : w.log) p.publish(e);
    REQUIRE(p.flush(20000));
    CHECK(p.stats().delivered == w.log.size());
  }
  KafkaRestoreConfig rc;
  rc.brokers = brokers;
  rc.timeout_ms = 10000;
  KafkaRestoreStats st;
  CHECK(restore_from_kafka(rc, &st) == w.svc);  // the topics the role created, read back
  CHECK(st.events_read == w.log.size());
  CHECK(st.end_offsets.size() == 4);

  REQUIRE(::kill(pid, SIGTERM) == 0);
  CHECK(wait_exit(pid, 10000) == 0);
}
