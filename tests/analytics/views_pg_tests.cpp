// The call and media analytics (migration 0004's views, GET /v1/rooms/{id}/timeline,
// /v1/analytics/p2p, /v1/analytics/media, /v1/analytics/rooms) against a real PostgreSQL 15
// migrated by `mucstreamd migrate` and seeded with fixtures/calls.sql, whose comments work
// out every figure checked here by hand. Run by with_postgres.sh (MUCSTREAM_TEST_PG).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <pqxx/pqxx>

#include <cstdlib>

#include "pg_support.hpp"

using namespace mucstream::analytics;
using namespace mucstream::analytics::testing;

namespace {
const std::string kCall = "00000000-0000-7000-8000-000000000010";
const std::string kEnded = "00000000-0000-7000-8000-000000000011";
const std::string kAlice = "00000000-0000-7000-8000-0000000000a2";
const std::string kBob = "00000000-0000-7000-8000-0000000000b2";
const std::string kCarol = "00000000-0000-7000-8000-0000000000c2";
const std::string kEve = "00000000-0000-7000-8000-0000000000e1";
const std::string kDay = "since=2026-11-21T00:00:00Z&until=2026-11-22T00:00:00Z";


double num(const Reply& r, const char* pointer) {
  const rapidjson::Value* v = rapidjson::Pointer(pointer).Get(r.json);
  REQUIRE_MESSAGE((v != nullptr && v->IsNumber()), pointer << " is not a number in " << r.body);
  return v->GetDouble();
}

std::string item(std::size_t i, const char* field) { return "/items/" + std::to_string(i) + "/" + field; }

std::int64_t count(const std::string& sql) {
  pqxx::connection c(conninfo());
  pqxx::work tx(c);
  return tx.exec(sql)[0][0].as<std::int64_t>();
}
}  // namespace

