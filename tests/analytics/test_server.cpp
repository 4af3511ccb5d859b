// The HTTP server over an in-memory store: auth matrix, errors, parameters, CORS, health,
// metrics, paging and cursors. SQL itself is tested against PostgreSQL in pg_tests.
#include <doctest/doctest.h>

#include "http_support.hpp"
#include "memory_store.hpp"

using namespace mucstream::analytics;
using namespace mucstream::sql;
using namespace mucstream::analytics::testing;

namespace {
const std::string kRoom = "0190f3c2-8a40-7000-8000-000000000001";
const std::string kRoom2 = "0190f3c2-8a40-7000-8000-000000000002";
const std::string kAlice = "0190f3c2-8a4b-7000-8000-00000000000a";
const std::string kBob = "0190f3c2-8a4b-7000-8000-00000000000b";
constexpr UnixMicros kT0 = 1795316645000000;  // 2026-11-22T03:04:05Z

void seed(MemoryStore& s) {
  RoomRow r;
  r.id = kRoom;
  r.name = "standup";
  r.jid = "standup@rooms.localhost";
  r.created = kT0;
  r.config_json = R"({"name":"Standup"})";
  s.rooms_.push_back(r);
  r.id = kRoom2;
  r.name = "retro";
  r.jid = "retro@rooms.localhost";
  r.created = kT0 + 1000000;
  r.ended = kT0 + 9000000;
  s.rooms_.push_back(r);
  for (const auto& [sid, nick] : {std::pair{kAlice, "alice"}, std::pair{kBob, "bob"}}) {
    UserRow u;
    u.sessionid = sid;
    u.userid = std::string(nick) + "@localhost";
    u.room_id = kRoom;
    u.nick = nick;
    u.created = kT0;
    s.users_.push_back(u);
  }
  for (int i = 0; i < 5; ++i) {
    EventRow e;
    e.id = "0190f3c2-8a4b-7000-8000-00000000010" + std::to_string(i);
    e.type = i == 0 ? "room_created" : i < 3 ? "occupant_joined" : "message_sent";
    e.room = "standup@rooms.localhost";
    e.room_id = kRoom;
    e.seq = i + 1;
    e.actor = i == 0 ? std::optional<std::string>() : (i % 2 ? kAlice : kBob);
    e.time = kT0 + i * 1000;
    e.data_json = R"({"i":)" + std::to_string(i) + "}";
    s.events_.push_back(e);
  }
}

const std::vector<std::string> kReadPaths = {
    "/v1/rooms", "/v1/rooms/" + kRoom, "/v1/rooms/" + kRoom + "/events", "/v1/rooms/" + kRoom + "/users",
    "/v1/users/" + kAlice, "/v1/users/" + kAlice + "/events", "/v1/events"};
}  // namespace

TEST_CASE("http: health needs no token, metrics an analyst token, keep-alive is on") {
  MemoryStore store;
  seed(store);
  Running srv(&store);
  srv.start();
  Reply h = srv.get("/healthz");
  CHECK(h.status == 200);
  CHECK(h.text("/status") == "ok");
  Reply ready = srv.get("/readyz");
  CHECK(ready.status == 200);
  CHECK(ready.text("/status") == "ready");
  CHECK(ready.text("/checks/postgresql") == "ok");
  CHECK(h.header("Content-Type") == "application/json");
  CHECK(h.header("Keep-Alive").find("max=") != std::string::npos);
  srv.get("/v1/rooms", Running::token(Role::analyst));
  srv.get("/v1/rooms");
  Reply m = srv.get("/metrics", Running::token(Role::analyst));
  CHECK(m.status == 200);
  CHECK(m.header("Content-Type").rfind("text/plain; version=0.0.4", 0) == 0);
  CHECK(m.body.find("mucstream_rooms_active 1\n") != std::string::npos);
  CHECK(m.body.find("mucstream_occupant_sessions_active 2\n") != std::string::npos);
  CHECK(m.body.find("mucstream_http_requests_total{route=\"/v1/rooms\",method=\"GET\",status=\"200\"} 1\n") !=
        std::string::npos);
  CHECK(m.body.find("mucstream_http_requests_total{route=\"/v1/rooms\",method=\"GET\",status=\"401\"} 1\n") !=
        std::string::npos);
  CHECK(m.body.find("mucstream_http_request_duration_seconds_count{route=\"/v1/rooms\"} 2\n") != std::string::npos);
}

