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
#include "events/envelope.hpp"
#include "pg_support.hpp"
#include "sql/reports.hpp"
#include "sql/writer.hpp"

using namespace mucstream;
using namespace mucstream::analytics;
using namespace mucstream::analytics::testing;

namespace {

core::Event joined(Loop& loop, const char* user, const char* nick, const char* room = "huddle@rooms.localhost") {
  core::Join j;
  j.user = std::get<core::Jid>(core::Jid::parse(user));
  j.room = room;
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

TEST_CASE("telemetry pg: a call reported only over HTTP telemetry is in the room's report, and lists carry summaries") {
  Loop loop(1'795'500'000'000);  // a day after the other case's loop: distinct event ids
  sql::PgReadStore store(conninfo(), 2);
  Running srv(&store);
  add_telemetry_routes(*srv.server, [&loop](core::Command c, std::function<void(const core::Decision&)> done) {
    loop.submit(std::move(c), std::move(done));
  });
  srv.start();
  const char* room = "webcall@rooms.localhost";
  const core::Event a = joined(loop, "ann@localhost/web", "ann", room);
  const core::Event b = joined(loop, "ben@localhost/web", "ben", room);
  const std::string room_id = a.room_id, ann = a.actor, ben = b.actor;
  const std::string ann_tok = create_client_token(kSecret, ann, room_id, 600, unix_now());
  const std::string ben_tok = create_client_token(kSecret, ben, "", 600, unix_now());
  auto event = [&](const char* type, const std::string& data_fields, const std::string& peer) {
    return R"({"eventType":")" + std::string(type) + R"(","roomId":")" + room_id + R"(","data":{)" + data_fields +
           R"(,"peer":")" + peer + R"("}})";
  };
  // ann's client in talky's single-event form, ben's side and the hang-up in a batch.
  REQUIRE(post(srv, R"({"batch":[],"eventType":"peer_session_added","data":{"sid":"w1","isInitiator":true,"peer":")" +
                        ben + R"("}})", ann_tok).status == 202);
  Reply added = post(srv, R"({"batch":[)" + event("peer_session_added", R"("sid":"w1","isInitiator":false)", ann) + "," +
                              event("peer_stream_added", R"("sid":"w1","audio":true,"video":true)", ann) + "," +
                              event("peer_session_connection_state", R"("sid":"w1","connectionState":"connected")", ann) +
                              "]}", ben_tok);
  REQUIRE(added.status == 202);
  CHECK(added.text("/accepted") == "3");
  REQUIRE(post(srv, event("peer_session_removed", R"("sid":"w1")", ann), ben_tok).status == 202);

  // The materialiser's writer stores the events and folds the report in the same transaction.
  std::vector<core::Event> log;
  for (const auto& d : loop.decisions()) log.insert(log.end(), d.events.begin(), d.events.end());
  {
    pqxx::connection c(conninfo());
    sql::EventWriter writer(c);
    CHECK(writer.write(log).inserted == log.size());
  }

  Reply r = srv.get("/v1/rooms/" + room_id, Running::token(Role::analyst));
  REQUIRE(r.status == 200);
  CHECK(r.text("/reports/p2p/count") == "1");
  CHECK(r.text("/reports/p2p/completed") == "1");
  CHECK(r.text("/reports/p2p/total_ms") == "4000");  // added and removed four commands (seconds) apart
  CHECK(r.text("/reports/p2p/sessions/0/sid") == "w1");
  CHECK(r.text("/reports/p2p/sessions/0/initiator") == ann);
  CHECK(r.text("/reports/p2p/sessions/0/responder") == ben);
  CHECK(r.text("/reports/p2p/sessions/0/source") == "telemetry");
  CHECK(r.text("/reports/p2p/sessions/0/media/0") == "audio");
  CHECK(r.text("/reports/p2p/sessions/0/media/1") == "video");
  CHECK(r.text("/reports/peak_participants") == "2");

  // The call views count the call as the report does, from the batch that stored it: P2P
  // quality (of the room and of every room), the rooms' calls, the room's timeline.
  const std::string period = "since=" + events::format_time(a.time_ms - 3'600'000) +
                             "&until=" + events::format_time(a.time_ms + 3'600'000);
  Reply p2p = srv.get("/v1/analytics/p2p?room=" + room_id + "&" + period, Running::token(Role::analyst));
  REQUIRE(p2p.status == 200);
  CHECK(p2p.text("/sessions/total") == "1");
  CHECK(p2p.text("/sessions/completed") == "1");
  CHECK(rapidjson::Pointer("/duration_seconds/total").Get(p2p.json)->GetDouble() == 4.0);
  Reply every = srv.get("/v1/analytics/p2p?" + period, Running::token(Role::analyst));
  REQUIRE(every.status == 200);
  CHECK(every.text("/sessions/total") == "1");
  CHECK(every.text("/sessions/completed") == "1");
  Reply rooms = srv.get("/v1/analytics/rooms?" + period, Running::token(Role::analyst));
  REQUIRE(rooms.status == 200);
  REQUIRE(rooms.size("/items") == 1);
  CHECK(rooms.text("/items/0/p2p_sessions") == "1");
  CHECK(rooms.text("/items/0/p2p_failed") == "0");
  Reply timeline = srv.get("/v1/rooms/" + room_id + "/timeline?kind=p2p", Running::token(Role::analyst));
  REQUIRE(timeline.status == 200);
  REQUIRE(timeline.size("/items") == 1);
  CHECK(timeline.text("/items/0/session") == ann);
  CHECK(timeline.text("/items/0/peer") == ben);
  CHECK(rapidjson::Pointer("/items/0/duration_seconds").Get(timeline.json)->GetDouble() == 4.0);
  CHECK(timeline.text("/items/0/detail/sid") == "w1");
  CHECK(timeline.text("/items/0/detail/outcome") == "completed");
  CHECK(timeline.text("/items/0/detail/media/1") == "video");

  // A recompute from the stored events gives the same report.
  const std::string stored = r.body;
  {
    pqxx::connection c(conninfo());
    CHECK(sql::recompute_reports(c, room_id).rooms == 1);
  }
  CHECK(srv.get("/v1/rooms/" + room_id, Running::token(Role::analyst)).body == stored);
  // and so do the call views
  CHECK(srv.get("/v1/analytics/p2p?" + period, Running::token(Role::analyst)).body == every.body);
  CHECK(srv.get("/v1/rooms/" + room_id + "/timeline?kind=p2p", Running::token(Role::analyst)).body == timeline.body);

  // The room list carries each report's figures, not its lists, unless asked for all of it.
  Reply list = srv.get("/v1/rooms?name=webcall", Running::token(Role::analyst));
  REQUIRE(list.status == 200);
  REQUIRE(list.size("/items") == 1);
  CHECK(list.text("/items/0/report_summary/p2p/count") == "1");
  CHECK(list.text("/items/0/report_summary/peak_participants") == "2");
  CHECK(list.body.find("participant_times") == std::string::npos);
  CHECK(list.body.find("\"sessions\":[") == std::string::npos);
  CHECK(list.body.find("\"reports\"") == std::string::npos);
  Reply full = srv.get("/v1/rooms?name=webcall&report=full", Running::token(Role::analyst));
  REQUIRE(full.status == 200);
  CHECK(full.text("/items/0/reports/p2p/sessions/0/sid") == "w1");
  CHECK(full.body.find("report_summary") == std::string::npos);
  Reply bad = srv.get("/v1/rooms?report=everything", Running::token(Role::analyst));
  CHECK(bad.status == 400);
  CHECK(bad.text("/error/parameter") == "report");
}
