// Room password hashes against a real PostgreSQL: kept in room_secrets, out of events.data
// and out of everything the analyst role can read, and put back by replay so password
// rooms survive a restart.
#include <unistd.h>

#include <set>

#include "core/decide.hpp"
#include "events/envelope.hpp"
#include "sql/migrate.hpp"
#include "sql/replay.hpp"
#include "sql/writer.hpp"
#include "tests/events/scenario.hpp"
#include "tests/sql/support.hpp"

using namespace mucstream;
using namespace mucstream::testing;

namespace {

constexpr const char* kHashMark = "pbkdf2-sha256$";

core::ConfigChange with_password(std::optional<bool> persistent, std::optional<std::string> password) {
  core::ConfigChange c;
  c.persistent = persistent;
  if (password) {
    c.password_protected = true;
    c.password = std::move(password);
  } else {
    c.password_protected = false;
  }
  return c;
}

// Events that set a password, in rooms that have not ended: what room_secrets must hold.
std::int64_t live_password_events(const std::vector<core::Event>& log) {
  std::set<std::string> ended;
  for (const auto& e : log)
    if (e.type == core::EventType::room_destroyed) ended.insert(e.room_id);
  std::int64_t n = 0;
  for (const auto& e : log) {
    const core::RoomConfig* cfg = nullptr;
    if (const auto* created = std::get_if<core::data::RoomCreated>(&e.data)) cfg = &created->config;
    if (const auto* configured = std::get_if<core::data::RoomConfigured>(&e.data)) cfg = &configured->config;
    if (cfg && !cfg->password_hash.empty() && !ended.count(e.room_id)) ++n;
  }
  return n;
}

// A login role that is a member of analyst, as analysts connect (0002).
class AnalystLogin {
 public:
  explicit AnalystLogin(const TestDb& db) : db_(db), name_("ana_" + std::to_string(::getpid())) {
    pqxx::connection c(db_.conn_string());
    pqxx::nontransaction tx(c);
    tx.exec0("CREATE ROLE " + name_ + " LOGIN IN ROLE analyst");
  }
  ~AnalystLogin() {
    try {
      pqxx::connection c(db_.conn_string());
      pqxx::nontransaction tx(c);
      tx.exec0("DROP OWNED BY " + name_ + "; DROP ROLE " + name_);
    } catch (const std::exception&) {
    }
  }
  std::string conn_string() const { return db_.conn_string() + " user=" + name_; }

 private:
  const TestDb& db_;
  std::string name_;
};

// Rows of every relation the analyst may read whose text contains `needle`, plus the
// planner statistics (pg_stats shows column values of readable tables).
std::int64_t analyst_sees(const AnalystLogin& analyst, const std::string& needle) {
  pqxx::connection c(analyst.conn_string());
  pqxx::nontransaction tx(c);
  std::int64_t found = 0;
  const pqxx::result rels = tx.exec(
      "SELECT format('%I.%I', n.nspname, k.relname) FROM pg_class k JOIN pg_namespace n ON n.oid = k.relnamespace"
      " WHERE n.nspname = 'public' AND k.relkind IN ('r', 'p', 'v', 'm')"
      "  AND has_table_privilege(current_user, k.oid, 'SELECT')");
  REQUIRE(rels.size() >= 5);  // events and its partitions, rooms, users, the views
  for (const auto& rel : rels) {
    const std::string name = rel[0].as<std::string>();
    CAPTURE(name);
    const std::int64_t n =
        tx.exec_params1("SELECT count(*) FROM " + name + " t WHERE strpos(t::text, $1) > 0", needle)[0].as<std::int64_t>();
    CHECK(n == 0);
    found += n;
  }
  found += tx.exec_params1(
                 "SELECT count(*) FROM pg_stats WHERE schemaname = 'public' AND (strpos(most_common_vals::text, $1) > 0"
                 " OR strpos(histogram_bounds::text, $1) > 0)",
                 needle)[0]
               .as<std::int64_t>();
  return found;
}

}  // namespace

