// The read API against a real PostgreSQL 15 migrated with the pipeline's migrations and
// seeded by fixtures/seed.sql (see there for the rows). Run by with_postgres.sh, which sets
// MUCSTREAM_TEST_PG.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <pqxx/pqxx>

#include <chrono>
#include <cstdlib>
#include <set>
#include <thread>

#include "pg_support.hpp"

using namespace mucstream::analytics;
using namespace mucstream::analytics::testing;

namespace {
const std::string kStandup = "00000000-0000-7000-8000-000000000001";
const std::string kRetro = "00000000-0000-7000-8000-000000000002";
const std::string kOldStandup = "00000000-0000-7000-8000-000000000003";
const std::string kAlice = "00000000-0000-7000-8000-0000000000a1";
const std::string kBob = "00000000-0000-7000-8000-0000000000b1";


// Walks an event listing with limit-sized pages; returns the "n"/seq of every item.
std::vector<std::string> walk(Api& api, const std::string& base, int limit, const char* field = "seq") {
  std::vector<std::string> out;
  std::string cursor;
  const char* sep = base.find('?') == std::string::npos ? "?" : "&";
  for (int guard = 0; guard < 1000; ++guard) {
    Reply r = api.get(base + sep + "limit=" + std::to_string(limit) + (cursor.empty() ? "" : "&cursor=" + cursor));
    REQUIRE(r.status == 200);
    for (std::size_t i = 0; i < r.size("/items"); ++i)
      out.push_back(r.text(("/items/" + std::to_string(i) + "/" + field).c_str()));
    if (r.text("/has_more") != "true") break;
    cursor = r.text("/next_cursor");
  }
  return out;
}

std::int64_t count(const std::string& table) {
  pqxx::connection c(conninfo());
  pqxx::work tx(c);
  return tx.exec("SELECT count(*) FROM " + table)[0][0].as<std::int64_t>();
}
}  // namespace

TEST_CASE("pg: rooms list, filters, paging and totals") {
  Api api;
  Reply all = api.get("/v1/rooms");
  REQUIRE(all.status == 200);
  CHECK(all.text("/total") == "3");
  CHECK(all.text("/items/0/id") == kStandup);  // newest first
  CHECK(all.text("/items/1/id") == kRetro);
  CHECK(all.text("/items/2/id") == kOldStandup);
  CHECK(all.text("/items/0/created") == "2026-11-20T10:00:00.000Z");
  CHECK(all.text("/items/0/active") == "true");
  CHECK(all.text("/items/0/occupants") == "1");  // bob left
  CHECK(all.text("/items/0/event_count") == "254");
  CHECK(all.text("/items/1/ended") == "2026-10-15T10:00:00.000Z");
  CHECK(all.text("/items/1/ended_reason") == "empty");

  Reply active = api.get("/v1/rooms?active=true");
  CHECK(active.text("/total") == "1");
  CHECK(active.text("/items/0/id") == kStandup);
  CHECK(api.get("/v1/rooms?active=false").text("/total") == "2");
  Reply named = api.get("/v1/rooms?name=standup");
  CHECK(named.text("/total") == "2");
  CHECK(named.text("/items/1/id") == kOldStandup);
  CHECK(api.get("/v1/rooms?name=nosuch").text("/total") == "0");
  Reply october = api.get("/v1/rooms?since=2026-10-01T00:00:00Z&until=2026-11-01T00:00:00Z");
  CHECK(october.text("/total") == "2");
  CHECK(api.get("/v1/rooms?since=2026-10-15T09:00:00Z").text("/total") == "2");          // inclusive
  CHECK(api.get("/v1/rooms?until=2026-10-15T09:00:00Z").text("/total") == "1");          // exclusive
  CHECK(api.get("/v1/rooms?since=2026-10-15T11:00:00%2B02:00").text("/total") == "2");   // offset honoured

  Reply p2 = api.get("/v1/rooms?per_page=2&page=2");
  CHECK(p2.text("/total") == "3");
  CHECK(p2.size("/items") == 1);
  CHECK(p2.text("/items/0/id") == kOldStandup);
  Reply beyond = api.get("/v1/rooms?per_page=2&page=9");
  CHECK(beyond.size("/items") == 0);
  CHECK(beyond.text("/total") == "3");
}

