// Snapshot rounds + checkpoint written by the Producer, read back by restore_from_kafka:
// the restored service equals the one that produced the log, and equals a full replay.
#include <doctest/doctest.h>

#include <chrono>
#include <set>
#include <thread>

#include "core/decide.hpp"
#include "events/kafka.hpp"
#include "events/kafka_restore.hpp"
#include "events/room_snapshot.hpp"
#include "tests/events/eventually.hpp"
#include "tests/events/scenario.hpp"

using namespace mucstream;
using namespace mucstream::events;

namespace {

using testing::eventually;

// Publishes the World's events from `from` on; returns the new end.
std::size_t publish_from(Producer& p, const testing::World& w, std::size_t from) {
  for (std::size_t i = from; i < w.log.size(); ++i) p.publish(w.log[i]);
  return w.log.size();
}

// One snapshot round as the loop runs it: every live room (all dirty), and the rooms gone
// since the previous round.
void round(Producer& p, const testing::World& w, core::LogPosition upto, std::set<std::string>& known) {
  p.snapshot_begin(upto);
  std::set<std::string> now;
  for (const auto& [jid, room] : w.svc.rooms) {
    p.snapshot(room);
    now.insert(jid);
  }
  for (const auto& jid : known)
    if (!now.count(jid)) p.snapshot_removed(jid);
  p.snapshot_end();
  known = now;
}

KafkaRestoreConfig restore_config(const std::string& brokers, const std::string& snapshots = "mucstream.snapshots") {
  KafkaRestoreConfig c;
  c.brokers = brokers;
  c.snapshot_topic = snapshots;
  c.timeout_ms = 20000;
  return c;
}

}  // namespace

TEST_CASE("kafka restore: snapshots + checkpoint + tail equal the live state and a full replay") {
  MockCluster mock(3);
  mock.create_topic("mucstream.events", 8);
  mock.create_topic("mucstream.snapshots", 4);
  mock.create_topic("empty.snapshots", 1);
  testing::World w;
  std::set<std::string> known;
  std::map<std::int32_t, std::int64_t> ends;
  {
    Producer p([&] {
      ProducerConfig c;
      c.brokers = mock.bootstraps();
      return c;
    }());
    // Round 1 completes: its checkpoint is written.
    testing::run_scenario(w, 10, 600, 21);
    std::size_t published = publish_from(p, w, 0);
    round(p, w, published, known);
    REQUIRE(eventually([&] { return p.stats().checkpoints == 1; }, 20000));
    // More history (rooms destroyed, re-created, emptied), then round 2 whose checkpoint
    // never gets written: its snapshot records are there, as if the process died after them.
    testing::run_scenario(w, 10, 600, 22);
    published = publish_from(p, w, published);
    REQUIRE(p.flush(20000));
    for (const auto& [jid, room] : w.svc.rooms) p.produce_raw("mucstream.snapshots", jid, encode_room(room));
    REQUIRE(p.flush(20000));
    // The tail after it.
    testing::run_scenario(w, 12, 600, 23);
    publish_from(p, w, published);
    REQUIRE(p.flush(20000));
    CHECK(p.stats().failed == 0);
  }
  const core::Service replay = w.replay();
  CHECK(replay == w.svc);

  KafkaRestoreStats st;
  const core::Service restored = restore_from_kafka(restore_config(mock.bootstraps()), &st);
  CHECK(st.checkpoint);
  CHECK(st.snapshots > 0);
  CHECK(st.events_read < w.log.size());  // the checkpoint skipped the events before round 1
  CHECK(st.lost == 0);
  CHECK(st.undecodable == 0);
  CHECK(restored.rooms.size() == w.svc.rooms.size());
  CHECK(restored == w.svc);

  // No snapshots at all: the whole log from the beginning, the same state.
  KafkaRestoreStats full;
  CHECK(restore_from_kafka(restore_config(mock.bootstraps(), "empty.snapshots"), &full) == w.svc);
  CHECK_FALSE(full.checkpoint);
  CHECK(full.events_read == w.log.size());
  ends = st.end_offsets;

  // The restored process carries on: its first checkpoint starts no earlier than what the
  // restore read, and a restore after it still equals the live state.
  testing::World& w2 = w;
  {
    ProducerConfig c;
    c.brokers = mock.bootstraps();
    Producer p(c);
    p.set_restored_offsets(ends);
    const std::size_t before = w2.log.size();
    testing::run_scenario(w2, 12, 300, 24);
    for (std::size_t i = before; i < w2.log.size(); ++i) p.publish(w2.log[i]);
    round(p, w2, w2.log.size() - before, known);
    REQUIRE(eventually([&] { return p.stats().checkpoints == 1; }, 20000));
  }
  KafkaRestoreStats again;
  CHECK(restore_from_kafka(restore_config(mock.bootstraps()), &again) == w2.svc);
  CHECK(again.events_read == 0);  // everything is in the last round's snapshots
}

