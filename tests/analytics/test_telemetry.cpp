// Talky-style client telemetry over HTTP against the real core: a loop thread owns a
// core::Service and executes queued commands as xmpp::RoomService does, so a POSTed event
// takes the same decide/apply path, and the loop's decisions are what the component would
// hand its event sink (Kafka).
#include <doctest/doctest.h>

#include "analytics/telemetry.hpp"
#include "core/telemetry.hpp"
#include "core_loop.hpp"
#include "http_support.hpp"
#include "memory_store.hpp"

using namespace mucstream;
using namespace mucstream::analytics;
using namespace mucstream::analytics::testing;

namespace {

core::Jid jid(const char* s) { return std::get<core::Jid>(core::Jid::parse(s)); }

struct TelemetryApi {
  Loop loop;
  MemoryStore store;
  Running srv{&store};
  std::string room_id, alice, bob, carol_elsewhere;

  explicit TelemetryApi(bool owns_rooms = true, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000),
                        bool answer = true) {
    TelemetryOptions o;
    o.timeout = timeout;
    o.registry = &srv.registry;
    SubmitFn submit;
    if (owns_rooms)
      submit = [this, answer](core::Command c, std::function<void(const core::Decision&)> done) {
        if (answer) loop.submit(std::move(c), std::move(done));
      };
    add_telemetry_routes(*srv.server, submit, o);
    srv.start();
    if (!answer) return;  // no room loop to join through
    alice = join("alice@localhost/web", "alice", "standup@rooms.localhost");
    bob = join("bob@localhost/phone", "bob", "standup@rooms.localhost");
    carol_elsewhere = join("carol@localhost/x", "carol", "retro@rooms.localhost");
  }
  // An occupant joins through the loop as an XMPP client would; returns its session id.
  std::string join(const char* user, const char* nick, const char* room) {
    core::Join j;
    j.user = jid(user);
    j.room = room;
    j.nick = nick;
    const core::Decision d = loop.run(j);
    REQUIRE(d.ok());
    const core::Event& joined = d.events.back();
    REQUIRE(joined.type == core::EventType::occupant_joined);
    if (d.events.front().type == core::EventType::room_created)  // §10.1.2: accept the instant room
      REQUIRE(loop.run(core::Configure{core::Requester::user(jid(user)), room, {}}).ok());
    if (std::string(room) == "standup@rooms.localhost") room_id = joined.room_id;
    return joined.actor;
  }
  std::string token(const std::string& session, const std::string& room = {}, std::int64_t ttl = 3600) const {
    return create_client_token(kSecret, session, room, ttl, unix_now());
  }
  Reply post(const std::string& body, const std::string& token, const std::string& path = "/v1/telemetry") {
    httplib::Headers h;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    auto r = srv.client->Post(path.c_str(), h, body, "application/json");
    Reply out;
    if (!r) return out;
    out.status = r->status;
    out.body = r->body;
    out.json.Parse(out.body.c_str());
    return out;
  }
  // The events the loop decided after the joins: what reached the event sink.
  std::vector<core::Event> reported() {
    std::vector<core::Event> out;
    for (const auto& d : loop.decisions())
      for (const auto& e : d.events)
        if (core::client_reportable(e.type)) out.push_back(e);
    return out;
  }
  std::string event(const std::string& type, const std::string& extra = "") const {
    return R"({"eventType":")" + type + R"(","roomId":")" + room_id + R"(","peerId":")" + alice + "\"" + extra + "}";
  }
};

}  // namespace

TEST_CASE("telemetry http: one event is decided by the room loop and reaches the sink with actor, peer and data") {
  TelemetryApi api;
  const std::string body = R"({"eventType":"peer_session_stats","roomId":")" + api.room_id + R"(","peerId":")" +
                           api.alice + R"(","data":{"sid":"s1","name":"ice-connected","connectTime":412,"peer":")" +
                           api.bob + R"("}})";
  Reply r = api.post(body, api.token(api.alice));
  REQUIRE(r.status == 202);
  CHECK(r.text("/accepted") == "1");
  CHECK(r.text("/rejected") == "0");
  CHECK(r.text("/results/0/status") == "accepted");
  CHECK(r.text("/results/0/type") == "peer_session_stats");
  CHECK(r.text("/results/0/room") == "standup@rooms.localhost");
  const auto events = api.reported();
  REQUIRE(events.size() == 1);
  const core::Event& e = events[0];
  CHECK(r.text("/results/0/id") == e.id);
  CHECK(r.text("/results/0/seq") == std::to_string(e.seq));
  CHECK(e.type == core::EventType::peer_session_stats);
  CHECK(e.room_id == api.room_id);
  CHECK(e.actor == api.alice);
  CHECK(e.peer == api.bob);
  const core::Value& fields = std::get<core::data::PeerSessionStats>(e.data).fields;
  CHECK(fields.get_string("sid") == "s1");
  CHECK(fields.get_int("connectTime") == 412);
  CHECK(fields.find("peer") == nullptr);  // moved to the event's peer
  // peerId may be left out: the token says who reports. talky's alias screencapture_stopped.
  Reply s = api.post(R"({"eventType":"screencapture_started","roomId":")" + api.room_id + "\"}", api.token(api.alice));
  CHECK(s.status == 202);
  Reply stop = api.post(R"({"eventType":"screencapture_stopped","roomId":")" + api.room_id + "\"}", api.token(api.alice));
  CHECK(stop.status == 202);
  CHECK(stop.text("/results/0/type") == "screencapture_ended");
}