TEST_CASE("pg: one room, with its configuration but never the password hash") {
  Api api;
  Reply r = api.get("/v1/rooms/" + kStandup);
  REQUIRE(r.status == 200);
  CHECK(r.text("/jid") == "standup@rooms.localhost");
  CHECK(r.text("/creator") == "alice@localhost");
  CHECK(r.text("/persistent") == "true");
  CHECK(r.text("/config/name") == "Daily standup");
  CHECK(r.text("/config/password_hash") == "<absent>");
  CHECK(r.body.find("pbkdf2") == std::string::npos);
  CHECK(api.get("/v1/rooms/" + kOldStandup).text("/locked") == "true");
  Reply missing = api.get("/v1/rooms/00000000-0000-7000-8000-0000000000ff");
  CHECK(missing.status == 404);
  CHECK(missing.text("/error/code") == "not_found");
  CHECK(api.get("/v1/rooms/" + std::string("00000000-0000-7000-8000-00000000000F")).status == 404);
  // Not an id but a possible local part (room names: id, JID or local part): no such room.
  CHECK(api.get("/v1/rooms/" + kStandup.substr(0, 30)).status == 404);
  CHECK(api.get("/v1/rooms/a%20b").status == 400);
}

TEST_CASE("pg: a room carries its report") {
  Api api;
  // standup: created 10:00:00, alice 10:00:01, bob 10:00:02 until 10:30:00, alice still in.
  Reply r = api.get("/v1/rooms/" + kStandup);
  REQUIRE(r.status == 200);
  CHECK(r.text("/reports/ended") == "false");
  CHECK(r.text("/reports/initial_wait_ms") == "2000");
  CHECK(r.text("/reports/usable_ms") == "1798000");
  CHECK(r.text("/reports/peak_participants") == "2");
  CHECK(r.text("/reports/participant_times/0/nick") == "alice");
  CHECK(r.text("/reports/participant_times/0/present_ms") == "1799000");  // as of the last event, 10:30:00
  CHECK(r.text("/reports/participant_times/1/present_ms") == "1798000");
  // retro: carol alone for an hour, then the room went.
  Reply retro = api.get("/v1/rooms/" + kRetro);
  CHECK(retro.text("/reports/ended") == "true");
  CHECK(retro.text("/reports/ended_reason") == "empty");
  CHECK(retro.text("/reports/initial_wait_ms") == "null");
  CHECK(retro.text("/reports/usable_ms") == "0");
  CHECK(retro.text("/reports/duration_ms") == "3600000");
  // Lists carry each report's figures without its lists; report=full gives the whole report.
  Reply list = api.get("/v1/rooms?name=standup");
  CHECK(list.text("/items/0/report_summary/peak_sessions") == "2");
  CHECK(list.text("/items/0/report_summary/usable_ms") == "1798000");
  CHECK(list.text("/items/0/report_summary/p2p/count") == r.text("/reports/p2p/count"));
  CHECK(list.text("/items/0/report_summary/participant_times") == "<absent>");
  CHECK(list.text("/items/0/report_summary/p2p/sessions") == "<absent>");
  CHECK(list.text("/items/0/reports") == "<absent>");
  Reply full = api.get("/v1/rooms?name=standup&report=full");
  CHECK(full.text("/items/0/reports/peak_sessions") == "2");
  CHECK(full.text("/items/0/reports/participant_times/0/nick") == "alice");
  CHECK(full.text("/items/0/report_summary") == "<absent>");
}

