// The Producer as the commit point, against librdkafka's mock cluster: positions, the durable
// handler fed by delivery reports, and accepting() when Kafka is away.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "core/log.hpp"
#include "events/kafka.hpp"
#include "tests/events/eventually.hpp"
#include "tests/events/scenario.hpp"

using namespace mucstream;
using namespace mucstream::events;

namespace {

struct Acks {
  std::mutex m;
  std::vector<core::LogPosition> order;
  void attach(Producer& p) {
    p.set_durable_handler([this](std::vector<core::LogPosition> v) {
      std::lock_guard lock(m);
      order.insert(order.end(), v.begin(), v.end());
    });
  }
  std::size_t size() {
    std::lock_guard lock(m);
    return order.size();
  }
};

using testing::eventually;

ProducerConfig config(const std::string& brokers, int unavailable_ms = 5000, KafkaProperties props = {}) {
  ProducerConfig c;
  c.brokers = brokers;
  c.properties = std::move(props);
  c.unavailable_ms = unavailable_ms;
  return c;
}

}  // namespace

TEST_CASE("commit point: positions 1..N, each reported durable once, in publish order within each room") {
  MockCluster mock(3);
  mock.create_topic("mucstream.events", 8);
  testing::World w;
  testing::run_scenario(w, 6, 600, 11);
  Producer p(config(mock.bootstraps()));
  Acks acks;
  acks.attach(p);
  std::map<core::LogPosition, std::string> room_of;
  core::LogPosition last = 0;
  for (const auto& e : w.log) {
    const core::LogPosition pos = p.publish(e);
    CHECK(pos == last + 1);
    last = pos;
    room_of[pos] = e.room;
  }
  REQUIRE(p.flush(30000));
  REQUIRE(eventually([&] { return acks.size() == w.log.size(); }, 5000));
  std::map<std::string, core::LogPosition> last_acked;
  std::set<core::LogPosition> seen;
  for (core::LogPosition pos : acks.order) {
    CHECK(seen.insert(pos).second);
    auto& prev = last_acked[room_of.at(pos)];
    CHECK(pos > prev);
    prev = pos;
  }
  CHECK(seen.size() == w.log.size());
  CHECK(p.accepting());
  CHECK(p.stats().unacknowledged == 0);
}

TEST_CASE("commit point: not accepting once Kafka is away past the bound, accepting again when it is back") {
  MockCluster mock(3);
  mock.create_topic("mucstream.events", 4);
  testing::World w;
  testing::run_scenario(w, 2, 60, 5);
  Producer p(config(mock.bootstraps(), 300));
  Acks acks;
  acks.attach(p);
  p.publish(w.log[0]);
  REQUIRE(eventually([&] { return acks.size() == 1; }, 10000));
  CHECK(p.accepting());

  mock.set_all_brokers_down(true);
  for (std::size_t i = 1; i < 20; ++i) p.publish(w.log[i]);
  CHECK(p.accepting());  // not yet: the bound has not passed
  REQUIRE(eventually([&] { return !p.accepting(); }, 3000));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(acks.size() == 1);  // nothing is reported durable while the brokers are down
  CHECK_FALSE(p.accepting());

  mock.set_all_brokers_down(false);
  REQUIRE(eventually([&] { return p.accepting(); }, 30000));
  REQUIRE(eventually([&] { return acks.size() == 20; }, 10000));
  CHECK(p.stats().failed == 0);
}

TEST_CASE("commit point: a producer pointed at a closed port refuses after the bound, a full queue refuses at once") {
  testing::World w;
  testing::run_scenario(w, 1, 30, 3);
  {
    Producer p(config("127.0.0.1:9", 200));
    Acks acks;
    acks.attach(p);
    p.publish(w.log[0]);
    CHECK(p.accepting());
    REQUIRE(eventually([&] { return !p.accepting(); }, 2000));
    CHECK(acks.size() == 0);
    p.close(100);
  }
  {
    Producer p(config("127.0.0.1:9", 60000, {{"queue.buffering.max.messages", "10"}}));
    Acks acks;
    acks.attach(p);
    for (std::size_t i = 0; i < 20; ++i) p.publish(w.log[i]);
    CHECK_FALSE(p.accepting());
    const ProducerStats s = p.stats();
    CHECK(s.queue_full > 0);
    CHECK(s.overflow == 10);        // waiting in memory, in order, for queue space
    CHECK(s.unacknowledged == 20);  // and none of them durable
    p.close(100);
    CHECK(acks.size() == 0);
  }
}

TEST_CASE("commit point: snapshot records and the checkpoint wait until the events before them are durable") {
  MockCluster mock(3);
  mock.create_topic("mucstream.events", 4);
  mock.create_topic("mucstream.snapshots", 2);
  testing::World w;
  testing::run_scenario(w, 3, 60, 13);
  Producer p(config(mock.bootstraps()));
  Acks acks;
  acks.attach(p);
  const std::size_t half = w.log.size() / 2;
  for (std::size_t i = 0; i < half; ++i) p.publish(w.log[i]);
  REQUIRE(eventually([&] { return acks.size() == half; }, 10000));

  mock.set_all_brokers_down(true);
  for (std::size_t i = half; i < w.log.size(); ++i) p.publish(w.log[i]);
  p.snapshot_begin(w.log.size());
  for (const auto& [jid, room] : w.svc.rooms) p.snapshot(room);
  p.snapshot_removed("gone@rooms.test");
  p.snapshot_end();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK(p.stats().snapshots == 0);  // held: they hold events Kafka has not acknowledged
  CHECK(p.stats().checkpoints == 0);

  mock.set_all_brokers_down(false);
  REQUIRE(eventually([&] { return p.stats().checkpoints == 1; }, 30000));
  CHECK(acks.size() == w.log.size());
  CHECK(p.stats().snapshots == w.svc.rooms.size() + 1);
}

TEST_CASE("commit point: librdkafka's own logs and errors reach core's log hook") {
  std::mutex m;
  std::vector<std::string> lines;
  core::set_log_sink([&](core::LogLevel, std::string_view component, std::string_view message) {
    std::lock_guard lock(m);
    if (component == "librdkafka") lines.emplace_back(message);
  });
  {
    Producer p(config("127.0.0.1:9", 5000));
    REQUIRE(eventually([&] {
      std::lock_guard lock(m);
      return std::any_of(lines.begin(), lines.end(),
                         [](const std::string& l) { return l.find("127.0.0.1:9") != std::string::npos; });
    }, 5000));
    p.close(100);
  }
  core::set_log_sink({});
}