TEST_CASE("http: /metrics takes a token unless configured open: analyst, admin or the metrics token") {
  MemoryStore store;
  ServerConfig cfg;
  cfg.metrics_token = "scrape-0123456789";
  Running srv(&store, cfg);
  srv.start();
  Reply none = srv.get("/metrics");
  CHECK(none.status == 401);
  CHECK(none.text("/error/code") == "unauthorized");
  CHECK(none.text("/error/message").find("metrics.open") != std::string::npos);
  CHECK(srv.get("/metrics", "scrape-0123456789x").status == 401);
  CHECK(srv.get("/metrics", "scrape-0123456789").status == 200);
  CHECK(srv.get("/metrics", Running::token(Role::admin)).status == 200);
  CHECK(srv.get("/metrics", create_client_token(kSecret, "s1", "r1", 3600, unix_now())).status == 403);
  CHECK(srv.get("/healthz").status == 200);

  ServerConfig open;
  open.metrics_open = true;
  Running anyone(&store, open);
  anyone.start();
  CHECK(anyone.get("/metrics").status == 200);
}

TEST_CASE("http: database down gives 503 JSON and /readyz names it, /healthz stays alive") {
  MemoryStore store;
  store.down = true;
  Running srv(&store);
  srv.start();
  CHECK(srv.get("/healthz").status == 200);
  Reply ready = srv.get("/readyz");
  CHECK(ready.status == 503);
  CHECK(ready.text("/status") == "not ready");
  CHECK(ready.text("/not_ready/0") == "postgresql");
  CHECK(ready.text("/checks/postgresql") == "unavailable");
  Reply r = srv.get("/v1/rooms", Running::token(Role::analyst));
  CHECK(r.status == 503);
  CHECK(r.text("/error/code") == "unavailable");
  Reply m = srv.get("/metrics", Running::token(Role::analyst));
  CHECK(m.status == 200);  // metrics still answer; the series that needs the database is left out
  CHECK(m.body.find("\nmucstream_rooms_active ") == std::string::npos);
}

TEST_CASE("http: every read resource needs a valid token (401) and serves analysts and admins") {
  MemoryStore store;
  seed(store);
  Running srv(&store);
  srv.start();
  const std::string expired = create_token(kSecret, Role::analyst, 60, unix_now() - 120);
  const std::string other_secret = create_token("some-other-secret", Role::admin, 3600, unix_now());
  const std::string alg_none = base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
                               base64url_encode(R"({"role":"admin","exp":9999999999})") + ".";
  for (const auto& path : kReadPaths) {
    CAPTURE(path);
    Reply none = srv.get(path);
    CHECK(none.status == 401);
    CHECK(none.text("/error/code") == "unauthorized");
    CHECK(none.header("WWW-Authenticate") == "Bearer");
    CHECK(srv.get(path, "garbage").status == 401);
    Reply exp = srv.get(path, expired);
    CHECK(exp.status == 401);
    CHECK(exp.text("/error/message") == "token expired");
    CHECK(srv.get(path, other_secret).status == 401);
    CHECK(srv.get(path, alg_none).status == 401);
    CHECK(srv.get(path, Running::token(Role::analyst)).status == 200);
    CHECK(srv.get(path, Running::token(Role::admin)).status == 200);
  }
}

TEST_CASE("http: an admin route refuses analysts with 403") {
  MemoryStore store;
  Running srv(&store);
  srv.server->route("POST", "/v1/rooms/{id}/lock", Access::admin,
                    [](HttpRequest& req, HttpResponse& res) { res.body = "{\"locked\":\"" + req.path_params[0] + "\"}"; });
  srv.start();
  CHECK(srv.post("/v1/rooms/x/lock", "").status == 401);
  Reply analyst = srv.post("/v1/rooms/x/lock", Running::token(Role::analyst));
  CHECK(analyst.status == 403);
  CHECK(analyst.text("/error/code") == "forbidden");
  Reply admin = srv.post("/v1/rooms/x/lock", Running::token(Role::admin));
  CHECK(admin.status == 200);
  CHECK(admin.text("/locked") == "x");
}

