// Restart time from Kafka alone (docs/benchmarks.md, "Fast restart"): ROOMS rooms made by the
// real core (join + configure), one snapshot round with its checkpoint, then EVENTS more
// events (groupchat messages and joins/leaves spread over the rooms) as the tail; then
// restore_from_kafka is timed and its result checked against the live state.
//   mucstream_kafka_restore_bench [ROOMS=100000] [EVENTS=1000000] [PARTITIONS=64] [full]
// `full` also times a restore that ignores the snapshots (the whole log from its start).
// Everything runs against librdkafka's in-process mock cluster (lz4, like production).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>

#include "core/decide.hpp"
#include "core/log.hpp"
#include "crypto/openssl_crypto.hpp"
#include "events/ids.hpp"
#include "events/kafka.hpp"
#include "events/kafka_restore.hpp"

using namespace mucstream;
using Clock = std::chrono::steady_clock;

namespace {
// CPU seconds of the whole process (every thread, the mock cluster's included).
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
core::Jid jid(const std::string& s) { return std::get<core::Jid>(core::Jid::parse(s)); }
}  // namespace

int main(int argc, char** argv) {
  const long rooms = argc > 1 ? std::atol(argv[1]) : 100000;
  const long events = argc > 2 ? std::atol(argv[2]) : 1000000;
  const int partitions = argc > 3 ? std::atoi(argv[3]) : 64;
  const bool full = argc > 4 && std::strcmp(argv[4], "full") == 0;
  core::set_log_level(core::LogLevel::warn);

  events::MockCluster mock(3);
  mock.create_topic("mucstream.events", partitions);
  mock.create_topic("mucstream.snapshots", partitions);
  mock.create_topic("none.snapshots", 1);

  core::ServiceConfig cfg;
  cfg.max_rooms = static_cast<std::uint32_t>(rooms + 1);
  core::Service svc;
  events::UuidV7Ids ids;
  crypto::OpenSslCrypto crypto(1000);
  std::int64_t now = 1'700'000'000'000;
  events::ProducerConfig pc;
  pc.brokers = mock.bootstraps();
  pc.properties = {{"linger.ms", "100"}, {"batch.num.messages", "100000"}};
  events::Producer producer(pc);
  std::uint64_t published = 0;
  // Events are published in chunks of 100,000: the mock cluster finds a fetch's offset by
  // walking the partition's message sets from the first, so the many small batches a slow
  // generator makes would turn each fetch into a long walk (quadratic per partition; real
  // brokers keep an offset index). Big batches keep the mock out of the measurement.
  std::vector<core::Event> pending;
  auto drain = [&] {
    for (const auto& e : pending) producer.publish(e);
    pending.clear();
  };
  auto run = [&](const core::Command& c) {
    core::Context ctx{cfg, now += 1, ids, crypto};
    core::Decision d = core::execute(svc, c, ctx);
    for (auto& e : d.events) {
      pending.push_back(std::move(e));
      ++published;
    }
    if (pending.size() >= 100000) drain();
  };
  auto room = [](long r) { return "r" + std::to_string(r) + "@rooms.bench"; };
  auto owner = [](long r) { return "o" + std::to_string(r) + "@example.com/desk"; };

  auto t = Clock::now();
  for (long r = 0; r < rooms; ++r) {
    core::Join j;
    j.user = jid(owner(r));
    j.room = room(r);
    j.nick = "owner";
    run(j);
    core::ConfigChange c;
    c.persistent = true;
    c.name = "Room " + std::to_string(r);
    run(core::Configure{core::Requester::user(jid(owner(r))), room(r), c});
  }
  drain();
  const std::uint64_t before_round = published;
  producer.snapshot_begin(published);
  for (const auto& [j, r] : svc.rooms) producer.snapshot(r);
  producer.snapshot_end();
  std::printf("rooms: %ld rooms, %llu events, snapshot round of %zu rooms queued (%.1f s)\n", rooms,
              static_cast<unsigned long long>(before_round), svc.rooms.size(), since(t));

  t = Clock::now();
  std::mt19937 rng(42);
  std::uniform_int_distribution<long> pick(0, rooms - 1);
  const std::string users[] = {"ann", "ben", "cat", "dan"};
  long i = 0;
  while (published - before_round < static_cast<std::uint64_t>(events)) {
    const long r = pick(rng);
    const int u = static_cast<int>(rng() % 4);
    const std::string user = users[u] + "@example.com/x";
    const core::Room* live = svc.find(room(r));
    const bool inside = live != nullptr && live->occupant_by_session_jid(user) != nullptr;
    if (!inside && rng() % 3 == 0) {
      core::Join j;
      j.user = jid(user);
      j.room = room(r);
      j.nick = users[u];
      run(j);
    } else if (inside && rng() % 8 == 0) {
      run(core::Leave{jid(user), room(r), {}});
    } else {
      run(core::SendGroupchat{jid(inside ? user : owner(r)), room(r),
                              "<body>message " + std::to_string(++i) + " for the benchmark, a typical line</body>",
                              true});
    }
  }
  drain();
  if (!producer.flush(600000)) {
    std::fprintf(stderr, "producer did not drain\n");
    return 1;
  }
  const auto st = producer.stats();
  std::printf("tail: %llu events (%.1f s); delivered %llu, snapshots %llu, checkpoints %llu\n",
              static_cast<unsigned long long>(published - before_round), since(t),
              static_cast<unsigned long long>(st.delivered), static_cast<unsigned long long>(st.snapshots),
              static_cast<unsigned long long>(st.checkpoints));
  if (st.checkpoints != 1) {
    std::fprintf(stderr, "the snapshot round has no checkpoint\n");
    return 1;
  }

  events::KafkaRestoreConfig rc;
  rc.brokers = mock.bootstraps();
  events::KafkaRestoreStats rs;
  t = Clock::now();
  const double cpu0 = cpu_seconds();
  core::Service restored = events::restore_from_kafka(rc, &rs);
  const double secs = since(t), cpu = cpu_seconds() - cpu0;
  const bool same = restored == svc;
  std::printf("RESTORE: %.2f s wall, %.2f CPU-s (snapshots %.2f s: %llu rooms; events %.2f s: %llu read, %llu applied; lost %llu) "
              "rooms %zu, equal to the live state: %s\n",
              secs, cpu, rs.snapshot_seconds, static_cast<unsigned long long>(rs.snapshots), rs.events_seconds,
              static_cast<unsigned long long>(rs.events_read), static_cast<unsigned long long>(rs.events_applied),
              static_cast<unsigned long long>(rs.lost), restored.rooms.size(), same ? "yes" : "NO");
  if (full) {
    rc.snapshot_topic = "none.snapshots";
    events::KafkaRestoreStats fs;
    t = Clock::now();
    core::Service replayed = events::restore_from_kafka(rc, &fs);
    std::printf("FULL LOG: %.2f s (%llu events read), equal: %s\n", since(t),
                static_cast<unsigned long long>(fs.events_read), replayed == svc ? "yes" : "NO");
  }
  return same && rs.lost == 0 ? 0 : 1;
}
