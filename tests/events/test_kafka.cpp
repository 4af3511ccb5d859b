// The producer and consumer against librdkafka's mock cluster (the real Kafka protocol).
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "events/envelope.hpp"
#include "events/kafka.hpp"
#include "tests/events/scenario.hpp"

using namespace mucstream;
using namespace mucstream::events;

namespace {

std::string temp_dir(const std::string& name) {
  auto p = std::filesystem::temp_directory_path() / ("mucstream-test-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p.string();
}

// Reads until `want` messages arrived or 60 s passed (the group join alone takes ~3 s).
std::vector<std::unique_ptr<RdKafka::Message>> consume(Consumer& c, std::size_t want) {
  std::vector<std::unique_ptr<RdKafka::Message>> out;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (out.size() < want && std::chrono::steady_clock::now() < give_up)
    if (auto m = c.poll(200)) out.push_back(std::move(m));
  return out;
}

// A departed member is only noticed after the session timeout (45 s by default): keep it short.
const KafkaProperties kFastGroup = {{"session.timeout.ms", "3000"}, {"heartbeat.interval.ms", "300"}};

std::size_t lines_in(const std::string& dir) {
  std::size_t n = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(f.path());
    std::string line;
    while (std::getline(in, line)) {
      CHECK(line.find('\t') != std::string::npos);
      CHECK(decode(line.substr(line.find('\t') + 1)));
      ++n;
    }
  }
  return n;
}

}  // namespace

TEST_CASE("kafka: produced events arrive once, keyed by room, each room in order in one partition") {
  MockCluster mock(3);
  mock.create_topic("mucstream.events", 16);
  testing::World w;
  testing::run_scenario(w, 5, 400, 3);
  {
    Producer p(ProducerConfig{mock.bootstraps(), "mucstream.events", {}, ProducerConfig::QueueFull::wait, 1000, ""});
    for (const auto& e : w.log) p.publish(e);
    REQUIRE(p.flush(30000));
    const ProducerStats s = p.stats();
    CHECK(s.produced == w.log.size());
    CHECK(s.delivered == w.log.size());
    CHECK(s.failed == 0);
    CHECK(s.spilled == 0);
  }
  Consumer c(ConsumerConfig{mock.bootstraps(), "test-order", {"mucstream.events"}, kFastGroup});
  auto msgs = consume(c, w.log.size());
  REQUIRE(msgs.size() == w.log.size());
  std::map<std::string, int> partition_of_room;
  std::map<std::string, std::uint64_t> last_seq;  // by room_id
  std::set<std::string> ids;
  for (const auto& m : msgs) {
    Decoded d = decode(std::string_view(static_cast<const char*>(m->payload()), m->len()));
    REQUIRE(d);
    REQUIRE(m->key() != nullptr);
    CHECK(*m->key() == d.event->room);
    auto [it, fresh] = partition_of_room.emplace(d.event->room, m->partition());
    CHECK(it->second == m->partition());
    CHECK(d.event->seq == last_seq[d.event->room_id] + 1);
    last_seq[d.event->room_id] = d.event->seq;
    ids.insert(d.event->id);
  }
  CHECK(ids.size() == w.log.size());
  CHECK(c.lost() == 0);
}

TEST_CASE("kafka: with no broker reachable, policy 'spill' writes every event to the spill file, resend delivers them") {
  const std::string dir = temp_dir("spill");
  testing::World w;
  testing::run_scenario(w, 2, 100, 5);
  {
    // Port 9 on loopback: nothing listens. A 10-message queue fills at once.
    Producer p(ProducerConfig{"127.0.0.1:9", "mucstream.events",
                              {{"queue.buffering.max.messages", "10"}, {"message.timeout.ms", "1000"}},
                              ProducerConfig::QueueFull::spill, 0, dir});
    for (const auto& e : w.log) p.publish(e);
    p.close(2000);
    const ProducerStats s = p.stats();
    CHECK(s.queue_full > 0);
    CHECK(s.delivered == 0);
    CHECK(s.dropped == 0);
    CHECK(s.spilled == w.log.size());  // refused at once, or failed after the timeout: all spilled
  }
  CHECK(lines_in(dir) == w.log.size());

  MockCluster mock(1);
  mock.create_topic("mucstream.events", 4);
  {
    Producer p(ProducerConfig{mock.bootstraps(), "mucstream.events", {}, ProducerConfig::QueueFull::wait, 1000, dir});
    CHECK(p.resend_spilled() == w.log.size());
    CHECK(p.stats().delivered == w.log.size());
  }
  CHECK(std::filesystem::is_empty(dir));
  Consumer c(ConsumerConfig{mock.bootstraps(), "test-spill", {"mucstream.events"}, kFastGroup});
  CHECK(consume(c, w.log.size()).size() == w.log.size());
  std::filesystem::remove_all(dir);
}

TEST_CASE("kafka: policy 'wait' waits a bounded time, then spills, nothing is dropped") {
  const std::string dir = temp_dir("wait");
  Producer p(ProducerConfig{"127.0.0.1:9", "mucstream.events",
                            {{"queue.buffering.max.messages", "5"}, {"message.timeout.ms", "500"}},
                            ProducerConfig::QueueFull::wait, 50, dir});
  testing::World w;
  testing::run_scenario(w, 1, 20, 9);
  for (const auto& e : w.log) p.publish(e);
  p.close(1000);
  const ProducerStats s = p.stats();
  CHECK(s.queue_full > 0);
  CHECK(s.spilled == w.log.size());
  CHECK(s.dropped == 0);
  CHECK(lines_in(dir) == w.log.size());
  std::filesystem::remove_all(dir);
}

TEST_CASE("kafka: a consumer group detects messages the mock cluster's retention dropped before it read them") {
  MockCluster mock(1);
  mock.create_topic("tiny", 1);
  const std::string big(10000, 'x');
  Producer p(ProducerConfig{mock.bootstraps(), "tiny", {{"compression.type", "none"}}, ProducerConfig::QueueFull::wait,
                            1000, ""});
  for (int i = 0; i < 10; ++i) p.produce_raw("tiny", "k", big);
  REQUIRE(p.flush(10000));
  {
    Consumer c(ConsumerConfig{mock.bootstraps(), "test-loss", {"tiny"}, kFastGroup});
    auto msgs = consume(c, 10);
    REQUIRE(msgs.size() == 10);
    CHECK(c.commit({{{"tiny", 0}, msgs.back()->offset()}}) == RdKafka::ERR_NO_ERROR);
    CHECK(c.lost() == 0);
  }
  // ~8 MB more than the partition's 5 MiB retention while the group is away.
  for (int i = 0; i < 800; ++i) p.produce_raw("tiny", "k", big);
  REQUIRE(p.flush(30000));
  Consumer c(ConsumerConfig{mock.bootstraps(), "test-loss", {"tiny"}, kFastGroup});
  auto msgs = consume(c, 1);
  REQUIRE(!msgs.empty());
  CHECK(msgs.front()->offset() > 10);
  CHECK(c.lost() == static_cast<std::uint64_t>(msgs.front()->offset() - 10));
}
