// PostgreSQL as the commit point (sql/pg_commit_log): positions reported durable only once
// their events are committed (seen from another connection), in publish order, mirrored
// after; PostgreSQL stopped and started again: not accepting after the bound, accepting
// again after, nothing lost, nothing repeated, order kept.
#include <cstdlib>
#include <mutex>
#include <random>

#include "sql/pg_commit_log.hpp"
#include "tests/sql/commit_log_support.hpp"
#include "tests/sql/support.hpp"

using namespace mucstream;
using namespace mucstream::testing;

namespace {

// A mirror that records what it was given.
class Recording final : public core::EventSink {
 public:
  core::LogPosition publish(const core::Event& e) override {
    std::lock_guard lock(mutex_);
    ids_.push_back(e.id);
    return 0;
  }
  std::vector<std::string> ids() const {
    std::lock_guard lock(mutex_);
    return ids_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> ids_;
};

// What the durable handler saw: positions in the order reported, and failures of the
// check made at that moment.
struct Durables {
  std::mutex mutex;
  std::vector<core::LogPosition> positions;
  std::size_t not_committed = 0;  // positions reported whose event another connection could not see
  std::size_t mirrored_early = 0;  // positions whose event the mirror had before it was durable
};

// Every room's stored seqs are 1..n without a hole or a repeat.
std::int64_t rooms_with_bad_seq(const TestDb& db) {
  return db.count(
      "SELECT count(*) FROM (SELECT room_id FROM events GROUP BY room_id"
      " HAVING count(*) <> max(seq) OR count(DISTINCT seq) <> count(*) OR min(seq) <> 1) x");
}

}  // namespace

TEST_CASE("sql: commit log reports positions durable only after COMMIT, in order, then mirrors") {
  TestDb db;
  World w;
  run_scenario(w, 8, 1500, 3);
  Recording mirror;
  Durables seen;
  std::vector<std::string> id_of(w.log.size() + 1);  // position -> event id
  {
    sql::PgCommitLogConfig cfg;
    cfg.pg = db.conn_string();
    cfg.batch_max = 200;
    cfg.mirror = &mirror;
    sql::PgCommitLog log(cfg);
    pqxx::connection other(db.conn_string());
    log.set_durable_handler([&](std::vector<core::LogPosition> ps) {
      std::string ids = "{";
      for (auto p : ps) ids += (ids.size() > 1 ? "," : "") + id_of[p];
      ids += "}";
      pqxx::nontransaction tx(other);
      const auto visible = tx.exec_params1("SELECT count(*) FROM events WHERE id = ANY($1::uuid[])", ids)[0].as<std::size_t>();
      const auto mirrored = mirror.ids();
      std::lock_guard lock(seen.mutex);
      seen.not_committed += ps.size() - visible;
      for (auto p : ps)
        if (std::find(mirrored.begin(), mirrored.end(), id_of[p]) != mirrored.end()) ++seen.mirrored_early;
      seen.positions.insert(seen.positions.end(), ps.begin(), ps.end());
    });
    // Published in bursts, as a loop does, so batches of several sizes form.
    for (std::size_t i = 0; i < w.log.size(); ++i) {
      const core::LogPosition p = log.publish(w.log[i]);
      REQUIRE(p == i + 1);
      id_of[p] = w.log[i].id;
      if (i % 500 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    REQUIRE(log.flush(60000));
    const sql::PgCommitLogStats st = log.stats();
    MESSAGE("events: ", w.log.size(), " batches: ", st.batches, " last commit: ", st.last_commit_ms, " ms");
    CHECK(st.written == w.log.size());
    CHECK(st.batches >= w.log.size() / 200);
    CHECK(st.durable == w.log.size());
    CHECK(st.queued == 0);
    CHECK(st.accepting);
    CHECK(log.accepting());
  }
  std::lock_guard lock(seen.mutex);
  REQUIRE(seen.positions.size() == w.log.size());
  for (std::size_t i = 0; i < seen.positions.size(); ++i) REQUIRE(seen.positions[i] == i + 1);
  CHECK(seen.not_committed == 0);
  CHECK(seen.mirrored_early == 0);
  std::vector<std::string> expected;
  for (const auto& e : w.log) expected.push_back(e.id);
  CHECK(mirror.ids() == expected);
  CHECK(db.count("SELECT count(*) FROM events") == static_cast<std::int64_t>(w.log.size()));
  CHECK(rooms_with_bad_seq(db) == 0);
  // rooms and users maintained as the materialiser does.
  CHECK(db.count("SELECT count(*) FROM rooms") > 0);
  CHECK(db.count("SELECT count(*) FROM users") > 0);
}

TEST_CASE("sql outage: commit log with PostgreSQL stopped stops accepting, then catches up losing nothing") {
  const std::string pgctl = env("MUCSTREAM_TEST_PGCTL"), pgdata = env("MUCSTREAM_TEST_PGDATA");
  REQUIRE_MESSAGE(!pgctl.empty(), "run through tests/scripts/pg.sh");
  TestDb db;
  World w;
  run_scenario(w, 10, 6000, 11);
  RoomGen g{std::mt19937(5)};
  std::vector<core::LogPosition> durable;
  std::mutex mutex;
  sql::PgCommitLogConfig cfg;
  cfg.pg = db.conn_string();
  cfg.unavailable_ms = 1000;
  cfg.backoff_max_ms = 300;
  sql::PgCommitLog log(cfg);
  log.set_durable_handler([&](std::vector<core::LogPosition> ps) {
    std::lock_guard lock(mutex);
    durable.insert(durable.end(), ps.begin(), ps.end());
  });
  Feeder f{w, log};
  const std::size_t before = w.log.size();
  // A third of the log, committed.
  while (f.published < before / 3) f.last = log.publish(w.log[f.published++]);
  REQUIRE(log.flush(30000));
  CHECK(log.accepting());

  REQUIRE(std::system((pgctl + " stop " + pgdata).c_str()) == 0);
  // Still publishing (and a snapshot round): queued, not durable; refused after the bound.
  const auto stopped = std::chrono::steady_clock::now();
  while (f.published < 2 * before / 3) f.last = log.publish(w.log[f.published++]);
  f.round(g);
  REQUIRE(wait_until([&] { return !log.accepting(); }, 10));
  const auto refused_after = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - stopped).count();
  MESSAGE("not accepting after ", refused_after, " ms");
  CHECK(refused_after >= 900);
  {
    std::lock_guard lock(mutex);
    CHECK(durable.size() == before / 3);  // nothing reported durable while PostgreSQL is away
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  CHECK_FALSE(log.accepting());
  CHECK(log.stats().pg_failures > 0);
  REQUIRE(std::system((pgctl + " start " + pgdata + " >/dev/null").c_str()) == 0);
  while (f.published < before) f.last = log.publish(w.log[f.published++]);
  REQUIRE(wait_until([&] { return log.accepting(); }, 30));
  REQUIRE(log.flush(30000));
  {
    std::lock_guard lock(mutex);
    REQUIRE(durable.size() == before);
    for (std::size_t i = 0; i < durable.size(); ++i) REQUIRE(durable[i] == i + 1);
  }
  CHECK(db.count("SELECT count(*) FROM events") == static_cast<std::int64_t>(before));
  CHECK(rooms_with_bad_seq(db) == 0);
  CHECK(db.count("SELECT count(*) FROM room_snapshots") == static_cast<std::int64_t>(w.svc.rooms.size()));
}