TEST_CASE("http: unknown paths are 404 and wrong methods 405, as JSON") {
  MemoryStore store;
  Running srv(&store);
  srv.start();
  Reply nf = srv.get("/v1/nothing");
  CHECK(nf.status == 404);
  CHECK(nf.text("/error/code") == "not_found");
  Reply room = srv.get("/v1/rooms/" + kRoom, Running::token(Role::analyst));
  CHECK(room.status == 404);
  CHECK(room.text("/error/message") == "no room with id " + kRoom);
  CHECK(srv.get("/v1/users/" + kAlice, Running::token(Role::analyst)).status == 404);
  CHECK(srv.get("/v1/rooms/" + kRoom + "/events", Running::token(Role::analyst)).status == 404);
  CHECK(srv.post("/v1/rooms/" + kRoom, Running::token(Role::analyst)).status == 405);
  CHECK(srv.get("/v1/rooms/" + kRoom + "/", Running::token(Role::analyst)).status == 404);
  Reply m = srv.post("/v1/rooms", Running::token(Role::analyst));
  CHECK(m.status == 405);
  CHECK(m.text("/error/code") == "method_not_allowed");
}

TEST_CASE("http: invalid parameters are 400 naming the parameter, on every resource") {
  MemoryStore store;
  seed(store);
  Running srv(&store);
  srv.start();
  const std::string tok = Running::token(Role::analyst);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/v1/rooms?active=maybe", "active"},
      {"/v1/rooms?page=0", "page"},
      {"/v1/rooms?per_page=100000", "per_page"},
      {"/v1/rooms?since=yesterday", "since"},
      {"/v1/rooms?since=2026-11-22T00:00:00Z&until=2026-11-21T00:00:00Z", "until"},
      {"/v1/rooms?name=", "name"},
      {"/v1/rooms?limit=5", "limit"},  // rooms page with page/per_page
      {"/v1/rooms/not%20a%20room", "id"},  // neither an id, nor a JID, nor a local part
      {"/v1/rooms/a%3Cb/events", "id"},
      {"/v1/rooms/" + kRoom + "/events?type=bogus", "type"},
      {"/v1/rooms/" + kRoom + "/events?limit=-1", "limit"},
      {"/v1/rooms/" + kRoom + "/users?per_page=x", "per_page"},
      {"/v1/users/123", "sessionid"},
      {"/v1/users/" + kAlice + "/events?cursor=abc", "cursor"},
      {"/v1/events?order=up", "order"},
      {"/v1/events?actor=alice", "actor"},
      {"/v1/events?room=no%20such%20room", "room"},
      {"/v1/events?until=2026-13-01T00:00:00Z", "until"},
      {"/v1/events?limit=1&limit=2", "limit"},
      {"/v1/events?colour=blue", "colour"},
  };
  for (const auto& [path, param] : cases) {
    CAPTURE(path);
    Reply r = srv.get(path, tok);
    CHECK(r.status == 400);
    CHECK(r.text("/error/code") == "invalid_parameter");
    CHECK(r.text("/error/parameter") == param);
    CHECK(r.text("/error/message").find("'" + param + "'") != std::string::npos);
  }
}

TEST_CASE("http: SQL-injection strings are refused or taken literally in every filter") {
  MemoryStore store;
  seed(store);
  Running srv(&store);
  srv.start();
  const std::string tok = Running::token(Role::analyst);
  const std::vector<std::string> injections = {"%27%20OR%20%271%27%3D%271", "1%3B%20DROP%20TABLE%20events%3B%20--",
                                               "x%27%20UNION%20SELECT%20*%20FROM%20users%20--"};
  for (const auto& inj : injections) {
    CAPTURE(inj);
    for (const char* p : {"active", "since", "until", "page", "per_page"})
      CHECK(srv.get("/v1/rooms?" + std::string(p) + "=" + inj, tok).status == 400);
    for (const char* p : {"type", "actor", "since", "until", "cursor", "limit", "order", "room"})
      CHECK(srv.get("/v1/events?" + std::string(p) + "=" + inj, tok).status == 400);
    CHECK(srv.get("/v1/rooms/" + inj, tok).status == 400);
    CHECK(srv.get("/v1/users/" + inj + "/events", tok).status == 400);
    // A name is free text: it matches nothing, and the store saw it only as a value.
    Reply byname = srv.get("/v1/rooms?name=" + inj, tok);
    CHECK(byname.status == 200);
    CHECK(byname.text("/total") == "0");
  }
}