TEST_CASE("pg: a room's users, all or active, paged") {
  Api api;
  Reply all = api.get("/v1/rooms/" + kStandup + "/users");
  REQUIRE(all.status == 200);
  CHECK(all.text("/total") == "2");
  CHECK(all.text("/items/0/sessionid") == kAlice);
  CHECK(all.text("/items/0/type") == "browser");
  CHECK(all.text("/items/0/os") == "Linux");
  CHECK(all.text("/items/0/browser") == "Firefox");
  CHECK(all.text("/items/0/active") == "true");
  CHECK(all.text("/items/1/userid") == "bob@localhost");
  CHECK(all.text("/items/1/ended") == "2026-11-20T10:30:00.000Z");
  CHECK(all.text("/items/1/ended_reason") == "left");
  Reply active = api.get("/v1/rooms/" + kStandup + "/users?active=true");
  CHECK(active.text("/total") == "1");
  CHECK(active.text("/items/0/nick") == "alice");
  Reply page = api.get("/v1/rooms/" + kStandup + "/users?per_page=1&page=2");
  CHECK(page.text("/items/0/nick") == "bob");
  CHECK(page.text("/total") == "2");
  CHECK(api.get("/v1/rooms/00000000-0000-7000-8000-0000000000ff/users").status == 404);
}

TEST_CASE("pg: one session and its events") {
  Api api;
  Reply u = api.get("/v1/users/" + kBob);
  REQUIRE(u.status == 200);
  CHECK(u.text("/type") == "mobile");
  CHECK(u.text("/useragent") == "Conversations/2.13");
  CHECK(u.text("/room_id") == kStandup);
  CHECK(api.get("/v1/users/00000000-0000-7000-8000-0000000000ff").status == 404);
  // bob: joined (seq 3), 125 even-numbered messages, left (seq 254)
  const auto seqs = walk(api, "/v1/users/" + kBob + "/events", 50);
  REQUIRE(seqs.size() == 127);
  CHECK(seqs.front() == "3");
  CHECK(seqs[1] == "5");
  CHECK(seqs.back() == "254");
  Reply msgs = api.get("/v1/users/" + kBob + "/events?type=occupant_left");
  CHECK(msgs.size("/items") == 1);
  CHECK(msgs.text("/items/0/data/reason") == "left");
}

TEST_CASE("pg: without the content claim an analyst reads the same rows without JIDs, user agents or bodies") {
  Api api;
  Reply u = api.srv.get("/v1/users/" + kBob, api.numbers);
  REQUIRE(u.status == 200);
  CHECK(u.text("/type") == "mobile");
  CHECK(u.text("/useragent") == "null");
  CHECK(u.text("/userid") == "null");
  CHECK(u.text("/jid") == "null");
  Reply joined = api.srv.get("/v1/users/" + kBob + "/events?type=occupant_joined", api.numbers);
  REQUIRE(joined.size("/items") == 1);
  CHECK(joined.text("/items/0/data/nick") == "bob");
  CHECK(joined.body.find("bob@localhost") == std::string::npos);
  Reply said = api.srv.get("/v1/rooms/" + kStandup + "/events?type=message_sent&limit=5", api.numbers);
  REQUIRE(said.size("/items") == 5);
  CHECK(said.text("/items/0/data/payload") == "<absent>");
  CHECK(api.get("/v1/rooms/" + kStandup + "/events?type=message_sent&limit=5").text("/items/0/data/payload") !=
        "<absent>");
  CHECK(api.srv.get("/v1/rooms/" + kStandup, api.numbers).text("/creator") == "null");
}

TEST_CASE("pg: a room's events walk by cursor exactly once, ties on time broken by id") {
  Api api;
  for (int limit : {1, 7, 100, 1000}) {
    CAPTURE(limit);
    const auto seqs = walk(api, "/v1/rooms/" + kStandup + "/events", limit);
    REQUIRE(seqs.size() == 254);
    for (std::size_t i = 0; i < seqs.size(); ++i) CHECK(seqs[i] == std::to_string(i + 1));
  }
  const auto desc = walk(api, "/v1/rooms/" + kStandup + "/events?order=desc", 9);
  REQUIRE(desc.size() == 254);
  CHECK(desc.front() == "254");
  CHECK(desc.back() == "1");
  Reply first = api.get("/v1/rooms/" + kStandup + "/events?limit=3");
  CHECK(first.text("/items/0/type") == "room_created");
  CHECK(first.text("/items/0/time") == "2026-11-20T10:00:00.000Z");
  CHECK(first.text("/items/0/room") == "standup@rooms.localhost");
  CHECK(first.text("/items/0/data/creator") == "alice@localhost");
  CHECK(first.text("/items/0/peer") == "null");
  CHECK(first.text("/has_more") == "true");
  const auto msgs = walk(api, "/v1/rooms/" + kStandup + "/events?type=message_sent", 64, "data/n");
  REQUIRE(msgs.size() == 250);
  CHECK(msgs.front() == "1");
  CHECK(msgs.back() == "250");
  // 10:01:00 .. 10:01:02 (exclusive): messages 1-10
  Reply window = api.get("/v1/rooms/" + kStandup + "/events?since=2026-11-20T10:01:00Z&until=2026-11-20T10:01:02Z");
  CHECK(window.size("/items") == 10);
  CHECK(window.text("/has_more") == "false");
  CHECK(api.get("/v1/rooms/" + kRetro + "/events").size("/items") == 5);
}