TEST_CASE("views: a room's timeline has presence, paused media, screen shares and P2P sessions in order") {
  Api api;
  Reply r = api.get("/v1/rooms/" + kCall + "/timeline");
  REQUIRE(r.status == 200);
  CHECK(r.text("/jid") == "call@rooms.localhost");
  CHECK(r.text("/truncated") == "false");
  // 3 presences, 2 audio pauses, 2 video pauses, 2 screen shares, 4 P2P sessions.
  REQUIRE(r.size("/items") == 13);
  const std::vector<std::pair<std::string, std::string>> order = {
      {"present", "alice"},      {"present", "bob"}, {"present", "carol"},      {"audio_paused", "alice"},
      {"p2p", "alice"},          {"p2p", "alice"},   {"screen_share", "carol"}, {"p2p", "bob"},
      {"audio_paused", "bob"},   {"video_paused", "alice"}, {"video_paused", "bob"}, {"p2p", "carol"},
      {"screen_share", "carol"}};
  for (std::size_t i = 0; i < order.size(); ++i) {
    CAPTURE(i);
    CHECK(r.text(item(i, "kind").c_str()) == order[i].first);
    CHECK(r.text(item(i, "nick").c_str()) == order[i].second);
  }
  // Presence with client info; alice is still there (open, ends now).
  CHECK(r.text("/items/0/session") == kAlice);
  CHECK(r.text("/items/0/end_source") == "open");
  CHECK(r.text("/items/0/detail/browser") == "Firefox");
  CHECK(r.text("/items/1/started") == "2026-11-21T09:01:00.000Z");
  CHECK(r.text("/items/1/ended") == "2026-11-21T09:20:00.000Z");
  CHECK(r.text("/items/1/end_source") == "event");
  CHECK(num(r, "/items/1/duration_seconds") == 1140);
  CHECK(r.text("/items/1/detail/type") == "mobile");
  CHECK(r.text("/items/1/detail/reason") == "left");
  // Paused audio with its resume.
  CHECK(r.text("/items/3/ended") == "2026-11-21T09:04:30.000Z");
  CHECK(num(r, "/items/3/duration_seconds") == 90);
  // P2P s1 alice -> bob, completed, with its quality.
  CHECK(r.text("/items/4/peer") == kBob);
  CHECK(r.text("/items/4/peer_nick") == "bob");
  CHECK(r.text("/items/4/detail/sid") == "s1");
  CHECK(r.text("/items/4/detail/outcome") == "completed");
  CHECK(r.text("/items/4/detail/samples") == "3");
  CHECK(num(r, "/items/4/detail/rtt_median_ms") == 50);
  CHECK(r.text("/items/4/detail/relayed") == "false");
  CHECK(r.text("/items/4/detail/media/1") == "video");
  CHECK(num(r, "/items/4/duration_seconds") == 600);
  CHECK(r.text("/items/5/detail/outcome") == "failed");
  CHECK(r.text("/items/5/detail/reason") == "failed-transport");
  CHECK(r.text("/items/5/detail/relayed") == "true");
  // The missing end events: s3 is closed by bob's leave, so is his video pause; carol's
  // second share by hers; alice's video pause is still open.
  CHECK(r.text("/items/7/detail/sid") == "s3");
  CHECK(r.text("/items/7/ended") == "2026-11-21T09:20:00.000Z");
  CHECK(r.text("/items/7/end_source") == "session_end");
  CHECK(r.text("/items/7/detail/outcome") == "interrupted");
  CHECK(num(r, "/items/7/duration_seconds") == 480);
  CHECK(r.text("/items/9/end_source") == "open");
  CHECK(num(r, "/items/9/duration_seconds") > 86400 * 0.5);
  CHECK(r.text("/items/10/end_source") == "session_end");
  CHECK(num(r, "/items/10/duration_seconds") == 120);
  CHECK(r.text("/items/12/end_source") == "session_end");
  CHECK(num(r, "/items/12/duration_seconds") == 240);
  // s4: terminated without ever being accepted.
  CHECK(r.text("/items/11/detail/accepted") == "false");
  CHECK(r.text("/items/11/detail/outcome") == "failed");
  CHECK(r.text("/items/11/peer_nick") == "alice");

  Reply calls = api.get("/v1/rooms/" + kCall + "/timeline?kind=p2p,screen_share&limit=3");
  REQUIRE(calls.status == 200);
  CHECK(calls.size("/items") == 3);
  CHECK(calls.text("/truncated") == "true");
  CHECK(calls.text("/items/2/kind") == "screen_share");
  // A destroyed room: everyone's intervals end with it.
  Reply ended = api.get("/v1/rooms/" + kEnded + "/timeline?kind=audio_paused,p2p");
  REQUIRE(ended.size("/items") == 2);
  CHECK(ended.text("/items/0/detail/outcome") == "interrupted");  // connectivity-error
  CHECK(ended.text("/items/1/nick") == "eve");
  CHECK(num(ended, "/items/1/duration_seconds") == 1800);
  CHECK(api.get("/v1/rooms/00000000-0000-7000-8000-0000000000ff/timeline").status == 404);
}

