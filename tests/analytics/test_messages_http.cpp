// GET /v1/rooms/{room}/messages, GET /v1/users/{jid}/rooms, user and service tokens, and the
// room naming rule on the read routes, over the in-memory store.
#include <doctest/doctest.h>

#include <cstdio>

#include "http_support.hpp"
#include "memory_store.hpp"

using namespace mucstream;
using namespace mucstream::analytics;
using namespace mucstream::analytics::testing;

namespace {

constexpr const char* kLive = "00000000-0000-7000-8000-000000000001";   // standup, live
constexpr const char* kRetro = "00000000-0000-7000-8000-000000000002";  // retro, ended
constexpr const char* kOld = "00000000-0000-7000-8000-000000000003";    // standup, an earlier lifetime
constexpr std::int64_t kT0 = 1795316645000;                               // ms

std::string message_id(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "00000000-0000-7000-9000-%012x", n);
  return buf;
}

sql::RoomRow room(const char* id, const char* name, std::int64_t created_ms, bool ended) {
  sql::RoomRow r;
  r.id = id;
  r.name = name;
  r.jid = std::string(name) + "@rooms.localhost";
  r.created = created_ms * 1000;
  if (ended) r.ended = created_ms * 1000 + 3600'000'000LL;
  return r;
}

sql::UserRow session(const char* sid, const char* userid, const char* room_id, std::int64_t created_ms) {
  sql::UserRow u;
  u.sessionid = sid;
  u.userid = userid;
  u.room_id = room_id;
  u.nick = std::string(userid).substr(0, std::string(userid).find('@'));
  u.created = created_ms * 1000;
  return u;
}