TEST_CASE("pg: the event log filters by type, room (id or JID), actor and time across partitions") {
  Api api;
  CHECK(walk(api, "/v1/events", 100).size() == 261);
  CHECK(walk(api, "/v1/events?type=room_created,room_destroyed", 100).size() == 5);
  CHECK(walk(api, "/v1/events?room=standup@rooms.localhost", 100).size() == 256);  // both meetings of the JID
  CHECK(walk(api, "/v1/events?room=" + kOldStandup, 100).size() == 2);
  CHECK(walk(api, "/v1/events?actor=" + kAlice + "&type=message_sent", 100).size() == 125);
  CHECK(walk(api, "/v1/events?until=2026-11-01T00:00:00Z", 100).size() == 7);  // October partition
  CHECK(walk(api, "/v1/events?since=2026-11-01T00:00:00Z", 100).size() == 254);
  Reply oldest = api.get("/v1/events?limit=1");
  CHECK(oldest.text("/items/0/id") == "00000000-0000-7000-8000-000000000401");
  CHECK(oldest.text("/items/0/actor") == "null");
  Reply micro = api.get("/v1/events?type=message_sent&until=2026-11-01T00:00:00Z");
  CHECK(micro.text("/items/0/time") == "2026-10-15T09:05:00.123456Z");  // microseconds kept
  CHECK(micro.text("/items/0/data/payload") == "<body>it's \"quoted\" -- and; DROP TABLE events</body>");
  // Times reach PostgreSQL exact to the microsecond, at both ends of the accepted range.
  const std::string micro_type = "/v1/events?type=message_sent";
  CHECK(api.get(micro_type + "&since=2026-10-15T09:05:00.123456Z&until=2026-10-16T00:00:00Z").size("/items") == 1);
  CHECK(api.get(micro_type + "&since=2026-10-15T09:05:00.123457Z&until=2026-10-16T00:00:00Z").size("/items") == 0);
  CHECK(api.get(micro_type + "&since=2026-10-15T00:00:00Z&until=2026-10-15T09:05:00.123456Z").size("/items") == 0);
  CHECK(api.get(micro_type + "&since=2026-10-15T00:00:00Z&until=2026-10-15T09:05:00.123457Z").size("/items") == 1);
  CHECK(walk(api, "/v1/events?since=0001-01-01T00:00:00Z&until=9999-12-31T23:59:59.999999Z", 100).size() == 261);
  // A cursor resumes exactly after its row even when it came from another listing's page.
  Reply page = api.get("/v1/events?room=" + kStandup + "&limit=10");
  Reply next = api.get("/v1/events?room=" + kStandup + "&limit=1&cursor=" + page.text("/next_cursor"));
  CHECK(next.text("/items/0/seq") == "11");
  // Tail: the newest event, then nothing newer.
  Reply newest = api.get("/v1/events?order=desc&limit=1");
  CHECK(newest.text("/items/0/type") == "occupant_left");
  Reply after = api.get("/v1/events?cursor=" + newest.text("/prev_cursor"));
  CHECK(after.size("/items") == 0);
  CHECK(after.text("/has_more") == "false");
}

