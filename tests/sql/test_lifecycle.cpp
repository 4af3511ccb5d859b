// The data lifecycle against real PostgreSQL rows: retention by data class (whole event
// partitions dropped, bodies and personal fields cleared, reports kept) and forgetting one
// person (no trace of the JID or nick left in any column of any table, counts unchanged).
#include "sql/forget.hpp"
#include "sql/migrate.hpp"
#include "sql/retention.hpp"
#include "sql/retention_schedule.hpp"
#include "sql/writer.hpp"
#include "tests/sql/lifecycle_support.hpp"
#include "tests/sql/support.hpp"

using namespace mucstream;
using namespace mucstream::testing;

namespace {

constexpr std::int64_t kNow = 1796083200000;       // 2026-12-01
constexpr std::int64_t kJan2025 = 1736467200000;   // 2025-01-10
constexpr std::int64_t kMar2025 = 1741564800000;   // 2025-03-10
constexpr std::int64_t kOct2026 = 1790812800000;   // 2026-10-01
constexpr std::int64_t kNov2026 = 1795996800000;   // 2026-11-30

std::string text(pqxx::connection& c, const std::string& sql) {
  pqxx::nontransaction tx(c);
  const pqxx::row r = tx.exec1(sql);
  return r[0].is_null() ? "" : r[0].as<std::string>();
}
std::int64_t count(pqxx::connection& c, const std::string& sql) {
  pqxx::nontransaction tx(c);
  return tx.exec1(sql)[0].as<std::int64_t>();
}

// One ended room: `bare` joins as `nick`, says `body`, leaves; the room is destroyed.
std::vector<core::Event> short_meeting(events::UuidV7Ids& ids, const std::string& room, std::int64_t at,
                                       const std::string& bare, const std::string& nick, const std::string& body) {
  LifecycleRoom r(ids, room, at);
  const core::Event join = r.joined(bare, nick);
  return {r.created("host-" + nick + "@example.com"), join, r.message(join, body), r.left(join), r.destroyed()};
}

}  // namespace

