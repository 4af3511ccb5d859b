// POST /v1/admin/users/{jid}/forget against a real PostgreSQL seeded by fixtures/seed.sql
// (bob@localhost: one session in standup, 125 messages, left), through the HTTP server with
// the forget function mucstreamd wires in: afterwards no column of any table names bob, and
// the read routes still count what they counted.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <pqxx/pqxx>

#include "analytics/routes_privacy.hpp"
#include "pg_support.hpp"

using namespace mucstream;
using namespace mucstream::analytics;
using namespace mucstream::analytics::testing;

namespace {

// "table.column: N" for every column of every table whose text contains `needle`.
std::string search_database(const std::string& needle) {
  pqxx::connection c(conninfo());
  pqxx::nontransaction tx(c);
  std::string hits;
  for (const auto& col : tx.exec("SELECT c.table_name, c.column_name FROM information_schema.columns c"
                                 " JOIN information_schema.tables t USING (table_schema, table_name)"
                                 " WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' ORDER BY 1, 2")) {
    const std::string table = col[0].as<std::string>(), column = col[1].as<std::string>();
    const auto n = tx.exec_params1("SELECT count(*) FROM " + tx.quote_name(table) + " WHERE strpos(lower(" +
                                       tx.quote_name(column) + "::text), lower($1)) > 0",
                                   needle)[0]
                       .as<std::int64_t>();
    if (n > 0) hits += table + "." + column + ": " + std::to_string(n) + "\n";
  }
  return hits;
}

struct PrivacyApi : Api {
  PrivacyApi() : Api(false) {
    add_privacy_routes(*srv.server, {.forget = [](const std::string& jid) {
                                       pqxx::connection conn(conninfo());
                                       return sql::forget_user(conn, jid);
                                     }});
    srv.start();
  }
};

}  // namespace

TEST_CASE("privacy: an admin forgets a person over HTTP and no trace of the JID or nick is left") {
  PrivacyApi api;
  const std::string admin = Running::token(Role::admin);
  const std::string summary = "/v1/analytics/summary?from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z";
  const std::string before = api.get(summary).body;
  REQUIRE(search_database("bob") != "");

  CHECK(api.srv.post("/v1/admin/users/bob@localhost/forget", "").status == 401);
  CHECK(api.srv.post("/v1/admin/users/bob@localhost/forget", Running::token(Role::analyst)).status == 403);
  const Reply bad = api.srv.post("/v1/admin/users/localhost/forget", admin);  // a domain, not a person
  CHECK(bad.status == 400);
  CHECK(bad.text("/error/parameter") == "jid");

  const Reply r = api.srv.post("/v1/admin/users/Bob@LocalHost/forget", admin);
  REQUIRE(r.status == 200);
  CHECK(r.text("/jid") == "bob@localhost");
  const std::string alias = r.text("/pseudonym");
  CHECK(alias.rfind("anon-", 0) == 0);
  CHECK(r.json["sessions"].GetInt64() == 1);
  CHECK(r.json["events"].GetInt64() >= 125);  // every message of his, his join and his leave

  CHECK(search_database("bob") == "");
  CHECK(api.get(summary).body == before);  // rooms, sessions, participants, messages: unchanged
  const Reply session = api.get("/v1/users/00000000-0000-7000-8000-0000000000b1");
  CHECK(session.text("/userid") == alias);
  CHECK(session.text("/nick") == alias);

  const Reply again = api.srv.post("/v1/admin/users/bob@localhost/forget", admin);
  CHECK(again.status == 200);
  CHECK(again.json["sessions"].GetInt64() == 0);
  CHECK(again.text("/pseudonym") == alias);
}