TEST_CASE("pg: SQL-injection strings in every filter change nothing and match nothing") {
  Api api;
  const std::int64_t events_before = count("events"), rooms_before = count("rooms"), users_before = count("users");
  const std::vector<std::string> injections = {
      "%27%20OR%20%271%27%3D%271",                     // ' OR '1'='1
      "x%27%3B%20DROP%20TABLE%20events%3B%20--",        // x'; DROP TABLE events; --
      "%27)%20UNION%20SELECT%20sessionid%20FROM%20users%20--",
      "standup%27%20--",
      "%24%241%24%24",                                  // $$1$$
  };
  for (const auto& inj : injections) {
    CAPTURE(inj);
    Reply named = api.get("/v1/rooms?name=" + inj);
    CHECK(named.status == 200);
    CHECK(named.text("/total") == "0");
    Reply jid = api.get("/v1/events?room=a" + inj + "@rooms.localhost");
    CHECK((jid.status == 400 || (jid.status == 200 && jid.size("/items") == 0)));
    for (const std::string& path : std::vector<std::string>{"/v1/rooms?active=", "/v1/rooms?since=", "/v1/rooms?until=", "/v1/rooms?page=", "/v1/rooms?per_page=",
          "/v1/events?type=", "/v1/events?actor=", "/v1/events?since=", "/v1/events?cursor=",
          "/v1/events?order=", "/v1/events?limit=", "/v1/rooms/" + kStandup + "/events?type=",
          "/v1/rooms/" + kStandup + "/users?active=", "/v1/users/" + kAlice + "/events?until="}) {
      CAPTURE(path);
      Reply r = api.get(path + inj);
      CHECK(r.status == 400);
      CHECK(r.text("/error/code") == "invalid_parameter");
    }
    // A room is named by id, JID or local part: a string that could be a local part ("$$1$$")
    // names no room (404); the rest are not names at all (400).
    for (const std::string& path : {"/v1/events?room=" + inj, "/v1/rooms/" + inj, "/v1/rooms/" + inj + "/events",
                                    "/v1/rooms/" + inj + "/messages"}) {
      CAPTURE(path);
      const int status = api.get(path).status;
      CHECK((status == 400 || status == 404));
    }
    CHECK(api.get("/v1/users/" + inj).status == 400);
  }
  CHECK(count("events") == events_before);
  CHECK(count("rooms") == rooms_before);
  CHECK(count("users") == users_before);
}

TEST_CASE("pg: metrics read live counts from the database, health reports it") {
  Api api;
  Reply m = api.srv.get("/metrics", Running::token(Role::analyst));
  CHECK(m.body.find("\nmucstream_rooms_active 1\n") != std::string::npos);
  CHECK(m.body.find("\nmucstream_occupant_sessions_active 1\n") != std::string::npos);
  CHECK(api.srv.get("/readyz").text("/checks/postgresql") == "ok");
}

TEST_CASE("pg: the read pool opens and warms its connections before the first request") {
  const std::string app = "mucstream-warm-test";
  pqxx::connection watcher(conninfo());
  auto backends = [&] {
    pqxx::read_transaction tx(watcher);
    return tx.exec_params("SELECT count(*), count(*) FILTER (WHERE query = 'COMMIT') FROM pg_stat_activity "
                          "WHERE application_name = $1",
                          app)[0];
  };
  mucstream::sql::PgReadStore store(conninfo() + " application_name=" + app, 3);
  Running srv(&store);
  store.warm_up();
  long long open = 0, warmed = 0;
  for (int i = 0; i < 100 && warmed < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const pqxx::row r = backends();
    open = r[0].as<long long>();
    warmed = r[1].as<long long>();
  }
  CHECK(open == 3);
  CHECK(warmed == 3);  // each ran the warm-up's reads to their end (a fresh one has run nothing)
  srv.start();
  Reply rooms = srv.get("/v1/rooms", Running::token(Role::analyst));
  CHECK(rooms.status == 200);
  CHECK(rooms.text("/total") == "3");
  CHECK(backends()[0].as<long long>() == 3);  // served by a warm connection, none opened
}