TEST_CASE("sql: retention drops whole event partitions, clears bodies and personal fields, and keeps reports") {
  TestDb db;
  pqxx::connection c(db.conn_string());
  sql::migrate(c);
  sql::EventWriter w(c);
  events::UuidV7Ids ids;

  w.write(short_meeting(ids, "old@rooms.test", kJan2025, "ann@example.com", "ann", "old secret"));
  LifecycleRoom live(ids, "live@rooms.test", kMar2025);  // never ends, and has no snapshot
  const core::Event bob = live.joined("bob@example.com", "bob");
  w.write({live.created("owner@example.com"), bob, live.message(bob, "live secret")});
  w.write(short_meeting(ids, "autumn@rooms.test", kOct2026, "cyd@example.com", "cyd", "autumn secret"));
  w.write(short_meeting(ids, "recent@rooms.test", kNov2026, "dee@example.com", "dee", "recent secret"));
  REQUIRE(count(c, "SELECT count(*) FROM events") == 18);
  // The report's figures (its participants are named by pseudonym once their data expired).
  const std::string report_figures =
      "SELECT (reports - 'participant_times')::text || jsonb_path_query_array(reports,"
      " '$.participant_times[*].present_ms')::text FROM rooms WHERE jid = 'old@rooms.test'";
  const std::string old_report = text(c, report_figures);
  REQUIRE_FALSE(old_report.empty());
  const std::string summaries = text(c, "SELECT string_agg(concat_ws(',', jid, sessions, participants, event_count), '|'"
                                        " ORDER BY jid) FROM room_summary");

  const sql::RetentionPolicy policy{.events_days = 365, .bodies_days = 30, .personal_days = 30};

  SUBCASE("a dry run counts and changes nothing") {
    const sql::PurgeReport dry = sql::purge(c, policy, kNow, false);
    CHECK_FALSE(dry.applied);
    REQUIRE(dry.partitions.size() == 2);
    CHECK(dry.partitions[0].name == "events_2025m01");
    CHECK(dry.partitions[0].events == 5);
    CHECK(dry.partitions[0].held_by.empty());
    CHECK(dry.partitions[1].name == "events_2025m03");
    CHECK(dry.partitions[1].held_by.find("live@rooms.test") != std::string::npos);
    CHECK(dry.partitions_dropped == 0);
    CHECK(dry.bodies == 6);    // three archive rows and their three events (recent is kept)
    CHECK(dry.sessions == 2);  // ann and cyd; bob is still in his room
    CHECK(count(c, "SELECT count(*) FROM events") == 18);
    CHECK(count(c, "SELECT count(*) FROM archive WHERE payload IS NULL") == 0);
    CHECK(count(c, "SELECT count(*) FROM users WHERE jid IS NULL") == 0);
  }

  SUBCASE("applied, then applied again") {
    const sql::PurgeReport done = sql::purge(c, policy, kNow, true);
    CHECK(done.applied);
    CHECK_FALSE(done.skipped);
    CHECK(done.partitions_dropped == 1);
    CHECK(done.events_dropped == 5);
    CHECK(done.bodies == 5);  // the old room's event body went with its partition
    CHECK(done.sessions == 2);

    // Events: the whole January partition is gone, the live room's March stays.
    CHECK(text(c, "SELECT to_regclass('events_2025m01')::text").empty());
    CHECK(text(c, "SELECT to_regclass('events_2025m03')::text") == "events_2025m03");
    CHECK(count(c, "SELECT count(*) FROM events") == 13);
    CHECK(count(c, "SELECT count(*) FROM events WHERE room = 'old@rooms.test'") == 0);
    // Rooms, sessions and reports survive the events they were computed from.
    CHECK(text(c, report_figures) == old_report);
    CHECK(text(c, "SELECT reports#>>'{participant_times,0,userid}' FROM rooms WHERE jid = 'old@rooms.test'")
              .rfind("anon-", 0) == 0);
    CHECK(text(c, "SELECT string_agg(concat_ws(',', jid, sessions, participants, event_count), '|' ORDER BY jid)"
                  " FROM room_summary") == summaries);

    // Bodies: cleared in the archive and the events, the rows stay; the recent one is kept.
    CHECK(count(c, "SELECT count(*) FROM archive") == 4);
    CHECK(count(c, "SELECT count(*) FROM archive WHERE payload IS NULL") == 3);
    for (const char* gone : {"old secret", "live secret", "autumn secret"}) {
      CAPTURE(gone);
      CHECK(search_database(c, gone) == "");
    }
    CHECK(search_database(c, "recent secret") == "archive.payload: 1\nevents.data: 1\nevents_2026m11.data: 1\n");

    // Personal fields: ann and cyd ended before the limit; bob is present, dee recent.
    CHECK(search_database(c, "ann@example.com") == "");
    CHECK(search_database(c, "cyd@example.com") == "");
    CHECK(search_database(c, "Mozilla/5.0") != "");  // dee's and bob's
    CHECK(count(c, "SELECT count(*) FROM users WHERE userid LIKE 'anon-%' AND jid IS NULL AND useragent IS NULL") == 2);
    CHECK(text(c, "SELECT jid FROM users WHERE userid = 'bob@example.com'") == "bob@example.com/laptop");
    CHECK(text(c, "SELECT data->>'jid' FROM events WHERE actor = '" + bob.actor + "' AND type = 'occupant_joined'") ==
          "bob@example.com/laptop");
    CHECK(search_database(c, "dee@example.com") != "");
    // The room's creator too, in its ended room's events, row and report.
    CHECK(search_database(c, "host-cyd@example.com") == "");
    CHECK(search_database(c, "host-dee@example.com") != "");
    CHECK(text(c, "SELECT data->>'creator' FROM events WHERE room = 'autumn@rooms.test' AND type = 'room_created'")
              .rfind("anon-", 0) == 0);

    const sql::PurgeReport again = sql::purge(c, policy, kNow, true);
    CHECK(again.partitions_dropped == 0);
    CHECK(again.bodies == 0);
    CHECK(again.sessions == 0);
    CHECK(count(c, "SELECT count(*) FROM events") == 13);
  }
}