TEST_CASE("telemetry http: talky's form, an empty batch beside the fields of one event, is that one event") {
  TelemetryApi api;
  const std::string body = R"({"batch":[],"eventType":"peer_session_added","roomId":")" + api.room_id +
                           R"(","peerId":")" + api.alice + R"(","data":{"sid":"j1","isInitiator":true,"peer":")" +
                           api.bob + R"("}})";
  Reply r = api.post(body, api.token(api.alice), "/telemetry");
  REQUIRE(r.status == 202);
  CHECK(r.text("/accepted") == "1");
  CHECK(r.size("/results") == 1);
  CHECK(r.text("/results/0/type") == "peer_session_added");
  const auto events = api.reported();
  REQUIRE(events.size() == 1);
  CHECK(events[0].actor == api.alice);
  CHECK(events[0].peer == api.bob);
  CHECK(std::get<core::data::PeerSessionAdded>(events[0].data).fields.get_string("sid") == "j1");
  // Answered as the single event it is: a refusal by the room is the request's answer.
  Reply gone = api.post(R"({"batch":[],"eventType":"started_speaking","roomId":"00000000-0000-7000-8000-00000000dead"})",
                        api.token(api.alice));
  CHECK(gone.status == 404);
  CHECK(gone.text("/error/condition") == "item-not-found");
  CHECK(api.reported().size() == 1);
}

TEST_CASE("telemetry http: the legacy path and a token bound to the room, which may then omit roomId") {
  TelemetryApi api;
  const std::string tok = api.token(api.alice, api.room_id);
  Reply r = api.post(R"({"eventType":"started_speaking"})", tok, "/telemetry");
  REQUIRE(r.status == 202);
  CHECK(r.text("/accepted") == "1");
  Reply other = api.post(R"({"eventType":"started_speaking","roomId":"00000000-0000-7000-8000-00000000dead"})", tok);
  CHECK(other.status == 403);
  CHECK(other.text("/error/code") == "forbidden");
  CHECK(api.post(R"({"eventType":"started_speaking"})", api.token(api.alice)).text("/error/parameter") == "roomId");
  CHECK(api.reported().size() == 1);
}

TEST_CASE("telemetry http: a batch is checked whole, then each event gets its own result in order") {
  TelemetryApi api;
  const std::string b = api.bob;
  const std::string batch = "{\"batch\":[" + api.event("audio_paused") + "," + api.event("audio_paused") + "," +
                            api.event("peer_session_added", R"(,"data":{"sid":"s1","isInitiator":true,"peer":")" + b + "\"}") +
                            "," + api.event("ice_usage", R"(,"data":{"peer":")" + api.carol_elsewhere + "\"}") + "]}";
  Reply r = api.post(batch, api.token(api.alice));
  REQUIRE(r.status == 202);
  CHECK(r.text("/accepted") == "2");
  CHECK(r.text("/unchanged") == "1");  // already paused: the only-on-change rule
  CHECK(r.text("/rejected") == "1");
  CHECK(r.text("/results/0/status") == "accepted");
  CHECK(r.text("/results/1/status") == "unchanged");
  CHECK(r.text("/results/2/status") == "accepted");
  CHECK(r.text("/results/3/status") == "rejected");
  CHECK(r.text("/results/3/index") == "3");
  CHECK(r.text("/results/3/error/code") == "bad_request");  // carol is in another room
  CHECK(r.text("/results/3/error/condition") == "bad-request");
  const auto events = api.reported();
  REQUIRE(events.size() == 2);
  CHECK(events[0].type == core::EventType::audio_paused);
  CHECK(events[1].type == core::EventType::peer_session_added);
  CHECK(events[1].peer == api.bob);
  CHECK(events[1].seq == events[0].seq + 1);
  CHECK(std::get<core::data::PeerSessionAdded>(events[1].data).fields.get_bool("isInitiator"));

  // One bad event refuses the whole batch before anything reaches the rooms.
  const std::size_t before = api.loop.decisions().size();
  const std::string bad = "{\"batch\":[" + api.event("video_paused") + "," + api.event("video_paused") + "," +
                          api.event("video_resumed") + "," + api.event("video_sulked") + "]}";
  Reply refused = api.post(bad, api.token(api.alice));
  CHECK(refused.status == 400);
  CHECK(refused.text("/error/parameter") == "batch[3].eventType");
  CHECK(api.loop.decisions().size() == before);

  // What an operator sees on /metrics.
  const std::string m = api.srv.get("/metrics", Running::token(Role::analyst)).body;
  CHECK(m.find("mucstream_telemetry_events_total{result=\"accepted\"} 2\n") != std::string::npos);
  CHECK(m.find("mucstream_telemetry_events_total{result=\"unchanged\"} 1\n") != std::string::npos);
  CHECK(m.find("mucstream_telemetry_events_total{result=\"rejected\"} 1\n") != std::string::npos);
  CHECK(m.find("mucstream_telemetry_events_total{result=\"invalid\"} 4\n") != std::string::npos);
}

