// Fast restart from PostgreSQL (sql/restore): latest snapshot per live room plus the events
// after it equals the full replay of the log — with and without snapshots, with snapshots
// older than the last events, with rooms destroyed and re-created after their snapshot, with
// an unreadable snapshot, and after a crash that lost the events following a snapshot.
#include <algorithm>
#include <random>

#include "core/decide.hpp"
#include "events/room_snapshot.hpp"
#include "sql/pg_commit_log.hpp"
#include "sql/replay.hpp"
#include "sql/restore.hpp"
#include "tests/sql/commit_log_support.hpp"
#include "tests/sql/support.hpp"

using namespace mucstream;
using namespace mucstream::testing;

namespace {

sql::PgCommitLogConfig log_config(const TestDb& db) {
  sql::PgCommitLogConfig c;
  c.pg = db.conn_string();
  c.batch_max = 300;  // several transactions per history
  return c;
}

core::Service restore(const TestDb& db, sql::RestoreStats& st) {
  pqxx::connection c(db.conn_string());
  return sql::restore_from_pg(c, &st);
}

// jsonb keeps object keys in its own order: client info read back from stored events has
// the same members as the live one, maybe in another order. Sorted here, for comparing.
core::Value sorted(core::Value v) {
  if (v.is_object()) {
    auto& o = v.as_object();
    for (auto& [k, x] : o) x = sorted(std::move(x));
    std::sort(o.begin(), o.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  } else if (v.is_array()) {
    for (auto& x : v.as_array()) x = sorted(std::move(x));
  }
  return v;
}
core::Service sorted(core::Service s) {
  for (auto& [j, r] : s.rooms)
    for (auto& [n, o] : r.occupants)
      for (auto& sess : o.sessions) sess.client = sorted(std::move(sess.client));
  return s;
}

// The live rooms equal; on failure, which room differs.
void check_equal(const core::Service& restored_, const core::Service& live_) {
  const core::Service restored = sorted(restored_), live = sorted(live_);
  for (const auto& [jid_, r] : live.rooms) {
    CAPTURE(jid_);
    REQUIRE(restored.rooms.count(jid_) == 1);
    CHECK(restored.rooms.at(jid_) == r);
    if (!(restored.rooms.at(jid_) == r)) {
      MESSAGE("restored: ", events::encode_room(restored.rooms.at(jid_)));
      MESSAGE("live:     ", events::encode_room(r));
    }
  }
  CHECK(restored.rooms.size() == live.rooms.size());
  CHECK(restored == live);
}

}  // namespace

TEST_CASE("sql: restore from PostgreSQL equals a full replay, with and without snapshots") {
  std::size_t with_snapshot = 0, stale = 0, tail_events = 0, rooms = 0, occupants = 0;
  for (unsigned seed = 1; seed <= 6; ++seed) {
    CAPTURE(seed);
    TestDb db;
    World w;
    w.cfg.max_history_length = 5;
    RoomGen g{std::mt19937(seed)};
    {
      sql::PgCommitLog log(log_config(db));
      Feeder f{w, log};
      run_scenario(w, 4, 150, seed);  // persistent and temporary rooms; one destroyed and re-created
      f.publish_new();
      REQUIRE(log.flush(30000));
      {
        // No snapshot yet: every room from all its events.
        sql::RestoreStats st;
        check_equal(restore(db, st), w.svc);
        CHECK(st.snapshots == 0);
        CHECK(st.events == w.log.size() - static_cast<std::size_t>(db.count(
                                              "SELECT count(*) FROM events e JOIN rooms r ON r.id = e.room_id "
                                              "WHERE r.ended IS NOT NULL")));
      }
      for (int step = 0; step < 400; ++step) {
        w.run(g.command(w.svc));
        f.publish_new();
        if (step % 97 == 50) f.round(g, 70);  // some rooms left without a snapshot
      }
      REQUIRE(log.flush(30000));
    }
    // Snapshots older than the last events; rooms destroyed or re-created since theirs.
    stale += static_cast<std::size_t>(db.count(
        "SELECT count(*) FROM room_snapshots s LEFT JOIN rooms r ON r.id = s.room_id AND r.ended IS NULL "
        "WHERE r.id IS NULL"));
    sql::RestoreStats st;
    const core::Service restored = restore(db, st);
    check_equal(restored, w.svc);
    CHECK(sorted(restored) == sorted(w.replay()));
    CHECK(st.gaps == 0);
    CHECK(st.unreadable == 0);
    with_snapshot += st.snapshots;
    tail_events += st.events;
    rooms += restored.rooms.size();
    for (const auto& [j, r] : restored.rooms) occupants += r.occupants.size();
    // What survives without sessions is what replay gives.
    {
      pqxx::connection c(db.conn_string());
      CHECK(core::persistent_view(restored) == sql::replay_service(c));
    }
    // A final round: nothing left to apply.
    {
      sql::PgCommitLog log(log_config(db));
      Feeder f{w, log};
      f.published = w.log.size();
      f.round(g, 100);
      REQUIRE(log.flush(30000));
    }
    sql::RestoreStats all;
    check_equal(restore(db, all), w.svc);
    CHECK(all.events == 0);
    CHECK(all.snapshots == w.svc.rooms.size());
    // An unreadable snapshot: that room is rebuilt from all its events instead.
    if (!w.svc.rooms.empty()) {
      pqxx::connection c(db.conn_string());
      pqxx::work tx(c);
      tx.exec_params0("UPDATE room_snapshots SET state = '{\"jid\": 1}' WHERE room_jid = $1", w.svc.rooms.begin()->first);
      tx.commit();
      sql::RestoreStats bad;
      check_equal(restore(db, bad), w.svc);
      CHECK(bad.unreadable == 1);
      CHECK(bad.events > 0);
    }
  }
  MESSAGE("rooms restored: ", rooms, " with occupants: ", occupants, " from snapshots: ", with_snapshot,
          " tail events: ", tail_events, " stale snapshots ignored: ", stale);
  CHECK(with_snapshot > 0);
  CHECK(tail_events > 0);
  CHECK(stale > 0);
  CHECK(occupants > 0);
}

TEST_CASE("sql: restore after a crash that lost the events following a snapshot gives the stored state") {
  TestDb db;
  World w;
  RoomGen g{std::mt19937(42)};
  testing::run_scenario(w, 3, 150, 40);
  std::size_t stored = 0;
  {
    sql::PgCommitLog log(log_config(db));
    Feeder f{w, log};
    for (int step = 0; step < 200; ++step) {
      w.run(g.command(w.svc));
      f.publish_new();
    }
    f.round(g, 100);
    for (int step = 0; step < 30; ++step) {
      w.run(g.command(w.svc));
      f.publish_new();
    }
    REQUIRE(log.flush(30000));
    stored = w.log.size();
  }
  // The process dies: what it decided after this never reached PostgreSQL.
  for (int step = 0; step < 100; ++step) w.run(g.command(w.svc));
  REQUIRE(w.log.size() > stored);
  core::Service expected;
  for (std::size_t i = 0; i < stored; ++i) core::apply(expected, w.log[i]);
  sql::RestoreStats st;
  check_equal(restore(db, st), expected);
  CHECK(st.snapshots > 0);
  CHECK(st.gaps == 0);
  // Snapshots hold password hashes and real JIDs: the analyst role cannot read them.
  {
    pqxx::connection c(db.conn_string());
    pqxx::nontransaction tx(c);
    tx.exec0("CREATE ROLE snap_ana_" + std::to_string(::getpid()) + " LOGIN IN ROLE analyst");
  }
  {
    pqxx::connection ana(db.conn_string() + " user=snap_ana_" + std::to_string(::getpid()));
    pqxx::work tx(ana);
    CHECK_THROWS_AS(tx.exec("SELECT state FROM room_snapshots"), pqxx::insufficient_privilege);
  }
  pqxx::connection c(db.conn_string());
  pqxx::nontransaction tx(c);
  tx.exec0("DROP OWNED BY snap_ana_" + std::to_string(::getpid()) + "; DROP ROLE snap_ana_" + std::to_string(::getpid()));
}

TEST_CASE("sql: restore keeps history within the configured byte bounds, as the live rooms did") {
  TestDb db;
  World w;
  w.cfg.history.room_bytes = 150;  // about one entry: far below the default: live rooms trim, a default restore would not
  RoomGen g{std::mt19937(7)};
  {
    sql::PgCommitLog log(log_config(db));
    Feeder f{w, log};
    run_scenario(w, 4, 150, 7);
    f.publish_new();
    for (int step = 0; step < 600; ++step) {
      w.run(g.command(w.svc));
      f.publish_new();
    }
    REQUIRE(log.flush(30000));
  }
  auto entries = [](const core::Service& s) {
    std::size_t n = 0;
    for (const auto& [j, r] : s.rooms) n += r.history.size();
    return n;
  };
  pqxx::connection c(db.conn_string());
  sql::RestoreStats st;
  const core::Service restored = sql::restore_from_pg(c, &st, w.cfg.history);
  check_equal(restored, w.svc);
  sql::RestoreStats loose;
  const core::Service unbounded = sql::restore_from_pg(c, &loose);  // the default bounds
  CHECK(entries(unbounded) > entries(restored));
}