TEST_CASE("pg: an unreachable database gives 503 and an unready /readyz, then recovers nothing wrong") {
  mucstream::sql::PgReadStore store("host=127.0.0.1 port=1 user=postgres dbname=postgres connect_timeout=2", 2);
  store.warm_up();  // fails, and leaves requests to connect as before
  Running srv(&store);
  srv.start();
  Reply h = srv.get("/readyz");
  CHECK(h.status == 503);
  CHECK(h.text("/checks/postgresql") == "unavailable");
  Reply r = srv.get("/v1/rooms", Running::token(Role::analyst));
  CHECK(r.status == 503);
  CHECK(r.text("/error/code") == "unavailable");
  CHECK(r.body.find("port=1") == std::string::npos);  // connection details are not leaked
}

TEST_CASE("pg: PostgreSQL going away gives 503, when it is back the same server answers again") {
  const char* stop = std::getenv("MUCSTREAM_TEST_PG_STOP");
  const char* start = std::getenv("MUCSTREAM_TEST_PG_START");
  REQUIRE(stop != nullptr);
  REQUIRE(start != nullptr);
  Api api;
  REQUIRE(api.get("/v1/rooms").status == 200);  // pooled connections now exist
  REQUIRE(std::system(stop) == 0);
  Reply down = api.get("/v1/rooms");
  CHECK(down.status == 503);
  CHECK(down.text("/error/code") == "unavailable");
  CHECK(api.srv.get("/readyz").status == 503);
  CHECK(api.srv.get("/healthz").status == 200);  // alive: nothing a restart would fix
  REQUIRE(std::system(start) == 0);
  // The pooled connections broke with the server: they are replaced, not reused.
  Reply up = api.get("/v1/rooms");
  CHECK(up.status == 200);
  CHECK(up.text("/total") == "3");
  CHECK(api.srv.get("/readyz").status == 200);
}

TEST_CASE("pg: the summary of a period counts rooms, durations, peak occupancy, messages and sessions") {
  Api api;
  Reply nov = api.get("/v1/analytics/summary?since=2026-11-01T00:00:00Z&until=2026-12-01T00:00:00Z");
  REQUIRE(nov.status == 200);
  CHECK(nov.text("/since") == "2026-11-01T00:00:00.000Z");
  CHECK(nov.text("/rooms/created") == "1");
  CHECK(nov.text("/rooms/ended") == "0");
  CHECK(nov.text("/rooms/still_active") == "1");
  CHECK(nov.text("/rooms/duration_seconds/mean") == "null");
  CHECK(nov.text("/peak_concurrent_occupants") == "2");  // alice and bob 10:00:02-10:30
  CHECK(nov.text("/messages") == "250");
  CHECK(nov.text("/sessions/total") == "2");
  CHECK(nov.text("/sessions/by_type/browser") == "1");
  CHECK(nov.text("/sessions/by_type/mobile") == "1");
  CHECK(nov.text("/sessions/by_os/Android") == "1");
  CHECK(nov.text("/sessions/by_browser/Firefox") == "1");

  Reply oct = api.get("/v1/analytics/summary?since=2026-10-01T00:00:00Z&until=2026-11-01T00:00:00Z");
  REQUIRE(oct.status == 200);
  CHECK(oct.text("/rooms/created") == "2");
  CHECK(oct.text("/rooms/ended") == "2");
  CHECK(oct.json["rooms"]["duration_seconds"]["mean"].GetDouble() == doctest::Approx(3600));
  CHECK(oct.json["rooms"]["duration_seconds"]["p95"].GetDouble() == doctest::Approx(3600));
  CHECK(oct.text("/peak_concurrent_occupants") == "1");
  CHECK(oct.text("/messages") == "1");
  CHECK(oct.text("/sessions/distinct_users") == "1");

  // A window inside the call: bob left at 10:30, so from 10:30 on only alice is present.
  Reply late = api.get("/v1/analytics/summary?since=2026-11-20T10:30:00Z&until=2026-11-20T11:00:00Z");
  CHECK(late.text("/peak_concurrent_occupants") == "1");
  CHECK(late.text("/rooms/created") == "0");
  Reply empty = api.get("/v1/analytics/summary?since=2020-01-01T00:00:00Z&until=2020-01-08T00:00:00Z");
  CHECK(empty.text("/rooms/created") == "0");
  CHECK(empty.text("/peak_concurrent_occupants") == "0");
  CHECK(empty.text("/sessions/by_type") == "<other>");  // an empty object
  CHECK(api.get("/v1/analytics/summary?since=2026-11-01T00:00:00Z&until=2026-10-01T00:00:00Z").status == 400);
  CHECK(api.get("/v1/analytics/summary?since=%27%20OR%201%3D1").status == 400);
}