TEST_CASE("http: rooms list filters and pages with totals") {
  MemoryStore store;
  seed(store);
  Running srv(&store);
  srv.start();
  const std::string tok = Running::token(Role::analyst);
  Reply all = srv.get("/v1/rooms", tok);
  CHECK(all.text("/total") == "2");
  CHECK(all.text("/items/0/name") == "retro");  // newest first
  CHECK(all.text("/items/0/active") == "false");
  CHECK(all.text("/items/1/config/name") == "Standup");
  CHECK(all.text("/items/1/created") == "2026-11-22T03:04:05.000Z");
  CHECK(srv.get("/v1/rooms?active=true", tok).text("/items/0/name") == "standup");
  CHECK(srv.get("/v1/rooms?name=retro", tok).text("/total") == "1");
  CHECK(srv.get("/v1/rooms?since=2026-11-22T03:04:06Z", tok).text("/items/0/name") == "retro");
  Reply p2 = srv.get("/v1/rooms?page=2&per_page=1", tok);
  CHECK(p2.text("/total") == "2");
  CHECK(p2.size("/items") == 1);
  CHECK(p2.text("/items/0/name") == "standup");
  CHECK(p2.text("/page") == "2");
  CHECK(srv.get("/v1/rooms/" + kRoom + "/users", tok).size("/items") == 2);
}

