// The messages routes against a real PostgreSQL (with_postgres.sh, fixtures/seed.sql): the
// archive rows of the live standup are written here as the materialiser writes them (one per
// message_sent, same ids), then read through the API with analyst and user tokens.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <pqxx/pqxx>

#include "pg_support.hpp"

using namespace mucstream::analytics;
using namespace mucstream::analytics::testing;

namespace {

const std::string kStandup = "00000000-0000-7000-8000-000000000001";
const std::string kRetro = "00000000-0000-7000-8000-000000000002";
const std::string kOldStandup = "00000000-0000-7000-8000-000000000003";

// Message n of the seed (1..250) has event id 00000000-0000-7000-8000-<hex(4096 + n)>.
std::string message_id(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "00000000-0000-7000-8000-%012x", 4096 + n);
  return buf;
}

// The archive rows of the seed's messages; message 7 corrected, 9 retracted by a moderator;
// dave made a member of the live standup; erin a member then removed.
void archive_seed() {
  static bool done = false;
  if (done) return;
  pqxx::connection c(conninfo());
  pqxx::work tx(c);
  tx.exec(
      "INSERT INTO archive (room_id, stanza_id, room, time, seq, sessionid, nick, occupant_id, jid, payload, ordinal) "
      "SELECT room_id, id, room, time, seq, actor, data->>'nick', coalesce(data->>'occupant_id', ''), NULL, data->>'payload', "
      "row_number() OVER (PARTITION BY room_id ORDER BY id) "
      "FROM events WHERE type = 'message_sent' ON CONFLICT DO NOTHING");
  tx.exec_params("UPDATE archive SET payload = '<body>seven, corrected</body>', edited = time + interval '1 second', "
                 "edited_by_id = $1::uuid WHERE stanza_id = $2::uuid",
                 "00000000-0000-7000-8000-00000000ffff", message_id(7));
  tx.exec_params("UPDATE archive SET payload = NULL, retracted = time + interval '2 seconds', moderated = true, "
                 "retracted_by = 'alice', retract_reason = 'off topic' WHERE stanza_id = $1::uuid",
                 message_id(9));
  tx.exec_params(
      "INSERT INTO events (id, time, type, room, room_id, seq, actor, peer, data) VALUES "
      "('00000000-0000-7000-8000-0000000f0001', '2026-11-20T10:40:00Z', 'affiliation_changed', 'standup@rooms.localhost', "
      " $1::uuid, 255, NULL, NULL, '{\"jid\":\"dave@localhost\",\"affiliation\":\"member\"}'), "
      "('00000000-0000-7000-8000-0000000f0002', '2026-11-20T10:41:00Z', 'affiliation_changed', 'standup@rooms.localhost', "
      " $1::uuid, 256, NULL, NULL, '{\"jid\":\"erin@localhost\",\"affiliation\":\"member\"}'), "
      "('00000000-0000-7000-8000-0000000f0003', '2026-11-20T10:42:00Z', 'affiliation_changed', 'standup@rooms.localhost', "
      " $1::uuid, 257, NULL, NULL, '{\"jid\":\"erin@localhost\",\"affiliation\":\"none\"}') ON CONFLICT DO NOTHING",
      kStandup);
  tx.commit();
  done = true;
}

std::string user(const char* jid) { return create_token(kSecret, Role::user, 3600, unix_now(), jid); }

}  // namespace

