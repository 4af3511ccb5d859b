// The call and media routes over an in-memory store: auth, parameter validation, defaults,
// what reaches the store, 404 and 503. The figures themselves are tested against
// PostgreSQL in views_pg_tests.cpp.
#include <doctest/doctest.h>

#include "http_support.hpp"
#include "memory_store.hpp"

using namespace mucstream::analytics;
using namespace mucstream::sql;
using namespace mucstream::analytics::testing;

namespace {
const std::string kRoom = "0190f3c2-8a40-7000-8000-000000000001";
constexpr UnixMicros kT0 = 1795316645000000;  // 2026-11-22T03:04:05Z

void seed(MemoryStore& s) {
  RoomRow r;
  r.id = kRoom;
  r.name = "call";
  r.jid = "call@rooms.localhost";
  r.created = kT0;
  s.rooms_.push_back(r);
  for (const char* kind : {"present", "present", "p2p"}) {
    TimelineItem t;
    t.kind = kind;
    t.session = "0190f3c2-8a4b-7000-8000-00000000000a";
    t.started = kT0;
    t.ended = kT0 + 1000000;
    t.end_source = "event";
    t.duration_seconds = 1;
    s.timeline_.push_back(t);
  }
}

const std::vector<std::string> kPaths = {"/v1/rooms/" + kRoom + "/timeline", "/v1/analytics/p2p",
                                         "/v1/analytics/media", "/v1/analytics/rooms"};
}  // namespace

TEST_CASE("calls http: every call resource needs a valid token and serves analysts and admins") {
  MemoryStore store;
  seed(store);
  Running srv(&store);
  srv.start();
  const std::string expired = create_token(kSecret, Role::analyst, 60, unix_now() - 120);
  for (const auto& path : kPaths) {
    CAPTURE(path);
    Reply none = srv.get(path);
    CHECK(none.status == 401);
    CHECK(none.header("WWW-Authenticate") == "Bearer");
    CHECK(srv.get(path, "garbage").status == 401);
    CHECK(srv.get(path, expired).status == 401);
    CHECK(srv.get(path, Running::token(Role::analyst)).status == 200);
    CHECK(srv.get(path, Running::token(Role::admin)).status == 200);
  }
}

TEST_CASE("calls http: periods default to the last 7 days, room ids reach the store lowercased") {
  MemoryStore store;
  seed(store);
  Running srv(&store);
  srv.start();
  const std::string tok = Running::token(Role::analyst);
  Reply d = srv.get("/v1/analytics/p2p", tok);
  REQUIRE(d.status == 200);
  REQUIRE(store.last_period_query.has_value());
  CHECK(store.last_period_query->until - store.last_period_query->since == 7LL * 86400 * 1000000);
  CHECK(store.last_period_query->until % (3600LL * 1000000) == 0);
  CHECK(d.text("/room") == "null");
  Reply from = srv.get("/v1/analytics/media?since=2026-11-22T00:00:00Z&per_page=7&page=3", tok);
  CHECK(from.text("/until") == "2026-11-29T00:00:00.000Z");
  CHECK(from.text("/per_page") == "7");
  CHECK(store.last_period_query->page == 3);
  CHECK(store.last_period_query->per_page == 7);
  Reply upper = srv.get("/v1/analytics/p2p?room=0190F3C2-8A40-7000-8000-000000000001", tok);
  CHECK(upper.status == 200);
  CHECK(upper.text("/room") == kRoom);
  CHECK(store.last_period_query->room_id == kRoom);
  Reply to = srv.get("/v1/analytics/rooms?until=2026-11-22T00:00:00Z", tok);
  CHECK(to.text("/since") == "2026-11-15T00:00:00.000Z");
}

TEST_CASE("calls http: the timeline filters kinds, caps items and says when it truncated") {
  MemoryStore store;
  seed(store);
  Running srv(&store);
  srv.start();
  const std::string tok = Running::token(Role::analyst);
  Reply all = srv.get("/v1/rooms/" + kRoom + "/timeline", tok);
  REQUIRE(all.status == 200);
  CHECK(all.text("/jid") == "call@rooms.localhost");
  CHECK(all.size("/items") == 3);
  CHECK(all.text("/truncated") == "false");
  CHECK(all.text("/items/0/started") == "2026-11-22T03:04:05.000Z");
  CHECK(all.text("/items/0/detail") == "<other>");  // an object
  Reply p2p = srv.get("/v1/rooms/" + kRoom + "/timeline?kind=p2p", tok);
  CHECK(p2p.size("/items") == 1);
  CHECK(store.last_timeline_query->kinds == std::vector<std::string>{"p2p"});
  Reply capped = srv.get("/v1/rooms/" + kRoom + "/timeline?limit=2", tok);
  CHECK(capped.size("/items") == 2);
  CHECK(capped.text("/truncated") == "true");
  Reply missing = srv.get("/v1/rooms/0190f3c2-8a40-7000-8000-0000000000ff/timeline", tok);
  CHECK(missing.status == 404);
  CHECK(missing.text("/error/code") == "not_found");
  CHECK(srv.get("/v1/analytics/media?room=0190f3c2-8a40-7000-8000-0000000000ff", tok).status == 404);
}

TEST_CASE("calls http: invalid parameters are 400 naming the parameter") {
  MemoryStore store;
  seed(store);
  Running srv(&store);
  srv.start();
  const std::string tok = Running::token(Role::analyst);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/v1/rooms/no%20pe/timeline", "id"},
      {"/v1/rooms/" + kRoom + "/timeline?kind=present,talking", "kind"},
      {"/v1/rooms/" + kRoom + "/timeline?kind=", "kind"},
      {"/v1/rooms/" + kRoom + "/timeline?limit=many", "limit"},
      {"/v1/rooms/" + kRoom + "/timeline?cursor=x", "cursor"},
      {"/v1/analytics/p2p?since=2026-11-22", "since"},
      {"/v1/analytics/p2p?since=2026-11-22T00:00:00Z&until=2026-11-22T00:00:00Z", "until"},
      {"/v1/analytics/p2p?since=2025-01-01T00:00:00Z&until=2026-11-22T00:00:00Z", "until"},
      {"/v1/analytics/p2p?room=" + kRoom + "&room=0190f3c2-8a40-7000-8000-000000000002", "room"},
      {"/v1/analytics/p2p?page=1", "page"},
      {"/v1/analytics/media?room=4%202", "room"},
      {"/v1/analytics/media?per_page=0", "per_page"},
      {"/v1/analytics/rooms?page=x", "page"},
      {"/v1/analytics/rooms?type=p2p", "type"},
  };
  for (const auto& [path, param] : cases) {
    CAPTURE(path);
    Reply r = srv.get(path, tok);
    CHECK(r.status == 400);
    CHECK(r.text("/error/code") == "invalid_parameter");
    CHECK(r.text("/error/parameter") == param);
  }
}

TEST_CASE("calls http: a database that is down gives 503") {
  MemoryStore store;
  seed(store);
  store.down = true;
  Running srv(&store);
  srv.start();
  for (const auto& path : kPaths) {
    CAPTURE(path);
    Reply r = srv.get(path, Running::token(Role::analyst));
    CHECK(r.status == 503);
    CHECK(r.text("/error/code") == "unavailable");
  }
}
