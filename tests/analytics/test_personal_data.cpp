// An analyst token without the content claim reads numbers, not people: no message bodies,
// real JIDs or user agents on any read route, as the database's analyst role. With the claim
// (or an admin or service token) the same routes answer whole.
#include <doctest/doctest.h>

#include "analytics/personal_data.hpp"
#include "http_support.hpp"
#include "memory_store.hpp"

using namespace mucstream::analytics;
using namespace mucstream::sql;
using namespace mucstream::analytics::testing;

namespace {
const std::string kRoom = "0190f3c2-8a40-7000-8000-000000000001";
const std::string kSession = "0190f3c2-8a4b-7000-8000-00000000000a";
constexpr UnixMicros kT0 = 1795316645000000;  // 2026-11-22T03:04:05Z

void seed(MemoryStore& s) {
  RoomRow r;
  r.id = kRoom;
  r.name = "standup";
  r.jid = "standup@rooms.localhost";
  r.created = kT0;
  r.creator = "alice@localhost";
  r.reports_json = R"({"participants":2,"participant_times":[{"userid":"alice@localhost","seconds":5}]})";
  r.report_summary_json = R"({"participants":2})";
  s.rooms_.push_back(r);

  UserRow u;
  u.sessionid = kSession;
  u.userid = "alice@localhost";
  u.room_id = kRoom;
  u.nick = "Alice";
  u.jid = "alice@localhost/laptop";
  u.useragent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0";
  u.browser = "firefox";
  u.created = kT0;
  s.users_.push_back(u);

  EventRow joined;
  joined.id = "0190f3c2-8a4c-7000-8000-000000000001";
  joined.type = "occupant_joined";
  joined.room = r.jid;
  joined.room_id = kRoom;
  joined.seq = 1;
  joined.actor = kSession;
  joined.time = kT0;
  joined.data_json = R"({"nick":"Alice","jid":"alice@localhost/laptop","bare_jid":"alice@localhost",)"
                     R"("client":{"type":"browser","useragent":"Mozilla/5.0 Firefox/128.0"}})";
  s.events_.push_back(joined);
  EventRow said = joined;
  said.id = "0190f3c2-8a4c-7000-8000-000000000002";
  said.type = "message_sent";
  said.seq = 2;
  said.time = kT0 + 1000000;
  said.data_json = R"({"nick":"Alice","payload":"<body>the launch slips to Friday</body>"})";
  s.events_.push_back(said);

  TimelineItem t;
  t.kind = "present";
  t.session = kSession;
  t.nick = "Alice";
  t.started = kT0;
  t.detail_json = R"({"userid":"alice@localhost","useragent":"Firefox/128.0","type":"browser"})";
  s.timeline_.push_back(t);

  MediaUsageRow m;
  m.session = kSession;
  m.room_id = kRoom;
  m.userid = "alice@localhost";
  m.nick = "Alice";
  m.joined = kT0;
  s.media_.items.push_back(m);
  s.media_.total = 1;
}

// Every read route whose answer could name a person or carry a body.
const std::vector<std::string> kPaths = {
    "/v1/rooms", "/v1/rooms?report=full", "/v1/rooms/" + kRoom, "/v1/rooms/" + kRoom + "/users",
    "/v1/rooms/" + kRoom + "/events", "/v1/users/" + kSession, "/v1/users/" + kSession + "/events",
    "/v1/events", "/v1/rooms/" + kRoom + "/timeline",
    "/v1/analytics/media?since=2026-11-22T00:00:00Z&until=2026-11-23T00:00:00Z"};
}  // namespace

TEST_CASE("personal data: an event's data loses bodies, JIDs and user agents, keeps the rest") {
  const std::string out = event_data_without_personal(
      R"({"nick":"A","payload":"<body>x</body>","jid":"a@h/r","bare_jid":"a@h","creator":"a@h","by":"b@h",)"
      R"("invitee":"c@h","inviter":"d@h","decliner":"e@h","useragent":"UA","client":{"os":"linux","useragent":"UA"},)"
      R"("reason":"bye"})");
  CHECK(out == R"({"nick":"A","client":{"os":"linux"},"reason":"bye"})");
  CHECK(event_data_without_personal("not json") == "{}");
  CHECK(event_data_without_personal("[1,2]") == "{}");
}

TEST_CASE("personal data: keys go at any depth, inside arrays too") {
  CHECK(without_keys_anywhere(R"({"a":[{"userid":"x","n":1},{"b":{"userid":"y"}}],"userid":"z"})", {"userid"}) ==
        R"({"a":[{"n":1},{"b":{}}]})");
  CHECK(without_keys_anywhere("{broken", {"userid"}) == "null");
}

TEST_CASE("personal data: a numbers-only analyst token reads no person on any read route, a content token does") {
  MemoryStore store;
  seed(store);
  Running srv(&store);
  srv.start();
  const char* personal[] = {"alice@localhost", "laptop", "Firefox", "launch slips"};
  for (const auto& path : kPaths) {
    CAPTURE(path);
    const Reply numbers = srv.get(path, Running::token(Role::analyst));
    REQUIRE(numbers.status == 200);
    for (const char* p : personal) {
      CAPTURE(p);
      CHECK(numbers.body.find(p) == std::string::npos);
    }
    const Reply content = srv.get(path, Running::content_token());
    REQUIRE(content.status == 200);
    bool names_someone = false;
    for (const char* p : personal) names_someone |= content.body.find(p) != std::string::npos;
    CHECK(names_someone);
    CHECK(srv.get(path, create_token(kSecret, Role::admin, 3600, unix_now(), "ops")).body == content.body);
  }
  // What stays: nicks, counts and types, so the numbers still add up.
  const Reply users = srv.get("/v1/rooms/" + kRoom + "/users", Running::token(Role::analyst));
  CHECK(users.text("/items/0/nick") == "Alice");
  CHECK(users.text("/items/0/browser") == "firefox");
  CHECK(users.json["items"][0]["userid"].IsNull());
  const Reply room = srv.get("/v1/rooms/" + kRoom, Running::token(Role::analyst));
  CHECK(room.json["creator"].IsNull());
  CHECK(room.json["reports"]["participants"].GetInt() == 2);
}

TEST_CASE("personal data: the content claim is an analyst token's alone") {
  CHECK_THROWS_AS(create_token(kSecret, Role::admin, 3600, unix_now(), {}, {}, true), std::invalid_argument);
  CHECK_THROWS_AS(create_token(kSecret, Role::service, 3600, unix_now(), {}, {}, true), std::invalid_argument);
  const auto c = verify_token(kSecret, Running::content_token(), unix_now());
  REQUIRE(c.claims);
  CHECK(c.claims->content);
  CHECK(may_read_content(*c.claims));
  const auto plain = verify_token(kSecret, Running::token(Role::analyst), unix_now());
  REQUIRE(plain.claims);
  CHECK_FALSE(may_read_content(*plain.claims));
}