TEST_CASE("telemetry http: tokens — none, bad, expired, analyst, admin are refused, and client tokens open nothing else") {
  TelemetryApi api;
  const std::string body = api.event("started_speaking");
  Reply none = api.post(body, "");
  CHECK(none.status == 401);
  CHECK(none.text("/error/code") == "unauthorized");
  CHECK(api.post(body, "not.a.token").status == 401);
  CHECK(api.post(body, create_client_token("another-secret-0123456789abcdef", api.alice, "", 60, unix_now())).status == 401);
  CHECK(api.post(body, create_client_token(kSecret, api.alice, "", 60, unix_now() - 120)).status == 401);
  Reply analyst = api.post(body, Running::token(Role::analyst));
  CHECK(analyst.status == 403);
  CHECK(analyst.text("/error/code") == "forbidden");
  CHECK(api.post(body, Running::token(Role::admin)).status == 403);
  CHECK(api.reported().empty());
  // A client token reads nothing.
  Reply read = api.srv.get("/v1/rooms", api.token(api.alice));
  CHECK(read.status == 403);
  CHECK(read.text("/error/code") == "forbidden");
  CHECK(api.srv.get("/healthz").status == 200);
}

TEST_CASE("telemetry http: a client speaks only for its own session, in its own room, about peers in that room") {
  TelemetryApi api;
  // peerId names someone else's session: 403, whatever the session.
  Reply theirs = api.post(api.event("started_speaking"), api.token(api.bob));
  CHECK(theirs.status == 403);
  CHECK(theirs.text("/error/code") == "forbidden");
  // A session that is not in the room (carol is in retro): the room refuses, 403.
  Reply elsewhere = api.post(R"({"eventType":"started_speaking","roomId":")" + api.room_id + "\"}",
                             api.token(api.carol_elsewhere));
  CHECK(elsewhere.status == 403);
  // The peer is not in the room: 400 from the room's decision.
  Reply peer = api.post(api.event("peer_session_added", R"(,"data":{"peer":")" + api.carol_elsewhere + "\"}"),
                        api.token(api.alice));
  CHECK(peer.status == 400);
  CHECK(peer.text("/error/code") == "bad_request");
  CHECK(peer.text("/error/condition") == "bad-request");
  // No such room.
  Reply room = api.post(R"({"eventType":"started_speaking","roomId":"00000000-0000-7000-8000-00000000dead"})",
                        api.token(api.alice));
  CHECK(room.status == 404);
  CHECK(room.text("/error/code") == "not_found");
  CHECK(room.text("/error/condition") == "item-not-found");
  CHECK(api.reported().empty());
}

