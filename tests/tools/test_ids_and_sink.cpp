// The standalone component's UUIDv7 id source and its JSON-lines event form.
#include <doctest/doctest.h>

#include <set>

#include "tools/common/event_log_sink.hpp"
#include "tools/common/uuid_ids.hpp"

using namespace mucstream;

TEST_CASE("UUIDv7 ids: version 7, variant 10, strictly increasing even within one millisecond") {
  tools::UuidV7Ids ids;
  std::string prev;
  std::set<std::string> seen;
  const std::int64_t ms = 1'795'316'645'000;
  for (int i = 0; i < 10000; ++i) {
    std::string id = ids.next_id(ms + i / 5000);  // 5000 ids in one millisecond, then the next
    REQUIRE(id.size() == 36);
    CHECK(id[14] == '7');
    CHECK((id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b'));
    CHECK(id > prev);
    prev = id;
    seen.insert(id);
  }
  CHECK(seen.size() == 10000);
  CHECK(ids.next_id(ms - 5000) > prev);  // a clock going back never breaks the order
  CHECK(ids.random_bytes(16).size() == 16);
}

TEST_CASE("event JSON line: the envelope with escaped data") {
  core::Event e;
  e.id = "0190-x";
  e.type = core::EventType::message_sent;
  e.room = "room@rooms.test";
  e.room_id = "r1";
  e.seq = 7;
  e.actor = "s1";
  e.time_ms = 1'795'316'645'250;
  e.data.set("payload", "<body>\"hi\"\n</body>");
  e.data.set("n", 3);
  CHECK(tools::event_json(e) ==
        "{\"v\":1,\"id\":\"0190-x\",\"type\":\"message_sent\",\"room\":\"room@rooms.test\",\"room_id\":\"r1\","
        "\"seq\":7,\"actor\":\"s1\",\"peer\":null,\"time\":\"2026-11-22T03:04:05.250Z\","
        "\"data\":{\"payload\":\"<body>\\\"hi\\\"\\n</body>\",\"n\":3}}");
}