TEST_CASE("sql: password hashes are out of the analyst role's reach and replay restores password rooms") {
  TestDb db;
  pqxx::connection c(db.conn_string());
  sql::migrate(c);
  World w;
  run_scenario(w, 4, 200, 11);
  // A: persistent, its password changed once. B: persistent, password removed.
  // C: temporary, with a password, destroyed later (its hashes must go).
  const std::string a = "pa@rooms.test", b = "pb@rooms.test", cr = "pc@rooms.test";
  REQUIRE(w.join("oa@example.com/desk", "owner", std::nullopt, a).ok());
  REQUIRE(w.configure("oa@example.com/desk", with_password(true, "alpha"), a).ok());
  REQUIRE(w.configure("oa@example.com/desk", with_password(std::nullopt, "beta"), a).ok());
  REQUIRE(w.join("x@example.com/x", "x", "beta", a).ok());
  REQUIRE(w.join("ob@example.com/desk", "owner", std::nullopt, b).ok());
  REQUIRE(w.configure("ob@example.com/desk", with_password(true, "gamma"), b).ok());
  REQUIRE(w.configure("ob@example.com/desk", with_password(std::nullopt, std::nullopt), b).ok());
  REQUIRE(w.join("oc@example.com/desk", "owner", std::nullopt, cr).ok());
  REQUIRE(w.configure("oc@example.com/desk", with_password(false, "delta"), cr).ok());
  const std::size_t first_batch = w.log.size();
  REQUIRE(w.leave("oc@example.com/desk", cr).ok());  // the temporary room ends
  REQUIRE(w.room(a).config.password_protected());
  REQUIRE(!w.room(b).config.password_protected());
  REQUIRE(w.svc.find(cr) == nullptr);

  sql::EventWriter writer(c);
  const std::vector<core::Event> one(w.log.begin(), w.log.begin() + static_cast<std::ptrdiff_t>(first_batch));
  const std::vector<core::Event> two(w.log.begin() + static_cast<std::ptrdiff_t>(first_batch), w.log.end());
  REQUIRE(writer.write(one).inserted == one.size());
  CHECK(db.count("SELECT count(*) FROM room_secrets s JOIN rooms r ON r.id = s.room_id WHERE r.jid = 'pc@rooms.test'") == 1);
  REQUIRE(writer.write(two).inserted == two.size());
  CHECK(writer.write(w.log).duplicates == w.log.size());  // a redelivery changes nothing

  // The service role: hashes only in room_secrets, none for the ended room.
  const std::int64_t expected = live_password_events(w.log);
  CHECK(expected == 3);  // A twice, B once
  CHECK(db.count("SELECT count(*) FROM room_secrets") == expected);
  CHECK(db.count("SELECT count(*) FROM room_secrets s JOIN rooms r ON r.id = s.room_id WHERE r.ended IS NOT NULL") == 0);
  CHECK(db.count("SELECT count(*) FROM room_secrets WHERE strpos(password_hash, 'pbkdf2-sha256$') = 1") == expected);
  CHECK(db.count("SELECT count(*) FROM events WHERE data #> '{config,password_hash}' IS NOT NULL") == 0);
  CHECK(db.count("SELECT count(*) FROM events WHERE strpos(data::text, 'pbkdf2') > 0") == 0);
  CHECK(db.count("SELECT count(*) FROM events WHERE type IN ('room_created', 'room_configured')"
                 " AND jsonb_typeof(data->'config') <> 'object'") == 0);  // the rest of the configuration stays

  // Replay (the service role) rebuilds the password rooms as they live.
  sql::ReplayStats st;
  const core::Service restored = sql::replay_service(c, &st);
  CHECK(st.gaps == 0);
  CHECK(restored == core::persistent_view(w.svc));
  REQUIRE(restored.find(a) != nullptr);
  CHECK(w.crypto.verify_password("beta", restored.find(a)->config.password_hash));
  CHECK_FALSE(w.crypto.verify_password("alpha", restored.find(a)->config.password_hash));
  REQUIRE(restored.find(b) != nullptr);
  CHECK_FALSE(restored.find(b)->config.password_protected());
  CHECK(restored.find(cr) == nullptr);

  // The analyst role: room_secrets refused, and no hash in any row or statistic it can read.
  {
    pqxx::nontransaction tx(c);
    tx.exec0("ANALYZE");
  }
  AnalystLogin analyst(db);
  {
    pqxx::connection ac(analyst.conn_string());
    pqxx::work tx(ac);
    CHECK_THROWS_AS(tx.exec("SELECT password_hash FROM room_secrets"), pqxx::insufficient_privilege);
  }
  {
    pqxx::connection ac(analyst.conn_string());
    CHECK_THROWS_AS(sql::replay_service(ac), pqxx::insufficient_privilege);
  }
  CHECK(analyst_sees(analyst, kHashMark) == 0);
  CHECK(analyst_sees(analyst, w.room(a).config.password_hash) == 0);
}

