// The standalone component's JSON-lines event form (the envelope of events/).
#include <doctest/doctest.h>

#include "tools/mucstreamd/event_log_sink.hpp"

using namespace mucstream;

TEST_CASE("event JSON line: the envelope with escaped data") {
  core::Event e;
  e.id = "0190-x";
  e.room = "room@rooms.test";
  e.room_id = "r1";
  e.seq = 7;
  e.actor = "s1";
  e.time_ms = 1'795'316'645'250;
  e.set_data(core::data::MessageSent{.nick = "ann", .occupant_id = "o1", .jid = "ann@x/y", .payload = "<body>\"hi\"\n</body>"});
  CHECK(tools::event_json(e) ==
        "{\"v\":1,\"id\":\"0190-x\",\"type\":\"message_sent\",\"room\":\"room@rooms.test\",\"room_id\":\"r1\","
        "\"seq\":7,\"actor\":\"s1\",\"peer\":null,\"time\":\"2026-11-22T03:04:05.250Z\","
        "\"data\":{\"nick\":\"ann\",\"occupant_id\":\"o1\",\"jid\":\"ann@x/y\","
        "\"payload\":\"<body>\\\"hi\\\"\\n</body>\"}}");
}