// The live standup holds messages 1..120 (alice odd, bob even); 7 was corrected, 9 retracted
// by a moderator. retro holds one message.
void seed(MemoryStore& s) {
  s.rooms_ = {room(kLive, "standup", kT0, false), room(kRetro, "retro", kT0 - 86400'000, true),
              room(kOld, "standup", kT0 - 2 * 86400'000, true)};
  s.users_ = {session("00000000-0000-7000-8000-0000000000a1", "alice@localhost", kLive, kT0 + 1000),
              session("00000000-0000-7000-8000-0000000000b1", "bob@localhost", kLive, kT0 + 2000),
              session("00000000-0000-7000-8000-0000000000c1", "carol@localhost", kRetro, kT0 - 86400'000 + 1000),
              session("00000000-0000-7000-8000-0000000000a3", "alice@localhost", kOld, kT0 - 2 * 86400'000 + 1000)};
  s.members_[kLive] = {"dave@localhost"};
  for (int n = 1; n <= 120; ++n) {
    core::ArchivedMessage m;
    m.stanza_id = message_id(n);
    m.time_ms = kT0 + 10'000 + n * 1000;
    m.nick = n % 2 ? "alice" : "bob";
    m.occupant_id = n % 2 ? "occ-a" : "occ-b";
    m.jid = n % 2 ? "alice@localhost/web" : "bob@localhost/phone";
    m.payload = "<body>message " + std::to_string(n) + "</body>";
    if (n == 7) {
      m.payload = "<body>message 7, corrected</body>";
      m.edited_ms = m.time_ms + 500;
      m.edited_by_id = message_id(1007);
    }
    if (n == 9) {
      m.payload.clear();
      m.retracted_ms = m.time_ms + 700;
      m.moderated = true;
      m.retracted_by = "alice";
      m.retract_reason = "spam";
    }
    s.archive_[kLive].push_back(m);
  }
  core::ArchivedMessage r;
  r.stanza_id = message_id(500);
  r.time_ms = kT0 - 86400'000 + 5000;
  r.nick = "carol";
  r.payload = "<body>retro notes</body>";
  s.archive_[kRetro].push_back(r);
}

struct Api {
  MemoryStore store;
  Running srv{&store};
  Api() {
    seed(store);
    srv.start();
  }
  static std::string user(const char* jid) { return create_token(kSecret, Role::user, 3600, unix_now(), jid); }
  static std::string service() { return create_token(kSecret, Role::service, 3600, unix_now(), "backend"); }
  Reply get(const std::string& path, const std::string& token = Running::content_token()) { return srv.get(path, token); }
};

std::vector<std::string> ids(const Reply& r) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < r.size("/items"); ++i) out.push_back(r.text(("/items/" + std::to_string(i) + "/id").c_str()));
  return out;
}

}  // namespace

TEST_CASE("messages: newest first, paged towards older messages with the cursor") {
  Api api;
  Reply first = api.get("/v1/rooms/standup/messages?limit=50");
  REQUIRE(first.status == 200);
  CHECK(first.text("/room_id") == kLive);
  CHECK(first.text("/room") == "standup@rooms.localhost");
  CHECK(first.text("/live") == "true");
  CHECK(first.text("/order") == "newest_first");
  REQUIRE(first.size("/items") == 50);
  CHECK(first.text("/items/0/id") == message_id(120));
  CHECK(first.text("/items/0/body") == "message 120");
  CHECK(first.text("/items/49/id") == message_id(71));
  CHECK(first.text("/has_more") == "true");
  std::vector<std::string> seen = ids(first);
  std::string cursor = first.text("/next_cursor");
  int pages = 1;
  while (true) {
    Reply next = api.get("/v1/rooms/standup/messages?limit=50&cursor=" + cursor);
    REQUIRE(next.status == 200);
    ++pages;
    for (const auto& id : ids(next)) seen.push_back(id);
    if (next.text("/has_more") == "false") break;
    cursor = next.text("/next_cursor");
  }
  CHECK(pages == 3);
  REQUIRE(seen.size() == 120);
  for (int i = 0; i < 120; ++i) CHECK(seen[static_cast<std::size_t>(i)] == message_id(120 - i));
  // before=<id>: the page older than a message.
  Reply before = api.get("/v1/rooms/standup/messages?limit=3&before=" + message_id(5));
  CHECK(ids(before) == std::vector<std::string>{message_id(4), message_id(3), message_id(2)});
  CHECK(before.text("/has_more") == "true");
}

TEST_CASE("messages: after=<id> polls what is new, oldest first, and says when it is caught up") {
  Api api;
  Reply r = api.get("/v1/rooms/standup/messages?after=" + message_id(115));
  REQUIRE(r.status == 200);
  CHECK(r.text("/order") == "oldest_first");
  CHECK(ids(r) == std::vector<std::string>{message_id(116), message_id(117), message_id(118), message_id(119), message_id(120)});
  CHECK(r.text("/has_more") == "false");
  // Nothing new yet: an empty page, and polling again from the same id works.
  Reply none = api.get("/v1/rooms/standup/messages?after=" + message_id(120));
  CHECK(none.status == 200);
  CHECK(none.size("/items") == 0);
  CHECK(none.text("/next_cursor") == "null");
  // A new message arrives: the next poll returns exactly it.
  core::ArchivedMessage m;
  m.stanza_id = message_id(121);
  m.time_ms = kT0 + 200'000;
  m.nick = "bob";
  m.payload = "<body>new</body>";
  api.store.archive_[kLive].push_back(m);
  Reply fresh = api.get("/v1/rooms/standup/messages?cursor=" + r.text("/next_cursor"));
  CHECK(ids(fresh) == std::vector<std::string>{message_id(121)});
  CHECK(fresh.text("/items/0/body") == "new");
  // A limited poll says there is more.
  Reply some = api.get("/v1/rooms/standup/messages?limit=2&after=" + message_id(100));
  CHECK(ids(some) == std::vector<std::string>{message_id(101), message_id(102)});
  CHECK(some.text("/has_more") == "true");
}

TEST_CASE("messages: a corrected message shows its current text and that it was edited, a retracted one is a tombstone") {
  Api api;
  Reply r = api.get("/v1/rooms/standup/messages?limit=5&after=" + message_id(6));
  REQUIRE(r.status == 200);
  REQUIRE(r.text("/items/0/id") == message_id(7));
  CHECK(r.text("/items/0/body") == "message 7, corrected");
  CHECK(r.text("/items/0/edited") != "null");
  CHECK(r.text("/items/0/edited_by_id") == message_id(1007));
  CHECK(r.text("/items/0/retracted") == "null");
  CHECK(r.text("/items/1/edited") == "null");
  REQUIRE(r.text("/items/2/id") == message_id(9));
  CHECK(r.text("/items/2/body") == "<absent>");
  CHECK(r.text("/items/2/payload") == "<absent>");
  CHECK(r.text("/items/2/retracted") != "null");
  CHECK(r.text("/items/2/moderated") == "true");
  CHECK(r.text("/items/2/retracted_by") == "alice");
  CHECK(r.text("/items/2/reason") == "spam");
  CHECK(r.text("/items/0/jid") == "alice@localhost/web");  // analysts see real JIDs
}

TEST_CASE("messages: bad parameters are 400 naming them, unknown rooms and message ids 404") {
  Api api;
  CHECK(api.get("/v1/rooms/standup/messages?limit=0").text("/error/parameter") == "limit");
  CHECK(api.get("/v1/rooms/standup/messages?limit=101").status == 400);
  CHECK(api.get("/v1/rooms/standup/messages?after=nope").text("/error/parameter") == "after");
  CHECK(api.get("/v1/rooms/standup/messages?after=" + message_id(1) + "&before=" + message_id(2)).status == 400);
  CHECK(api.get("/v1/rooms/standup/messages?cursor=garbage").text("/error/parameter") == "cursor");
  CHECK(api.get("/v1/rooms/standup/messages?colour=red").text("/error/parameter") == "colour");
  CHECK(api.get("/v1/rooms/a%20b/messages").text("/error/parameter") == "room");
  CHECK(api.get("/v1/rooms/nosuch/messages").status == 404);
  Reply unknown = api.get("/v1/rooms/standup/messages?after=" + message_id(500));  // retro's, not standup's
  CHECK(unknown.status == 404);
  CHECK(unknown.text("/error/code") == "not_found");
  api.store.down = true;
  CHECK(api.get("/v1/rooms/standup/messages").status == 503);
}

TEST_CASE("room naming: every read route takes the room's id, bare JID or local part") {
  Api api;
  for (const std::string& name : {std::string(kLive), std::string("standup@rooms.localhost"), std::string("standup"),
                                 std::string("STANDUP@rooms.localhost")}) {
    CAPTURE(name);
    CHECK(api.get("/v1/rooms/" + name).text("/id") == kLive);
    CHECK(api.get("/v1/rooms/" + name + "/messages?limit=1").text("/room_id") == kLive);
    CHECK(api.get("/v1/rooms/" + name + "/users").text("/total") == "2");
    CHECK(api.get("/v1/rooms/" + name + "/events").status == 200);
    CHECK(api.store.last_event_query->room_id == std::optional<std::string>(kLive));
    CHECK(api.get("/v1/rooms/" + name + "/timeline").text("/room_id") == kLive);
    CHECK(api.get("/v1/analytics/p2p?room=" + name).text("/room") == kLive);
    CHECK(api.get("/v1/analytics/media?room=" + name).text("/room") == kLive);
  }
  // The earlier lifetime of the same JID only by its id.
  CHECK(api.get(std::string("/v1/rooms/") + kOld).text("/id") == kOld);
  CHECK(api.get(std::string("/v1/rooms/") + kOld + "/messages").size("/items") == 0);
  // /v1/events?room=: an id is one lifetime, a JID or local part every lifetime of the JID.
  CHECK(api.get("/v1/events?room=standup").status == 200);
  CHECK(api.store.last_event_query->room_jid == std::optional<std::string>("standup@rooms.localhost"));
  CHECK(api.get(std::string("/v1/events?room=") + kOld).status == 200);
  CHECK(api.store.last_event_query->room_id == std::optional<std::string>(kOld));
  // A name of no room is 404, a malformed one 400.
  CHECK(api.get("/v1/rooms/nosuch").status == 404);
  CHECK(api.get("/v1/rooms/nosuch@rooms.localhost/users").status == 404);
  CHECK(api.get("/v1/rooms/a%3Cb").text("/error/parameter") == "id");
  CHECK(api.get("/v1/analytics/p2p?room=nosuch").status == 404);
}

TEST_CASE("room naming: a JID or local part means the live room, else the latest lifetime") {
  Api api;
  CHECK(api.get("/v1/rooms/standup").text("/id") == kLive);
  // Once the current standup ends too, the name means the latest of the ended ones.
  api.store.rooms_[0].ended = api.store.rooms_[0].created + 1000;
  Reply latest = api.get("/v1/rooms/standup/messages?limit=1");
  CHECK(latest.text("/room_id") == kLive);
  CHECK(latest.text("/live") == "false");
  // A newer lifetime appears: the name follows it.
  api.store.rooms_.push_back(room("00000000-0000-7000-8000-000000000004", "standup", kT0 + 86400'000, false));
  CHECK(api.get("/v1/rooms/standup@rooms.localhost").text("/id") == "00000000-0000-7000-8000-000000000004");
}

TEST_CASE("users rooms: the rooms a person took part in, newest activity first, with the latest message") {
  Api api;
  Reply r = api.get("/v1/users/alice@localhost/rooms");
  REQUIRE(r.status == 200);
  CHECK(r.text("/jid") == "alice@localhost");
  CHECK(r.text("/total") == "2");
  REQUIRE(r.size("/items") == 2);
  CHECK(r.text("/items/0/room_id") == kLive);
  CHECK(r.text("/items/0/room") == "standup@rooms.localhost");
  CHECK(r.text("/items/0/live") == "true");
  CHECK(r.text("/items/0/latest_message/id") == message_id(120));
  CHECK(r.text("/items/0/latest_message/body") == "message 120");
  CHECK(r.text("/items/1/room_id") == kOld);
  CHECK(r.text("/items/1/latest_message") == "null");
  Reply paged = api.get("/v1/users/alice@localhost/rooms?per_page=1&page=2");
  CHECK(paged.size("/items") == 1);
  CHECK(paged.text("/items/0/room_id") == kOld);
  CHECK(api.get("/v1/users/nobody@localhost/rooms").text("/total") == "0");
  CHECK(api.get("/v1/users/not-a-jid/rooms").text("/error/parameter") == "jid");
  CHECK(api.get("/v1/users/alice@localhost%20web/rooms").status == 400);
}

TEST_CASE("user tokens: a person reads only rooms they were in or belong to, and only their own conversations") {
  Api api;
  const std::string alice = Api::user("alice@localhost"), dave = Api::user("dave@localhost"),
                    mallory = Api::user("mallory@localhost");
  // The room they were in, by every name, and without other people's real JIDs.
  Reply mine = api.get("/v1/rooms/standup/messages?limit=2", alice);
  CHECK(mine.status == 200);
  CHECK(mine.text("/items/0/jid") == "<absent>");
  CHECK(api.get(std::string("/v1/rooms/") + kLive + "/messages", alice).status == 200);
  CHECK(api.get(std::string("/v1/rooms/") + kOld + "/messages", alice).status == 200);  // an earlier session
  CHECK(api.get("/v1/rooms/standup/messages", dave).status == 200);                      // a member
  // Rooms they were never in: 403, and the same for a room that does not exist (no probing).
  Reply other = api.get("/v1/rooms/retro/messages", alice);
  CHECK(other.status == 403);
  CHECK(other.text("/error/code") == "forbidden");
  CHECK(api.get("/v1/rooms/standup/messages", mallory).status == 403);
  CHECK(api.get("/v1/rooms/nosuch/messages", mallory).status == 403);
  // Their own conversations only.
  CHECK(api.get("/v1/users/alice@localhost/rooms", alice).status == 200);
  CHECK(api.get("/v1/users/ALICE@localhost/rooms", alice).status == 200);
  CHECK(api.get("/v1/users/bob@localhost/rooms", alice).status == 403);
  // Everything else is closed to a user token.
  for (const char* path : {"/v1/rooms", "/v1/rooms/standup", "/v1/rooms/standup/events", "/v1/events",
                           "/v1/analytics/summary", "/metrics"}) {
    CAPTURE(path);
    CHECK(api.get(path, alice).status == 403);
  }
  // A user token must name a person: no subject, or a full JID, is refused when minted and
  // when presented.
  CHECK_THROWS_AS(create_token(kSecret, Role::user, 3600, unix_now()), std::invalid_argument);
  CHECK_THROWS_AS(create_token(kSecret, Role::user, 3600, unix_now(), "alice@localhost/web"), std::invalid_argument);
}

TEST_CASE("authorisation matrix: roles by routes") {
  Api api;
  struct Case {
    const char* path;
    int analyst, content, admin, service, user, client;
  };
  // user: alice@localhost, who was in the live standup but not in retro.
  const Case cases[] = {
      // analyst: numbers only; content: an analyst token with the content claim.
      {"/v1/rooms/standup/messages", 403, 200, 200, 200, 200, 403},
      {"/v1/rooms/retro/messages", 403, 200, 200, 200, 403, 403},
      {"/v1/users/alice@localhost/rooms", 403, 200, 200, 200, 200, 403},
      {"/v1/users/carol@localhost/rooms", 403, 200, 200, 200, 403, 403},
      {"/v1/rooms", 200, 200, 200, 200, 403, 403},
      {"/v1/rooms/standup", 200, 200, 200, 200, 403, 403},
      {"/v1/events", 200, 200, 200, 200, 403, 403},
      {"/v1/analytics/summary", 200, 200, 200, 200, 403, 403},
  };
  const std::string client = create_client_token(kSecret, "00000000-0000-7000-8000-0000000000a1", "", 3600, unix_now());
  for (const auto& c : cases) {
    CAPTURE(c.path);
    CHECK(api.get(c.path, Running::token(Role::analyst)).status == c.analyst);
    CHECK(api.get(c.path, Running::content_token()).status == c.content);
    CHECK(api.get(c.path, create_token(kSecret, Role::admin, 3600, unix_now(), "ops")).status == c.admin);
    CHECK(api.get(c.path, Api::service()).status == c.service);
    CHECK(api.get(c.path, Api::user("alice@localhost")).status == c.user);
    CHECK(api.get(c.path, client).status == c.client);
    CHECK(api.get(c.path, "").status == 401);
  }
}