TEST_CASE("sql: migration 0007 moves password hashes that earlier releases stored in events") {
  TestDb db;
  pqxx::connection c(db.conn_string());
  // The schema as it was before 0007, as migrate() would have left it.
  {
    pqxx::work tx(c);
    tx.exec0("CREATE TABLE schema_migrations (version text PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())");
    for (const sql::Migration& m : sql::migrations()) {
      if (m.name >= "0007") break;
      tx.exec(m.sql);
      tx.exec_params0("INSERT INTO schema_migrations (version) VALUES ($1)", m.name);
    }
    tx.commit();
  }
  World w;
  REQUIRE(w.join("oa@example.com/desk", "owner", std::nullopt, "pa@rooms.test").ok());
  REQUIRE(w.configure("oa@example.com/desk", with_password(true, "alpha"), "pa@rooms.test").ok());
  REQUIRE(w.join("oc@example.com/desk", "owner", std::nullopt, "pc@rooms.test").ok());
  REQUIRE(w.configure("oc@example.com/desk", with_password(false, "delta"), "pc@rooms.test").ok());
  REQUIRE(w.leave("oc@example.com/desk", "pc@rooms.test").ok());
  // Stored as the earlier writer stored them: the hash inside events.data.
  {
    pqxx::work tx(c);
    for (const core::Event& e : w.log) {
      tx.exec_params("SELECT mucstream_ensure_event_partition($1::timestamptz)", events::format_time(e.time_ms));
      tx.exec_params0(
          "INSERT INTO events (id, time, type, room, room_id, seq, actor, peer, data)"
          " VALUES ($1, $2::timestamptz, $3, $4, $5, $6, $7, NULL, $8::jsonb)",
          e.id, events::format_time(e.time_ms), std::string(core::to_string(e.type)), e.room, e.room_id,
          static_cast<long long>(e.seq), e.actor.empty() ? std::nullopt : std::optional<std::string>(e.actor),
          events::encode_data(e.data));
      if (e.type == core::EventType::room_created)
        tx.exec_params0("INSERT INTO rooms (id, name, jid, created, persistent, last_seq)"
                        " VALUES ($1, split_part($2, '@', 1), $2, $3::timestamptz, true, 0)",
                        e.room_id, e.room, events::format_time(e.time_ms));
      if (e.type == core::EventType::room_destroyed)
        tx.exec_params0("UPDATE rooms SET ended = $2::timestamptz WHERE id = $1", e.room_id,
                        events::format_time(e.time_ms));
    }
    tx.commit();
  }
  REQUIRE(db.count("SELECT count(*) FROM events WHERE data #> '{config,password_hash}' IS NOT NULL") >= 2);

  const std::vector<std::string> applied = sql::migrate(c);
  REQUIRE_FALSE(applied.empty());
  CHECK(applied.front() == "0007_room_secrets");
  CHECK(db.count("SELECT count(*) FROM events WHERE data #> '{config,password_hash}' IS NOT NULL") == 0);
  CHECK(db.count("SELECT count(*) FROM room_secrets") == live_password_events(w.log));
  CHECK(db.count("SELECT count(*) FROM room_secrets") == 1);  // pa's; pc has ended
  const core::Service restored = sql::replay_service(c);
  REQUIRE(restored.find("pa@rooms.test") != nullptr);
  CHECK(restored == core::persistent_view(w.svc));
  CHECK(w.crypto.verify_password("alpha", restored.find("pa@rooms.test")->config.password_hash));
  AnalystLogin analyst(db);
  CHECK(analyst_sees(analyst, kHashMark) == 0);
}