TEST_CASE("pg: events per day and type") {
  Api api;
  Reply r = api.get("/v1/analytics/events-per-day?since=2026-10-01T00:00:00Z&until=2026-12-01T00:00:00Z");
  REQUIRE(r.status == 200);
  // 2026-10-01: room_created + room_destroyed; 2026-10-15: created, joined, message, left, destroyed;
  // 2026-11-20: created, 2 joined, 250 messages, 1 left.
  REQUIRE(r.size("/items") == 2 + 5 + 4);
  CHECK(r.text("/items/0/day") == "2026-10-01");
  CHECK(r.text("/items/0/type") == "room_created");
  CHECK(r.text("/items/0/count") == "1");
  bool saw_messages = false;
  for (std::size_t i = 0; i < r.size("/items"); ++i) {
    const std::string p = "/items/" + std::to_string(i);
    if (r.text((p + "/day").c_str()) == "2026-11-20" && r.text((p + "/type").c_str()) == "message_sent") {
      CHECK(r.text((p + "/count").c_str()) == "250");
      saw_messages = true;
    }
  }
  CHECK(saw_messages);
  Reply joins = api.get("/v1/analytics/events-per-day?since=2026-10-01T00:00:00Z&until=2026-12-01T00:00:00Z"
                        "&type=occupant_joined&room=" + kStandup);
  REQUIRE(joins.size("/items") == 1);
  CHECK(joins.text("/items/0/count") == "2");
  CHECK(api.get("/v1/analytics/events-per-day?since=2024-01-01T00:00:00Z&until=2026-01-01T00:00:00Z").status == 400);
  CHECK(api.get("/v1/analytics/events-per-day?type=%27%3B--").status == 400);
}

TEST_CASE("pg: a session's span (migration 0006) covers open sessions and never fails an insert") {
  pqxx::connection c(conninfo());
  pqxx::work tx(c);  // rolled back at the end: the fixture stays as seeded
  auto one = [&](const std::string& sql) { return tx.exec(sql)[0][0].as<std::string>(); };
  CHECK(one("SELECT mucstream_session_span('2026-11-20 10:00Z', NULL) @> '2030-01-01'::timestamptz") == "t");
  CHECK(one("SELECT mucstream_session_span('2026-11-20 10:00Z', '2026-11-20 10:30Z') @> '2026-11-20 10:30Z'::timestamptz") == "t");
  // ended before created (bad data): an instant at created, and the row still goes in.
  CHECK(one("SELECT mucstream_session_span('2026-11-20 10:00Z', '2026-11-20 09:00Z') = "
            "tstzrange('2026-11-20 10:00Z', '2026-11-20 10:00Z', '[]')") == "t");
  tx.exec0("INSERT INTO users (sessionid, userid, room_id, nick, created, ended) VALUES "
           "('01900000-0000-7000-8000-00000000ffff', 'x@localhost', '01900000-0000-7000-8000-00000000fffe', 'x', "
           "'2026-11-20 10:00Z', '2026-11-20 09:00Z')");
  // The summary's overlap test finds exactly the sessions the plain comparison finds.
  CHECK(one("SELECT count(*) FILTER (WHERE created < '2026-11-20 11:00Z' AND (ended IS NULL OR ended > '2026-11-20 10:30Z'))"
            " = count(*) FILTER (WHERE mucstream_session_span(created, ended) && tstzrange('2026-11-20 10:30Z', "
            "'2026-11-20 11:00Z', '[)') AND (ended IS NULL OR ended > '2026-11-20 10:30Z')) FROM users") == "t");
}
