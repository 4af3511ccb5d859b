// Each event type's data as JSON (events/event_codec): the keys and order the log has always
// carried, defaults for what stored data lacks, and client-reported parts kept as reported.
#include <doctest/doctest.h>

#include "events/event_codec.hpp"
#include "events/json_value.hpp"
#include "tests/events/samples.hpp"

using namespace mucstream;
using core::EventType;
using core::Value;
namespace data = core::data;

namespace {
core::EventData from_json(EventType t, const std::string& json) {
  auto d = events::decode_data(t, json);
  REQUIRE(d);
  CHECK(core::type_of(*d) == t);
  return *d;
}
}  // namespace

TEST_CASE("event codec: every type's data round-trips through its JSON") {
  for (const auto& [type, e] : testing::event_samples()) {
    CAPTURE(core::to_string(type));
    const std::string json = events::encode_data(e.data);
    CHECK(from_json(type, json) == e.data);
    CHECK(events::encode_data(from_json(type, json)) == json);
  }
}

TEST_CASE("event codec: keys, order and JSON types as the log has always had them") {
  data::OccupantLeft kicked;
  kicked.by = "owner@example.com";
  kicked.kick_reason = "Behave";
  kicked.nick = "bob";
  kicked.reason = "kicked";
  CHECK(events::encode_data(kicked) == R"({"by":"owner@example.com","kick_reason":"Behave","nick":"bob","reason":"kicked"})");
  data::OccupantLeft left;
  left.nick = "bob";
  left.status = "brb";
  CHECK(events::encode_data(left) == R"({"nick":"bob","reason":"left","status":"brb"})");
  CHECK(events::encode_data(data::RoomDestroyed{.reason = "empty", .alternate = {}, .by = std::nullopt}) ==
        R"({"reason":"empty","alternate":""})");
  CHECK(events::encode_data(data::P2PSessionEnded{.sid = "s", .reason = "success", .duration_ms = 1500}) ==
        R"({"sid":"s","reason":"success","duration_ms":1500})");
  CHECK(events::encode_data(data::VideoPaused{{.source = "jingle", .sid = "s"}}) == R"({"source":"jingle","sid":"s"})");
  core::RoomConfig c;
  c.name = "Standup";
  CHECK(events::encode_data(data::RoomConfigured{.config = c, .by = "admin:ops"}) ==
        R"({"config":{"name":"Standup","description":"","persistent":false,"public":true,"members_only":false,)"
        R"("moderated":false,"password_hash":"","max_occupants":0,"history_length":20,"whois":"moderators",)"
        R"("occupants_may_change_subject":false,"occupants_may_invite":false,"allow_private_messages":true,"enable_archiving":true,"invite_grants_membership":true,"record_chat_states":false},)"
        R"("by":"admin:ops"})");
  // A client's media report: its fields first, then the source the room adds.
  data::AudioResumed resumed;
  resumed.source = "telemetry";
  resumed.extra.set("trackId", "mic-1");
  resumed.extra.set("source", "spoofed");  // the room's source wins, once
  CHECK(events::encode_data(resumed) == R"({"trackId":"mic-1","source":"telemetry"})");
  data::P2PSessionStats stats{.sid = "s", .figures = Value::object()};
  stats.figures.set("rtt_ms", 42);
  stats.figures.set("packet_loss", 0.5);
  CHECK(events::encode_data(stats) == R"({"sid":"s","rtt_ms":42,"packet_loss":0.5})");
}

TEST_CASE("event codec: missing or odd keys read as the defaults replay has always used") {
  const auto joined = std::get<data::OccupantJoined>(from_json(EventType::occupant_joined, R"({"nick":5,"role":"king"})"));
  CHECK(joined.nick.empty());
  CHECK(joined.role == core::Role::participant);
  CHECK(joined.affiliation == core::Affiliation::none);
  CHECK(joined.client == Value::object());
  CHECK(std::get<data::OccupantLeft>(from_json(EventType::occupant_left, "{}")).reason == "left");
  const auto created = std::get<data::RoomCreated>(from_json(EventType::room_created, R"({"config":"?"})"));
  CHECK(created.config == core::RoomConfig{});
  const auto configured = std::get<data::RoomConfigured>(
      from_json(EventType::room_configured, R"({"config":{"whois":"anyone","history_length":"5","public":false}})"));
  CHECK(configured.config.whois == core::Whois::anyone);
  CHECK(configured.config.history_length == 20);
  CHECK_FALSE(configured.config.is_public);
  CHECK_FALSE(std::get<data::RoleChanged>(from_json(EventType::role_changed, R"({"role":"king"})")).role.has_value());
  // An older spelling of the duration.
  CHECK(std::get<data::P2PSessionEnded>(from_json(EventType::p2p_session_ended, R"({"duration":700})")).duration_ms == 700);
  CHECK(std::get<data::P2PSessionStarted>(from_json(EventType::p2p_session_started, R"({"media":["audio",3]})")).media ==
        std::vector<std::string>{"audio"});
  // Data that is not an object reads as all defaults.
  CHECK(events::read_data(EventType::subject_changed, Value("x")) == core::EventData(data::SubjectChanged{}));
  CHECK_FALSE(events::decode_data(EventType::subject_changed, std::string_view("{")));
}

TEST_CASE("event codec: unknown keys are dropped from the room's own data and kept in what clients report") {
  CHECK(events::encode_data(from_json(EventType::subject_changed, R"({"subject":"s","nick":"n","extra":1})")) ==
        R"({"subject":"s","nick":"n"})");
  const std::string talky = R"({"sid":"s1","isInitiator":true,"connectionState":"connected","n":[1,{"a":null}]})";
  CHECK(events::encode_data(from_json(EventType::peer_session_added, talky)) == talky);
  const auto paused = std::get<data::VideoPaused>(from_json(EventType::video_paused, R"({"trackId":"cam","source":"telemetry"})"));
  CHECK(paused.source == "telemetry");
  CHECK(paused.extra.get_string("trackId") == "cam");
  const auto stats =
      std::get<data::P2PSessionStats>(from_json(EventType::p2p_session_stats, R"({"sid":"s","rtt_ms":3,"mos":4.2})"));
  CHECK(stats.sid == "s");
  CHECK(events::encode_value(stats.figures) == R"({"rtt_ms":3,"mos":4.2})");
}