TEST_CASE("views: P2P quality of a period, of a room and of a window") {
  Api api;
  Reply d = api.get("/v1/analytics/p2p?" + kDay);
  REQUIRE(d.status == 200);
  CHECK(d.text("/room") == "null");
  CHECK(d.text("/sessions/total") == "5");
  CHECK(d.text("/sessions/completed") == "1");
  CHECK(d.text("/sessions/failed") == "2");
  CHECK(d.text("/sessions/interrupted") == "2");
  CHECK(d.text("/sessions/ongoing") == "0");
  CHECK(d.text("/sessions/with_stats") == "4");
  CHECK(d.text("/sessions/relayed") == "2");
  CHECK(num(d, "/sessions/relayed_share") == doctest::Approx(0.5));
  CHECK(num(d, "/duration_seconds/mean") == doctest::Approx(780));
  CHECK(num(d, "/duration_seconds/p95") == doctest::Approx(1620));
  CHECK(num(d, "/duration_seconds/total") == doctest::Approx(3120));
  CHECK(d.text("/samples") == "7");
  CHECK(num(d, "/rtt_ms/median") == doctest::Approx(60));
  CHECK(num(d, "/rtt_ms/p95") == doctest::Approx(170));
  CHECK(num(d, "/jitter_ms/mean") == doctest::Approx(12));
  CHECK(num(d, "/packet_loss/mean") == doctest::Approx(0.07));
  CHECK(num(d, "/packet_loss/p95") == doctest::Approx(0.24));

  // One room: s1-s4; rtt 40 60 50 200 100 80 (median 70); 2 of 3 with stats relayed.
  Reply room = api.get("/v1/analytics/p2p?" + kDay + "&room=" + kCall);
  REQUIRE(room.status == 200);
  CHECK(room.text("/room") == kCall);
  CHECK(room.text("/sessions/total") == "4");
  CHECK(room.text("/sessions/interrupted") == "1");
  CHECK(num(room, "/sessions/relayed_share") == doctest::Approx(2.0 / 3));
  CHECK(num(room, "/rtt_ms/median") == doctest::Approx(70));
  CHECK(num(room, "/duration_seconds/mean") == doctest::Approx(440));  // 600 240 480

  // 09:00-09:11: s1 and s2 started; samples at 09:06 09:07 09:08 09:09 (rtt 40 200 60 100).
  Reply window = api.get("/v1/analytics/p2p?since=2026-11-21T09:00:00Z&until=2026-11-21T09:11:00Z");
  CHECK(window.text("/sessions/total") == "2");
  CHECK(window.text("/samples") == "4");
  CHECK(num(window, "/rtt_ms/median") == doctest::Approx(80));

  Reply none = api.get("/v1/analytics/p2p?since=2026-11-01T00:00:00Z&until=2026-11-02T00:00:00Z");
  CHECK(none.text("/sessions/total") == "0");
  CHECK(none.text("/sessions/relayed_share") == "null");
  CHECK(none.text("/rtt_ms/median") == "null");
  CHECK(api.get("/v1/analytics/p2p?" + kDay + "&room=00000000-0000-7000-8000-0000000000ff").status == 404);
}

TEST_CASE("views: media usage per session, paged, with the period's totals") {
  Api api;
  Reply all = api.get("/v1/analytics/media?" + kDay);
  REQUIRE(all.status == 200);
  CHECK(all.text("/total") == "5");
  REQUIRE(all.size("/items") == 5);
  CHECK(all.text("/items/0/session") == kAlice);
  CHECK(num(all, "/items/0/audio_paused_seconds") == 90);
  CHECK(num(all, "/items/0/video_paused_seconds") > 86400 * 0.5);  // still paused: until now
  CHECK(all.text("/items/1/session") == kBob);
  CHECK(num(all, "/items/1/present_seconds") == 1140);
  CHECK(num(all, "/items/1/audio_paused_seconds") == 60);
  CHECK(num(all, "/items/1/video_paused_seconds") == 120);  // closed by his leave
  CHECK(all.text("/items/2/session") == kCarol);
  CHECK(num(all, "/items/2/screen_share_seconds") == 360);
  CHECK(all.text("/items/2/screen_shares") == "2");
  CHECK(all.text("/items/2/left") == "2026-11-21T09:30:00.000Z");
  CHECK(all.text("/items/4/session") == kEve);
  CHECK(num(all, "/items/4/audio_paused_seconds") == 1800);  // closed by the room's end
  CHECK(num(all, "/totals/audio_paused_seconds") == 90 + 60 + 1800);
  CHECK(num(all, "/totals/screen_share_seconds") == 360);
  CHECK(all.text("/totals/sessions_audio_paused") == "3");
  CHECK(all.text("/totals/sessions_video_paused") == "2");
  CHECK(all.text("/totals/sessions_sharing") == "1");

  Reply page = api.get("/v1/analytics/media?" + kDay + "&per_page=2&page=2");
  CHECK(page.text("/total") == "5");
  REQUIRE(page.size("/items") == 2);
  CHECK(page.text("/items/0/session") == kCarol);
  CHECK(num(page, "/totals/audio_paused_seconds") == 1950);  // totals cover every page

  Reply room = api.get("/v1/analytics/media?" + kDay + "&room=" + kEnded);
  CHECK(room.text("/total") == "2");
  CHECK(num(room, "/totals/present_seconds") == 3600 + 3300);
  CHECK(num(room, "/totals/audio_paused_seconds") == 1800);
}