TEST_CASE("pg messages: newest first, paged by cursor over all 250, and after an id") {
  archive_seed();
  Api api;
  Reply first = api.get("/v1/rooms/standup/messages?limit=100");
  REQUIRE(first.status == 200);
  CHECK(first.text("/room_id") == kStandup);
  CHECK(first.text("/items/0/id") == message_id(250));
  CHECK(first.text("/items/0/body") == "message 250");
  CHECK(first.text("/items/0/time") == "2026-11-20T10:01:49.000Z");
  std::vector<std::string> seen;
  std::string cursor;
  for (int guard = 0; guard < 10; ++guard) {
    Reply r = api.get("/v1/rooms/" + kStandup + "/messages?limit=100" + (cursor.empty() ? "" : "&cursor=" + cursor));
    REQUIRE(r.status == 200);
    for (std::size_t i = 0; i < r.size("/items"); ++i) seen.push_back(r.text(("/items/" + std::to_string(i) + "/id").c_str()));
    if (r.text("/has_more") != "true") break;
    cursor = r.text("/next_cursor");
  }
  REQUIRE(seen.size() == 250);
  for (int i = 0; i < 250; ++i) CHECK(seen[static_cast<std::size_t>(i)] == message_id(250 - i));
  Reply after = api.get("/v1/rooms/standup@rooms.localhost/messages?after=" + message_id(247));
  REQUIRE(after.size("/items") == 3);
  CHECK(after.text("/items/0/id") == message_id(248));
  CHECK(after.text("/items/2/id") == message_id(250));
  CHECK(after.text("/has_more") == "false");
  CHECK(api.get("/v1/rooms/standup/messages?after=" + message_id(250)).size("/items") == 0);
  // An id of another room's archive is not a position in this one.
  CHECK(api.get("/v1/rooms/standup/messages?after=00000000-0000-7000-8000-000000000303").status == 404);
  // The earlier standup has no archived messages; retro has carol's.
  CHECK(api.get("/v1/rooms/" + kOldStandup + "/messages").size("/items") == 0);
  Reply retro = api.get("/v1/rooms/retro/messages");
  CHECK(retro.text("/live") == "false");
  CHECK(retro.text("/items/0/body") == "it's \"quoted\" -- and; DROP TABLE events");
}

TEST_CASE("pg messages: corrected text with its edit mark, retracted as a tombstone without body") {
  archive_seed();
  Api api;
  Reply r = api.get("/v1/rooms/standup/messages?limit=3&after=" + message_id(6));
  REQUIRE(r.size("/items") == 3);
  CHECK(r.text("/items/0/body") == "seven, corrected");
  CHECK(r.text("/items/0/edited") == "2026-11-20T10:01:02.000Z");
  CHECK(r.text("/items/0/edited_by_id") == "00000000-0000-7000-8000-00000000ffff");
  CHECK(r.text("/items/2/id") == message_id(9));
  CHECK(r.text("/items/2/body") == "<absent>");
  CHECK(r.text("/items/2/moderated") == "true");
  CHECK(r.text("/items/2/retracted_by") == "alice");
  CHECK(r.text("/items/2/reason") == "off topic");
}

TEST_CASE("pg messages: room names resolve to the live room, else the latest") {
  archive_seed();
  Api api;
  CHECK(api.get("/v1/rooms/standup").text("/id") == kStandup);
  CHECK(api.get("/v1/rooms/standup@rooms.localhost/users").text("/total") == "2");
  CHECK(api.get("/v1/rooms/retro/events?limit=1").text("/items/0/room_id") == kRetro);
  CHECK(api.get("/v1/rooms/nosuch").status == 404);
  CHECK(api.get("/v1/events?room=retro&limit=1").text("/items/0/room") == "retro@rooms.localhost");
}

TEST_CASE("pg messages: a user's conversations, and what a user token may read") {
  archive_seed();
  Api api;
  Reply alice = api.srv.get("/v1/users/alice@localhost/rooms", user("alice@localhost"));
  REQUIRE(alice.status == 200);
  CHECK(alice.text("/total") == "1");
  CHECK(alice.text("/items/0/room_id") == kStandup);
  CHECK(alice.text("/items/0/latest_message/id") == message_id(250));
  CHECK(alice.text("/items/0/last_activity") == "2026-11-20T10:01:49.000Z");
  Reply carol = api.get("/v1/users/carol@localhost/rooms");
  CHECK(carol.text("/items/0/room_id") == kRetro);
  CHECK(carol.text("/items/0/live") == "false");
  CHECK(api.srv.get("/v1/users/carol@localhost/rooms", user("alice@localhost")).status == 403);

  CHECK(api.srv.get("/v1/rooms/standup/messages", user("alice@localhost")).status == 200);  // a session
  CHECK(api.srv.get("/v1/rooms/standup/messages", user("bob@localhost")).status == 200);    // left, still was there
  CHECK(api.srv.get("/v1/rooms/standup/messages", user("dave@localhost")).status == 200);   // a member
  CHECK(api.srv.get("/v1/rooms/standup/messages", user("erin@localhost")).status == 403);   // membership removed
  CHECK(api.srv.get("/v1/rooms/retro/messages", user("alice@localhost")).status == 403);
  CHECK(api.srv.get("/v1/rooms/" + kOldStandup + "/messages", user("alice@localhost")).status == 200);  // its creator
  CHECK(api.srv.get("/v1/rooms/" + kOldStandup + "/messages", user("bob@localhost")).status == 403);
}