TEST_CASE("telemetry http: malformed bodies are 400 naming the field, too much is 413") {
  TelemetryApi api;
  const std::string tok = api.token(api.alice);
  const std::string big(core::kClientDataMaxBytes, 'x');
  std::string deep = "{}";
  for (int i = 0; i < core::kClientDataMaxDepth; ++i) deep = R"({"a":)" + deep + "}";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "body"},
      {"[1,2]", "body"},
      {"{\"eventType\":\"started_speaking\",\"roomId\":\"\xff\xfe\"}", "body"},  // not UTF-8
      {api.event("warp_drive"), "eventType"},
      {api.event("room_destroyed"), "eventType"},
      {api.event("occupant_joined"), "eventType"},
      {api.event("p2p_session_started"), "eventType"},
      {R"({"roomId":")" + api.room_id + "\"}", "eventType"},
      {api.event("started_speaking", R"(,"colour":"blue")"), "colour"},
      {api.event("started_speaking", R"(,"data":[1])"), "data"},
      {api.event("started_speaking", R"(,"data":{"blob":")" + big + "\"}"), "data"},
      {api.event("started_speaking", R"(,"data":)" + deep), "data"},
      {api.event("started_speaking", R"(,"data":{"s":"a\u0000b"})"), "data.s"},
      {api.event("started_speaking", R"(,"data":{"peer":42})"), "data.peer"},
      {R"({"eventType":7,"roomId":")" + api.room_id + "\"}", "eventType"},
      {R"({"batch":[]})", "batch"},  // no event at all
      {R"({"batch":{}})", "batch"},
      {R"({"batch":[1]})", "batch[0]"},
      {"{\"batch\":[" + api.event("started_speaking") + "],\"extra\":1}", "extra"},
      // talky's form: an empty batch beside the single event's fields, which are checked as one
      {"{\"batch\":[" + api.event("started_speaking") + "],\"eventType\":\"started_speaking\"}", "eventType"},
      {R"({"batch":[],"roomId":")" + api.room_id + "\"}", "eventType"},
      {R"({"batch":[],"eventType":"started_speaking","colour":"blue"})", "colour"},
  };
  for (const auto& [body, field] : cases) {
    CAPTURE(body.substr(0, 200));
    Reply r = api.post(body, tok);
    CHECK(r.status == 400);
    CHECK(r.text("/error/code") == "invalid_parameter");
    CHECK(r.text("/error/parameter") == field);
  }
  // Depth and size just inside the bounds pass.
  std::string ok_deep = "{}";
  for (int i = 1; i < core::kClientDataMaxDepth; ++i) ok_deep = R"({"a":)" + ok_deep + "}";
  CHECK(api.post(api.event("ice_usage", R"(,"data":)" + ok_deep), tok).status == 202);
  const std::string fits(core::kClientDataMaxBytes - 11, 'x');
  CHECK(api.post(api.event("ice_usage", R"(,"data":{"blob":")" + fits + "\"}"), tok).status == 202);
  CHECK(api.reported().size() == 2);
  // Nesting far beyond the bound (within the 1 MiB body limit) is refused before any
  // recursive code sees it: a client must not be able to exhaust the server's stack.
  const std::string abyss = api.event("ice_usage", R"(,"data":)" + std::string(500000, '[') + std::string(500000, ']'));
  Reply r = api.post(abyss, tok);
  CHECK(r.status == 400);
  CHECK(r.text("/error/parameter") == "body");

  std::string oversized = "{\"batch\":[";
  for (int i = 0; i < 101; ++i) oversized += (i ? "," : "") + api.event("ice_usage");
  Reply too_many = api.post(oversized + "]}", tok);
  CHECK(too_many.status == 413);
  CHECK(too_many.text("/error/code") == "payload_too_large");
  std::string hundred = "{\"batch\":[";
  for (int i = 0; i < 100; ++i) hundred += (i ? "," : "") + api.event("ice_usage");
  Reply full = api.post(hundred + "]}", tok);
  CHECK(full.status == 202);
  CHECK(full.text("/accepted") == "100");
  Reply huge = api.post(std::string(2u << 20, ' '), tok);
  CHECK(huge.status == 413);
  CHECK(api.reported().size() == 102);
}

TEST_CASE("telemetry http: without the room loop (mucstreamd api alone) the answer is 503 with a message") {
  TelemetryApi api(false);
  Reply r = api.post(R"({"eventType":"started_speaking","roomId":"x"})",
                     create_client_token(kSecret, "s", "", 60, unix_now()));
  CHECK(r.status == 503);
  CHECK(r.text("/error/code") == "unavailable");
  CHECK(r.text("/error/message").find("mucstreamd all") != std::string::npos);
  // Still a client-token route: no token is 401 first.
  CHECK(api.post(R"({})", "").status == 401);
}

TEST_CASE("telemetry http: a room loop that does not answer gives 503, not a hung request") {
  TelemetryApi api(true, std::chrono::milliseconds(200), false);
  Reply r = api.post(R"({"eventType":"started_speaking","roomId":"x"})",
                     create_client_token(kSecret, "s", "", 60, unix_now()));
  CHECK(r.status == 503);
  CHECK(r.text("/error/code") == "unavailable");
}