TEST_CASE("views: rooms of a period with their calls") {
  Api api;
  Reply r = api.get("/v1/analytics/rooms?" + kDay);
  REQUIRE(r.status == 200);
  CHECK(r.text("/total") == "2");
  CHECK(r.text("/items/0/jid") == "call@rooms.localhost");
  CHECK(r.text("/items/0/sessions") == "3");
  CHECK(r.text("/items/0/participants") == "3");
  CHECK(r.text("/items/0/p2p_sessions") == "4");
  CHECK(r.text("/items/0/p2p_failed") == "2");
  CHECK(r.text("/items/0/p2p_interrupted") == "1");
  CHECK(num(r, "/items/0/call_seconds") == 1320);
  CHECK(r.text("/items/1/ended_reason") == "done");
  CHECK(num(r, "/items/1/duration_seconds") == 3600);
  CHECK(num(r, "/items/1/call_seconds") == 1800);
  Reply p2 = api.get("/v1/analytics/rooms?" + kDay + "&per_page=1&page=2");
  CHECK(p2.size("/items") == 1);
  CHECK(p2.text("/items/0/room_id") == kEnded);
  CHECK(api.get("/v1/analytics/rooms?since=2026-10-01T00:00:00Z&until=2026-11-01T00:00:00Z").text("/total") == "0");
}

TEST_CASE("views: malformed parameters are 400 naming them, SQL-injection strings change nothing") {
  Api api;
  struct Bad {
    std::string path, param;
  };
  const std::vector<Bad> bad = {
      {"/v1/rooms/not%20a%20room/timeline", "id"},  // neither an id, nor a JID, nor a local part
      {"/v1/rooms/" + kCall + "/timeline?kind=speaking", "kind"},
      {"/v1/rooms/" + kCall + "/timeline?limit=0", "limit"},
      {"/v1/rooms/" + kCall + "/timeline?limit=10001", "limit"},
      {"/v1/rooms/" + kCall + "/timeline?since=2026-11-21T00:00:00Z", "since"},
      {"/v1/analytics/p2p?since=yesterday", "since"},
      {"/v1/analytics/p2p?until=2026-13-01T00:00:00Z", "until"},
      {"/v1/analytics/p2p?since=2026-11-22T00:00:00Z&until=2026-11-21T00:00:00Z", "until"},
      {"/v1/analytics/p2p?since=2024-01-01T00:00:00Z&until=2026-01-01T00:00:00Z", "until"},
      {"/v1/analytics/p2p?room=no%20call", "room"},
      // (cpp-httplib folds a pair repeated with the same value into one, so the values differ)
      {"/v1/analytics/p2p?" + kDay + "&since=2026-11-20T00:00:00Z", "since"},
      {"/v1/analytics/media?per_page=1001", "per_page"},
      {"/v1/analytics/media?page=0", "page"},
      {"/v1/analytics/media?room=" + kCall + "%20x", "room"},
      {"/v1/analytics/media?roomid=" + kCall, "roomid"},
      {"/v1/analytics/rooms?room=" + kCall, "room"},
      {"/v1/analytics/rooms?page=-1", "page"},
  };
  for (const auto& b : bad) {
    CAPTURE(b.path);
    Reply r = api.get(b.path);
    CHECK(r.status == 400);
    CHECK(r.text("/error/code") == "invalid_parameter");
    CHECK(r.text("/error/parameter") == b.param);
  }
  const std::int64_t events = count("SELECT count(*) FROM events"), users = count("SELECT count(*) FROM users");
  const std::vector<std::string> injections = {
      "%27%20OR%20%271%27%3D%271", "x%27%3B%20DROP%20TABLE%20events%3B%20--",
      "%27)%20UNION%20SELECT%20sessionid%20FROM%20users%20--", "p2p%27%20--", "%24%241%24%24"};
  for (const auto& inj : injections) {
    CAPTURE(inj);
    for (const std::string& path : std::vector<std::string>{"/v1/rooms/" + kCall + "/timeline?kind=", "/v1/rooms/" + kCall + "/timeline?limit=",
          "/v1/analytics/p2p?since=", "/v1/analytics/media?until=",
          "/v1/analytics/media?page=", "/v1/analytics/rooms?per_page=",
          "/v1/analytics/rooms?since="}) {
      CAPTURE(path);
      CHECK(api.get(path + inj).status == 400);
    }
    // Room names (id, JID or local part): "$$1$$" could be a local part and names no room
    // (404); the rest are not names at all (400).
    for (const std::string& path : {"/v1/rooms/" + inj + "/timeline", "/v1/analytics/p2p?room=" + inj,
                                    "/v1/analytics/media?room=" + inj}) {
      CAPTURE(path);
      const int status = api.get(path).status;
      CHECK((status == 400 || status == 404));
    }
  }
  CHECK(count("SELECT count(*) FROM events") == events);
  CHECK(count("SELECT count(*) FROM users") == users);
}

