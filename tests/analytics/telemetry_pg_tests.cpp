// Client telemetry all the way to PostgreSQL: events POSTed over HTTP are decided by a real
// core room loop, the loop's events are written by the materialiser's own writer
// (sql::EventWriter) into a real PostgreSQL 15 migrated by `mucstreamd migrate`, and an
// analyst reads them back through the read API with actor, peer and data as reported.
// Run by with_postgres.sh, which sets MUCSTREAM_TEST_PG.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <pqxx/pqxx>

#include <cstdlib>

#include "analytics/telemetry.hpp"
#include "core_loop.hpp"
#include "pg_support.hpp"
#include "sql/writer.hpp"

using namespace mucstream;
using namespace mucstream::analytics;
using namespace mucstream::analytics::testing;

namespace {

core::Event joined(Loop& loop, const char* user, const char* nick) {
  core::Join j;
  j.user = std::get<core::Jid>(core::Jid::parse(user));
  j.room = "huddle@rooms.localhost";
  j.nick = nick;
  const core::Decision d = loop.run(j);
  REQUIRE(d.ok());
  if (d.events.front().type == core::EventType::room_created)  // §10.1.2: accept the instant room
    REQUIRE(loop.run(core::Configure{core::Requester::user(j.user), j.room, {}}).ok());
  return d.events.back();
}

Reply post(Running& srv, const std::string& body, const std::string& token) {
  auto r = srv.client->Post("/v1/telemetry", {{"Authorization", "Bearer " + token}}, body, "application/json");
  Reply out;
  REQUIRE(r);
  out.status = r->status;
  out.body = r->body;
  out.json.Parse(out.body.c_str());
  return out;
}

}  // namespace

TEST_CASE("telemetry pg: reported events land in the events table and the read API with actor, peer and data") {
  Loop loop;
  sql::PgReadStore store(conninfo(), 2);
  Running srv(&store);
  add_telemetry_routes(*srv.server, [&loop](core::Command c, std::function<void(const core::Decision&)> done) {
    loop.submit(std::move(c), std::move(done));
  });
  srv.start();
  const core::Event a = joined(loop, "alice@localhost/web", "alice");
  const core::Event b = joined(loop, "bob@localhost/phone", "bob");
  const std::string room_id = a.room_id, alice = a.actor, bob = b.actor;
  const std::string tok = create_client_token(kSecret, alice, room_id, 600, unix_now());

  Reply one = post(srv, R"({"eventType":"peer_session_added","roomId":")" + room_id + R"(","peerId":")" + alice +
                            R"(","data":{"sid":"j1","isInitiator":true,"peer":")" + bob + R"("}})", tok);
  REQUIRE(one.status == 202);
  Reply batch = post(srv, R"({"batch":[{"eventType":"peer_session_stats","data":{"sid":"j1","name":"ice-connected",)"
                          R"("connectTime":412.5,"localCandidateType":"relay","peer":")" + bob + R"("}},)"
                          R"({"eventType":"audio_paused"},{"eventType":"audio_paused"},)"
                          R"({"eventType":"screencapture_stopped","data":{"note":"never started"}}]})", tok);
  REQUIRE(batch.status == 202);
  CHECK(batch.text("/accepted") == "2");
  CHECK(batch.text("/unchanged") == "2");

  // What the component's sink would produce, written by the materialiser's writer.
  std::vector<core::Event> log;
  for (const auto& d : loop.decisions()) log.insert(log.end(), d.events.begin(), d.events.end());
  {
    pqxx::connection c(conninfo());
    sql::EventWriter writer(c);
    CHECK(writer.write(log).inserted == log.size());
  }

  pqxx::connection c(conninfo());
  pqxx::work tx(c);
  const pqxx::result rows = tx.exec_params(
      "SELECT type, actor::text, coalesce(peer::text, ''), data->>'sid', data ? 'peer', seq FROM events "
      "WHERE room_id = $1 AND type NOT IN ('room_created', 'room_configured', 'occupant_joined') ORDER BY seq",
      room_id);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0][0].as<std::string>() == "peer_session_added");
  CHECK(rows[0][1].as<std::string>() == alice);
  CHECK(rows[0][2].as<std::string>() == bob);
  CHECK(rows[0][3].as<std::string>() == "j1");
  CHECK_FALSE(rows[0][4].as<bool>());  // data.peer became the peer column
  CHECK(rows[1][0].as<std::string>() == "peer_session_stats");
  CHECK(rows[1][2].as<std::string>() == bob);
  CHECK(rows[2][0].as<std::string>() == "audio_paused");
  CHECK(rows[2][2].as<std::string>() == "");
  CHECK(rows[1][5].as<std::int64_t>() == rows[0][5].as<std::int64_t>() + 1);
  // The user row of the session that reported is the one the events point at.
  CHECK(tx.exec_params1("SELECT count(*) FROM users WHERE sessionid = $1 AND room_id = $2", alice, room_id)[0]
            .as<int>() == 1);

  // An analyst reads them through the API, as talky's reports did.
  Reply r = srv.get("/v1/events?type=peer_session_stats&room=" + room_id, Running::token(Role::analyst));
  REQUIRE(r.status == 200);
  REQUIRE(r.size("/items") == 1);
  CHECK(r.text("/items/0/actor") == alice);
  CHECK(r.text("/items/0/peer") == bob);
  CHECK(r.text("/items/0/data/localCandidateType") == "relay");
  CHECK(r.text("/items/0/data/name") == "ice-connected");
}
