// Rows a restart orphaned (sql/orphans): open rooms and sessions created before the restore
// that it does not hold are closed at the room's last event with reason 'orphaned'; what it
// holds, what began after it and what had ended stay as they are.
#include "sql/migrate.hpp"
#include "sql/orphans.hpp"
#include "tests/sql/support.hpp"

using namespace mucstream;
using namespace mucstream::testing;

namespace {
const std::string kLive = "00000000-0000-7000-8000-00000000000a";     // restored
const std::string kLost = "00000000-0000-7000-8000-00000000000b";     // the log lost it
const std::string kNew = "00000000-0000-7000-8000-00000000000c";      // created after the restore began
const std::string kEnded = "00000000-0000-7000-8000-00000000000d";    // ended long ago
const std::string kSessionLive = "00000000-0000-7000-8000-0000000000a1";
const std::string kSessionLost = "00000000-0000-7000-8000-0000000000a2";
const std::string kSessionInLost = "00000000-0000-7000-8000-0000000000b1";
const std::string kSessionNew = "00000000-0000-7000-8000-0000000000a3";

std::string one(pqxx::connection& c, const std::string& sql) {
  pqxx::nontransaction tx(c);
  const auto f = tx.exec1(sql)[0];
  return f.is_null() ? "NULL" : f.as<std::string>();
}
}  // namespace

TEST_CASE("sql: orphaned rows are closed at the room's last event, the rest untouched") {
  TestDb db;
  pqxx::connection c(db.conn_string());
  sql::migrate(c);
  {
    pqxx::work tx(c);
    auto room = [&](const std::string& id, const char* created, const char* last, const char* ended) {
      tx.exec0("INSERT INTO rooms (id, name, jid, created, last_event, ended, ended_reason) VALUES ('" + id + "', 'r', 'r" +
               id.substr(35) + "@rooms.test', '" + created + "', '" + last + "', " + ended + ", " +
               (std::string(ended) == "NULL" ? "NULL" : "'left'") + ")");
    };
    room(kLive, "2026-01-01 10:00Z", "2026-01-01 11:00Z", "NULL");
    room(kLost, "2026-01-01 10:00Z", "2026-01-01 10:30Z", "NULL");
    room(kNew, "2026-01-01 12:30Z", "2026-01-01 12:31Z", "NULL");
    room(kEnded, "2026-01-01 09:00Z", "2026-01-01 09:10Z", "'2026-01-01 09:10Z'");
    auto user = [&](const std::string& id, const std::string& room_id, const char* created) {
      tx.exec0("INSERT INTO users (sessionid, userid, room_id, nick, created) VALUES ('" + id + "', 'u@e.com', '" +
               room_id + "', 'U', '" + created + "')");
    };
    user(kSessionLive, kLive, "2026-01-01 10:00Z");
    user(kSessionLost, kLive, "2026-01-01 10:05Z");
    user(kSessionInLost, kLost, "2026-01-01 10:00Z");
    user(kSessionNew, kLive, "2026-01-01 12:40Z");
    tx.commit();
  }
  sql::LiveIds live;
  live.rooms = {kLive};
  live.sessions = {kSessionLive};
  live.before = std::chrono::system_clock::time_point(std::chrono::seconds(1767268800));  // 2026-01-01 12:00Z
  const sql::OrphanStats st = sql::close_orphans(c, live);
  CHECK(st.rooms == 1);
  CHECK(st.users == 2);
  auto ended = [&](const char* table, const char* key, const std::string& id) {
    return one(c, std::string("SELECT to_char(ended AT TIME ZONE 'UTC', 'HH24:MI') || ' ' || coalesce(ended_reason, '') FROM ") +
                      table + " WHERE " + key + " = '" + id + "'");
  };
  CHECK(ended("rooms", "id", kLive) == "NULL");
  CHECK(ended("rooms", "id", kLost) == "10:30 orphaned");
  CHECK(ended("rooms", "id", kNew) == "NULL");
  CHECK(ended("rooms", "id", kEnded) == "09:10 left");
  CHECK(ended("users", "sessionid", kSessionLive) == "NULL");
  CHECK(ended("users", "sessionid", kSessionLost) == "11:00 orphaned");
  CHECK(ended("users", "sessionid", kSessionInLost) == "10:30 orphaned");
  CHECK(ended("users", "sessionid", kSessionNew) == "NULL");
  // The summary's peak per hour (migration 0016) moves with the sessions closed: hour 10 has
  // three joins and a close at 10:30, hour 11 a close at 11:00 (per tenant and for all).
  CHECK(one(c, "SELECT string_agg(domain || ' ' || to_char(hour AT TIME ZONE 'UTC', 'HH24:MI') || ' ' || delta || ' ' ||"
               " peak, ', ' ORDER BY domain COLLATE \"C\", hour) FROM rollup_peak_hourly") ==
        "* 10:00 2 3, * 11:00 -1 -1, rooms.test 10:00 2 3, rooms.test 11:00 -1 -1");
  // Twice: nothing more to close.
  const sql::OrphanStats again = sql::close_orphans(c, live);
  CHECK(again.rooms == 0);
  CHECK(again.users == 0);
}

// A restore per MUC domain (a process serving several) covers only its domains: rooms of a
// domain it does not serve (left out of --domain for a while) stay open with their sessions.
TEST_CASE("sql: orphans of a restore limited to some domains leave the rooms of other domains open") {
  TestDb db;
  pqxx::connection c(db.conn_string());
  sql::migrate(c);
  {
    pqxx::work tx(c);
    tx.exec0("INSERT INTO rooms (id, name, jid, created, last_event) VALUES "
             "('" + kLost + "', 'r', 'r@rooms.acme.test', '2026-01-01 10:00Z', '2026-01-01 10:30Z'), "
             "('" + kLive + "', 'r', 'r@rooms.other.test', '2026-01-01 10:00Z', '2026-01-01 11:00Z')");
    tx.exec0("INSERT INTO users (sessionid, userid, room_id, nick, created) VALUES "
             "('" + kSessionInLost + "', 'u@e.com', '" + kLost + "', 'U', '2026-01-01 10:00Z'), "
             "('" + kSessionLive + "', 'u@e.com', '" + kLive + "', 'U', '2026-01-01 10:00Z')");
    tx.commit();
  }
  sql::LiveIds live;  // the acme restore held nothing
  live.before = std::chrono::system_clock::time_point(std::chrono::seconds(1767268800));
  live.domains = {"rooms.acme.test", "rooms.globex.test"};
  const sql::OrphanStats st = sql::close_orphans(c, live);
  CHECK(st.rooms == 1);
  CHECK(st.users == 1);
  CHECK(one(c, "SELECT ended_reason FROM rooms WHERE id = '" + kLost + "'") == "orphaned");
  CHECK(one(c, "SELECT ended IS NULL FROM rooms WHERE id = '" + kLive + "'") == "t");
  CHECK(one(c, "SELECT ended IS NULL FROM users WHERE sessionid = '" + kSessionLive + "'") == "t");
}