TEST_CASE("http: event cursors walk every event once, both ways, and support tailing") {
  MemoryStore store;
  seed(store);
  Running srv(&store);
  srv.start();
  const std::string tok = Running::token(Role::analyst);
  std::vector<std::string> seen;
  std::string cursor;
  for (int guard = 0; guard < 10; ++guard) {
    Reply r = srv.get("/v1/events?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor), tok);
    REQUIRE(r.status == 200);
    for (std::size_t i = 0; i < r.size("/items"); ++i)
      seen.push_back(r.text(("/items/" + std::to_string(i) + "/seq").c_str()));
    if (r.text("/has_more") != "true") break;
    cursor = r.text("/next_cursor");
  }
  CHECK(seen == std::vector<std::string>{"1", "2", "3", "4", "5"});
  Reply newest = srv.get("/v1/events?order=desc&limit=2", tok);
  CHECK(newest.text("/items/0/seq") == "5");
  CHECK(newest.text("/items/1/seq") == "4");
  // Tail: from the newest event seen, ascending, nothing yet; a new event then appears.
  const std::string head = newest.text("/prev_cursor");
  Reply idle = srv.get("/v1/events?cursor=" + head, tok);
  CHECK(idle.size("/items") == 0);
  CHECK(idle.text("/next_cursor") == "null");
  EventRow e = store.events_.back();
  e.id = "0190f3c2-8a4b-7000-8000-000000000199";
  e.seq = 6;
  e.time += 1000;
  store.events_.push_back(e);
  Reply fresh = srv.get("/v1/events?cursor=" + head, tok);
  CHECK(fresh.size("/items") == 1);
  CHECK(fresh.text("/items/0/seq") == "6");
  CHECK(fresh.text("/items/0/data/i") == "4");
}

TEST_CASE("http: event filters reach the store typed") {
  MemoryStore store;
  seed(store);
  Running srv(&store);
  srv.start();
  const std::string tok = Running::token(Role::analyst);
  Reply r = srv.get("/v1/events?type=message_sent,occupant_joined&room=standup@rooms.localhost&actor=" + kAlice +
                        "&since=2026-11-22T03:04:05Z&until=2026-11-22T05:00:00%2B01:00",
                    tok);
  INFO(r.body);
  REQUIRE(r.status == 200);
  REQUIRE(store.last_event_query.has_value());
  const EventQuery& q = *store.last_event_query;
  CHECK(q.types == std::vector<std::string>{"message_sent", "occupant_joined"});
  CHECK(q.room_jid == "standup@rooms.localhost");
  CHECK(q.actor == kAlice);
  CHECK(q.time.since == kT0);
  CHECK(q.time.until == kT0 + 3355000000);
  CHECK(r.size("/items") == 2);  // alice's joined (seq 2) and message (seq 4)
  srv.get("/v1/events?room=" + kRoom, tok);
  CHECK(store.last_event_query->room_id == kRoom);
  Reply by_user = srv.get("/v1/users/" + kBob + "/events?type=message_sent", tok);
  CHECK(by_user.size("/items") == 1);
  CHECK(by_user.text("/items/0/actor") == kBob);
}

TEST_CASE("http: CORS answers allowed origins only, preflight included") {
  MemoryStore store;
  seed(store);
  ServerConfig cfg;
  cfg.cors_origins = {"https://dash.example.org"};
  Running srv(&store, cfg);
  srv.start();
  Reply ok = srv.get("/healthz", "", {{"Origin", "https://dash.example.org"}});
  CHECK(ok.header("Access-Control-Allow-Origin") == "https://dash.example.org");
  CHECK(ok.header("Vary") == "Origin");
  Reply other = srv.get("/healthz", "", {{"Origin", "https://evil.example"}});
  CHECK(other.header("Access-Control-Allow-Origin").empty());
  Reply pre = srv.options("/v1/rooms", {{"Origin", "https://dash.example.org"}, {"Access-Control-Request-Method", "GET"},
                                        {"Access-Control-Request-Headers", "authorization"}});
  CHECK(pre.status == 204);
  CHECK(pre.header("Access-Control-Allow-Headers").find("Authorization") != std::string::npos);
  CHECK(srv.options("/v1/rooms", {{"Origin", "https://evil.example"}}).status == 403);
  // A 401 still carries CORS headers so the browser can show the error.
  Reply unauth = srv.get("/v1/rooms", "", {{"Origin", "https://dash.example.org"}});
  CHECK(unauth.status == 401);
  CHECK(unauth.header("Access-Control-Allow-Origin") == "https://dash.example.org");

  ServerConfig any;
  any.cors_origins = {"*"};
  Running star(&store, any);
  star.start();
  CHECK(star.get("/healthz", "", {{"Origin", "https://x.example"}}).header("Access-Control-Allow-Origin") == "*");
}

TEST_CASE("http: the server refuses to start without a JWT secret, and listen addresses parse") {
  metrics::Registry reg;
  ServerConfig cfg;
  cfg.port = 0;
  cfg.jwt_secret = "";
  HttpServer s(cfg, reg);
  CHECK_THROWS_WITH(s.start(), "no JWT secret: set --jwt-secret or MUCSTREAM_JWT_SECRET");
  CHECK(parse_listen("0.0.0.0:8080") == std::pair<std::string, int>{"0.0.0.0", 8080});
  CHECK(parse_listen(":9000") == std::pair<std::string, int>{"127.0.0.1", 9000});
  CHECK(parse_listen("[::1]:80") == std::pair<std::string, int>{"::1", 80});
  CHECK_THROWS(parse_listen("localhost"));
  CHECK_THROWS(parse_listen("localhost:http"));
  CHECK_THROWS(parse_listen("localhost:70000"));
  CHECK(split_list(" a, b ,,c") == std::vector<std::string>{"a", "b", "c"});
  CHECK(split_list("").empty());
}

TEST_CASE("http: the summary defaults to the last 7 days, or 7 days from since") {
  MemoryStore store;
  seed(store);
  Running srv(&store);
  srv.start();
  const std::string tok = Running::token(Role::analyst);
  Reply d = srv.get("/v1/analytics/summary", tok);
  REQUIRE(d.status == 200);
  const auto since = parse_rfc3339(d.text("/since")), until = parse_rfc3339(d.text("/until"));
  REQUIRE(since.has_value());
  REQUIRE(until.has_value());
  CHECK(*until - *since == 7LL * 86400 * 1000000);
  CHECK(*until % (3600LL * 1000000) == 0);  // whole hours, up to the end of the current one
  CHECK(*until >= (unix_now() - 60) * 1000000);  // reaches now (a minute of slack for a slow run)
  Reply from = srv.get("/v1/analytics/summary?since=2026-11-22T00:00:00Z", tok);
  CHECK(from.text("/until") == "2026-11-29T00:00:00.000Z");
  CHECK(from.text("/rooms/created") == "2");
  CHECK(from.text("/messages") == "2");
  CHECK(srv.get("/v1/analytics/summary?since=2026-11-22T00:00:00Z&until=2026-11-22T00:00:00Z", tok).status == 400);
  CHECK(srv.get("/v1/analytics/summary").status == 401);
}