TEST_CASE("views: every call resource needs an analyst or admin token") {
  Api api;
  const std::string expired = create_token(kSecret, Role::analyst, 60, unix_now() - 120);
  for (const std::string& path : std::vector<std::string>{"/v1/rooms/" + kCall + "/timeline", "/v1/analytics/p2p?" + kDay,
                                  "/v1/analytics/media?" + kDay, "/v1/analytics/rooms?" + kDay}) {
    CAPTURE(path);
    CHECK(api.srv.get(path).status == 401);
    CHECK(api.srv.get(path, "not-a-token").status == 401);
    CHECK(api.srv.get(path, expired).status == 401);
    CHECK(api.srv.get(path, create_token("another-secret", Role::analyst, 60, unix_now())).status == 401);
    CHECK(api.srv.get(path, Running::token(Role::analyst)).status == 200);
    CHECK(api.srv.get(path, Running::token(Role::admin)).status == 200);
  }
}

TEST_CASE("views: the analyst role reads the views and the function, and changes nothing") {
  pqxx::connection c(conninfo());
  pqxx::work tx(c);
  tx.exec0("CREATE ROLE views_reader LOGIN IN ROLE analyst");
  tx.exec0("SET ROLE views_reader");
  CHECK(tx.exec1("SELECT count(*) FROM room_timeline WHERE room_id = '" + kCall + "'")[0].as<int>() == 13);
  CHECK(tx.exec1("SELECT count(*) FROM p2p_sessions")[0].as<int>() == 5);
  CHECK(tx.exec1("SELECT count(*) FROM p2p_stats_samples WHERE relayed")[0].as<int>() == 2);
  CHECK(tx.exec1("SELECT sum(audio_paused_seconds)::int FROM media_usage WHERE room_id = '" + kEnded + "'")[0].as<int>() ==
        1800);
  CHECK(tx.exec1("SELECT call_seconds::int FROM room_calls WHERE room_id = '" + kCall + "'")[0].as<int>() == 1320);
  CHECK(tx.exec1("SELECT rtt_median_ms FROM p2p_quality('2026-11-21', '2026-11-22')")[0].as<double>() ==
        doctest::Approx(60));
  CHECK_THROWS_AS(tx.exec0("DELETE FROM events"), pqxx::insufficient_privilege);
}

TEST_CASE("views: a room's timeline reads the room's rows through indexes, not whole tables") {
  pqxx::connection c(conninfo());
  pqxx::work tx(c);
  tx.exec0("SET LOCAL enable_seqscan = off");  // tiny tables: make the planner show what it can use
  std::string plan;
  for (const auto& row : tx.exec("EXPLAIN SELECT * FROM room_timeline WHERE room_id = '" + kCall + "'"))
    plan += row[0].as<std::string>() + "\n";
  CAPTURE(plan);
  CHECK(plan.find("Seq Scan") == std::string::npos);
  CHECK(plan.find("users_room") != std::string::npos);
  CHECK(plan.find("room_id_type_actor_time") != std::string::npos);  // 0004's events_calls, per partition
  CHECK(plan.find("room_id_expr_time") != std::string::npos);        // 0004's events_p2p_sid
}