TEST_CASE("kafka restore: a room destroyed after its snapshot stays gone through the next restore's checkpoint") {
  MockCluster mock(1);
  mock.create_topic("mucstream.events", 4);
  mock.create_topic("mucstream.snapshots", 2);
  testing::World w;
  std::set<std::string> known;
  ProducerConfig c;
  c.brokers = mock.bootstraps();
  const std::string doomed = testing::room_name(0);
  {
    // Every room snapshotted and checkpointed, then one destroyed, then the process dies
    // before a round could remove its snapshot.
    Producer p(c);
    testing::run_scenario(w, 3, 60, 31);
    REQUIRE(w.svc.rooms.count(doomed) == 1);
    round(p, w, publish_from(p, w, 0), known);
    REQUIRE(eventually([&] { return p.stats().checkpoints == 1; }, 20000));
    const std::size_t before = w.log.size();
    core::DestroyRoom d;
    d.by = core::Requester::admin("test");
    d.room = doomed;
    REQUIRE(w.run(d).ok());
    publish_from(p, w, before);
    REQUIRE(p.flush(20000));
  }
  KafkaRestoreStats st;
  const core::Service first = restore_from_kafka(restore_config(mock.bootstraps()), &st);
  CHECK(first.rooms.count(doomed) == 0);
  CHECK(st.gone == std::vector<std::string>{doomed});
  {
    // The restored process runs one round (nothing changed but every room is due) and
    // its checkpoint moves past the destroy.
    Producer p(c);
    p.set_restored_offsets(st.end_offsets, st.gone);
    known.clear();
    round(p, w, 0, known);
    REQUIRE(eventually([&] { return p.stats().checkpoints == 1; }, 20000));
  }
  KafkaRestoreStats again;
  const core::Service second = restore_from_kafka(restore_config(mock.bootstraps()), &again);
  CHECK(again.events_read == 0);
  CHECK(second.rooms.count(doomed) == 0);
  CHECK(second == w.svc);
}

// One component process serving two MUC domains runs one producer per domain, each with its
// own snapshot rounds and checkpoint key, into the same topics. A domain's restore reads its
// own rooms from its own checkpoint: another domain's round never moves its start past events
// its snapshots do not hold (the restart of one domain's connection loses nothing of it and
// brings in nothing of the other).
TEST_CASE("kafka restore: two domains in the same topics, each restored from its own checkpoint") {
  MockCluster mock(3);
  mock.create_topic("mucstream.events", 8);
  mock.create_topic("mucstream.snapshots", 4);
  const std::string acme = "acme.test", globex = "globex.test";
  testing::World wa, wb;
  std::set<std::string> known_a, known_b;
  auto producer_for = [&](const std::string& domain) {
    ProducerConfig c;
    c.brokers = mock.bootstraps();
    c.checkpoint_key = checkpoint_key_for(domain);
    return c;
  };
  auto config_for = [&](const std::string& domain, const std::string& key) {
    KafkaRestoreConfig c = restore_config(mock.bootstraps());
    c.domain = domain;
    c.checkpoint_key = key;
    return c;
  };
  {
    Producer pa(producer_for(acme)), pb(producer_for(globex));
    // Globex's rooms first, then acme's, in the same partitions; only acme completes a round.
    testing::run_scenario(wb, 8, 400, 41, globex);
    std::size_t published_b = publish_from(pb, wb, 0);
    REQUIRE(pb.flush(20000));
    testing::run_scenario(wa, 8, 400, 42, acme);
    std::size_t published_a = publish_from(pa, wa, 0);
    REQUIRE(pa.flush(20000));
    round(pa, wa, published_a, known_a);
    REQUIRE(eventually([&] { return pa.stats().checkpoints == 1; }, 20000));
    // Both carry on after acme's checkpoint.
    testing::run_scenario(wa, 8, 200, 43, acme);
    testing::run_scenario(wb, 8, 200, 44, globex);
    published_a = publish_from(pa, wa, published_a);
    published_b = publish_from(pb, wb, published_b);
    REQUIRE(pa.flush(20000));
    REQUIRE(pb.flush(20000));
  }
  KafkaRestoreStats sa, sb;
  const core::Service a = restore_from_kafka(config_for(acme, checkpoint_key_for(acme)), &sa);
  CHECK(sa.checkpoint);
  CHECK(sa.events_read < wa.log.size());  // acme's checkpoint skipped acme's events before its round
  CHECK(a == wa.svc);
  const core::Service b = restore_from_kafka(config_for(globex, checkpoint_key_for(globex)), &sb);
  CHECK_FALSE(sb.checkpoint);  // globex has none: every partition from its beginning
  CHECK(sb.events_read == wb.log.size());
  CHECK(b == wb.svc);
  for (const auto& [jid, room] : b.rooms) CHECK(jid.ends_with("@" + globex));
  // Had globex started from acme's checkpoint, its rooms created before it would be lost.
  CHECK(restore_from_kafka(config_for(globex, checkpoint_key_for(acme))) != wb.svc);

  // Globex's own round: its restore then starts from its own checkpoint, still complete.
  {
    Producer pb(producer_for(globex));
    round(pb, wb, 0, known_b);
    REQUIRE(eventually([&] { return pb.stats().checkpoints == 1; }, 20000));
  }
  KafkaRestoreStats again;
  CHECK(restore_from_kafka(config_for(globex, checkpoint_key_for(globex)), &again) == wb.svc);
  CHECK(again.checkpoint);
  CHECK(restore_from_kafka(config_for(acme, checkpoint_key_for(acme))) == wa.svc);
}