TEST_CASE("sql: forgetting a user leaves no trace of the JID or nick in any table, and counts still add up") {
  TestDb db;
  pqxx::connection c(db.conn_string());
  sql::migrate(c);
  sql::EventWriter w(c);
  events::UuidV7Ids ids;

  // Zorblax creates a room, talks, renames and talks again beside Ann; in Ann's room Ann
  // makes Zorblax a member; the live room's snapshot still lists Zorblax.
  LifecycleRoom own(ids, "standup@rooms.test", kNov2026);
  const core::Event z = own.joined("Zorblax@Example.com", "Zorblax");
  const core::Event ann = own.joined("ann@example.com", "ann");
  w.write({own.created("zorblax@example.com"), z, ann, own.message(z, "zorblax body one"),
           own.message(ann, "hello Ann speaking"), own.nick_changed(z, "ZorblaxPhone"),
           own.message(z, "zorblax body two"), own.left(z), own.left(ann), own.destroyed()});
  LifecycleRoom other(ids, "team@rooms.test", kNov2026 + 60'000);
  const core::Event ann2 = other.joined("ann@example.com", "ann");
  const core::Event z2 = other.joined("zorblax@example.com", "Zorblax");
  w.write({other.created("ann@example.com"), ann2, other.affiliation("zorblax@example.com", "ann@example.com"), z2,
           other.message(z2, "zorblax body three")});
  {
    pqxx::work tx(c);
    tx.exec_params("INSERT INTO room_snapshots (room_jid, room_id, seq, state) VALUES ('team@rooms.test', $1, 5, $2)",
                   other.room_id(),
                   R"({"occupants":[{"nick":"Zorblax","jid":"zorblax@example.com/laptop"},{"nick":"ann"}]})");
    tx.commit();
  }
  REQUIRE(search_database(c, "zorblax") != "");

  const auto figures = [&c] {
    return text(c,
                "SELECT concat_ws(',', (SELECT count(*) FROM events), (SELECT count(*) FROM users),"
                " (SELECT count(*) FROM archive), (SELECT count(*) FROM rooms),"
                " (SELECT string_agg(concat_ws(':', jid, sessions, participants, event_count,"
                "   extract(epoch FROM ended - created)), ' ' ORDER BY jid) FROM room_summary),"
                " (SELECT string_agg(jsonb_array_length(reports->'participant_times')::text, ' ' ORDER BY jid) FROM rooms))");
  };
  const std::string before = figures();
  // The sessions per client and day, as kept and as recomputed from users.
  const std::string sessions_daily = "SELECT string_agg(concat_ws(':', day, domain, type, os, browser, sessions), ' '"
                                     " ORDER BY day, domain, type, os, browser) FROM rollup_sessions_daily";
  const auto recomputed_sessions_daily = [&] {
    pqxx::work tx(c);
    tx.exec("SELECT mucstream_recompute_base_rollups()");
    const std::string out = tx.exec1(sessions_daily)[0].as<std::string>();
    tx.abort();
    return out;
  };
  REQUIRE(count(c, "SELECT count(*) FROM users WHERE lower(userid) = 'zorblax@example.com' AND os IS NOT NULL") == 2);
  REQUIRE(text(c, sessions_daily) == recomputed_sessions_daily());

  const sql::ForgetReport f = sql::forget_user(c, " Zorblax@example.COM ");
  CHECK(f.pseudonym.rfind("anon-", 0) == 0);
  CHECK(f.sessions == 2);
  CHECK(f.archive == 3);
  CHECK(f.snapshots == 1);

  CHECK(search_database(c, "zorblax") == "");  // the JID, both nicks, the bodies
  CHECK(figures() == before);
  // The per-client counts the summary and overview read for whole days moved to 'unknown'.
  CHECK(text(c, sessions_daily) == recomputed_sessions_daily());
  CHECK(search_database(c, "hello Ann speaking") != "");  // other people's words stay
  CHECK(count(c, "SELECT count(*) FROM users WHERE userid = '" + f.pseudonym + "' AND jid IS NULL AND useragent IS NULL"
                 " AND os IS NULL AND type = 'browser'") == 2);
  CHECK(text(c, "SELECT creator FROM rooms WHERE jid = 'standup@rooms.test'") == f.pseudonym);
  CHECK(text(c, "SELECT data->>'jid' FROM events WHERE type = 'affiliation_changed'") == f.pseudonym);
  CHECK(count(c, "SELECT count(*) FROM archive WHERE nick = '" + f.pseudonym + "' AND payload IS NULL") == 3);

  // Twice changes nothing more; a JID never seen changes nothing.
  const sql::ForgetReport again = sql::forget_user(c, "zorblax@example.com");
  CHECK(again.pseudonym == f.pseudonym);
  CHECK(again.sessions == 0);
  CHECK(again.events == 0);
  CHECK(again.rooms == 0);
  CHECK(sql::forget_user(c, "nobody@example.com").events == 0);
  CHECK(figures() == before);
}

TEST_CASE("sql: the scheduled purge runs by itself on its interval") {
  TestDb db;
  pqxx::connection c(db.conn_string());
  sql::migrate(c);
  sql::EventWriter w(c);
  events::UuidV7Ids ids;
  w.write(short_meeting(ids, "old@rooms.test", kJan2025, "ann@example.com", "ann", "old secret"));
  REQUIRE(text(c, "SELECT to_regclass('events_2025m01')::text") == "events_2025m01");

  sql::ScheduledPurge purge(db.conn_string(), {.events_days = 30, .bodies_days = 0, .personal_days = 0}, 1);
  CHECK(wait_until([&] { return text(c, "SELECT to_regclass('events_2025m01')::text").empty(); }, 30));
  CHECK(wait_until([&] { return purge.runs() >= 2; }, 30));  // and again one interval later
  CHECK(purge.failures() == 0);
  CHECK(count(c, "SELECT count(*) FROM rooms WHERE jid = 'old@rooms.test' AND reports IS NOT NULL") == 1);
}

namespace {

// A login role in `group` on the test database's server (roles are cluster-wide: dropped
// with what it owns on destruction).
class Login {
 public:
  Login(const TestDb& db, std::string name, const std::string& group) : db_(db), name_(std::move(name)) {
    pqxx::connection c(db_.conn_string());
    pqxx::nontransaction tx(c);
    tx.exec0("CREATE ROLE " + name_ + " LOGIN IN ROLE " + group);
  }
  ~Login() {
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

// Every value the role can read in the public schema (whole rows of the relations it may
// read, each granted column of the others) that contains `needle`: "relation.column: N".
std::string readable_hits(const Login& who, const std::string& needle) {
  pqxx::connection c(who.conn_string());
  pqxx::nontransaction tx(c);
  std::string hits;
  const pqxx::result cols = tx.exec(
      "SELECT k.relname, a.attname FROM pg_class k JOIN pg_namespace n ON n.oid = k.relnamespace"
      " JOIN pg_attribute a ON a.attrelid = k.oid AND a.attnum > 0 AND NOT a.attisdropped"
      " WHERE n.nspname = 'public' AND k.relkind IN ('r', 'p', 'v', 'm')"
      "  AND has_column_privilege(current_user, k.oid, a.attnum, 'SELECT') ORDER BY 1, 2");
  REQUIRE(cols.size() > 20);
  for (const auto& col : cols) {
    const std::string rel = col[0].as<std::string>(), column = col[1].as<std::string>();
    const auto n = tx.exec_params1("SELECT count(*) FROM " + tx.quote_name(rel) + " WHERE strpos(" +
                                       tx.quote_name(column) + "::text, $1) > 0",
                                   needle)[0]
                       .as<std::int64_t>();
    if (n > 0) hits += rel + "." + column + ": " + std::to_string(n) + "\n";
  }
  return hits;
}

}  // namespace

TEST_CASE("sql: the analyst role reads the analytics without bodies or real JIDs, analyst_content reads them") {
  TestDb db;
  pqxx::connection c(db.conn_string());
  sql::migrate(c);
  sql::EventWriter w(c);
  events::UuidV7Ids ids;
  w.write(short_meeting(ids, "standup@rooms.test", kNov2026, "ann@example.com", "ann", "the secret plan"));
  const std::string tag = std::to_string(::getpid());
  Login analyst(db, "lc_analyst_" + tag, "analyst");
  Login content(db, "lc_content_" + tag, "analyst_content");

  // Nothing an analyst can select holds the body, the JID or the user agent...
  CHECK(readable_hits(analyst, "the secret plan") == "");
  CHECK(readable_hits(analyst, "ann@example.com") == "");
  CHECK(readable_hits(analyst, "Mozilla/5.0") == "");
  // ...asking for them is refused...
  for (const char* refused : {"SELECT data FROM events", "SELECT payload FROM archive", "SELECT userid FROM users",
                              "SELECT jid FROM users", "SELECT reports FROM rooms", "SELECT creator FROM rooms",
                              "SELECT data FROM events_2026m11", "SELECT * FROM privacy_salt"}) {
    CAPTURE(refused);
    pqxx::connection ac(analyst.conn_string());
    pqxx::work tx(ac);
    CHECK_THROWS_AS(tx.exec(refused), pqxx::insufficient_privilege);
  }
  // ...and the analytics are all there.
  {
    pqxx::connection ac(analyst.conn_string());
    pqxx::nontransaction tx(ac);
    CHECK(tx.exec1("SELECT count(*) FROM events")[0].as<int>() == 5);
    CHECK(tx.exec1("SELECT count(*) FROM events_analytics WHERE type = 'message_sent' AND data->>'nick' = 'ann'")[0]
              .as<int>() == 1);
    CHECK(tx.exec1("SELECT count(*) FROM messages WHERE payload IS NULL")[0].as<int>() == 1);
    CHECK(tx.exec1("SELECT sessions || ',' || participants FROM room_summary")[0].as<std::string>() == "1,1");
    CHECK(tx.exec1("SELECT count(*) FROM session_summary WHERE userid IS NULL AND nick = 'ann'")[0].as<int>() == 1);
    CHECK(tx.exec1("SELECT reports->>'participants' FROM room_reports")[0].as<std::string>() == "1");
    CHECK(tx.exec1("SELECT os FROM users")[0].as<std::string>() == "Linux");
  }
  // The content role, and the service's own role (the API), read it all.
  for (const std::string& conn : {content.conn_string(), db.conn_string()}) {
    pqxx::connection cc(conn);
    pqxx::nontransaction tx(cc);
    CHECK(tx.exec1("SELECT payload FROM messages")[0].as<std::string>() == "<body>the secret plan</body>");
    CHECK(tx.exec1("SELECT payload FROM archive")[0].as<std::string>() == "<body>the secret plan</body>");
    CHECK(tx.exec1("SELECT userid FROM session_summary")[0].as<std::string>() == "ann@example.com");
    CHECK(tx.exec1("SELECT reports#>>'{participant_times,0,userid}' FROM room_reports")[0].as<std::string>() ==
          "ann@example.com");
  }
  {
    pqxx::connection cc(content.conn_string());
    pqxx::work tx(cc);
    CHECK_THROWS_AS(tx.exec("SELECT * FROM room_secrets"), pqxx::insufficient_privilege);
  }
}
