// Live administration against the real core on a loop thread (as test_admin.cpp): a change
// the room already has is a 409 naming that state, and the sweeps of empty and unused
// rooms (POST /v1/admin/rooms/destroy-empty|destroy-unused) with and without a dry run.
#include <doctest/doctest.h>

#include <atomic>

#include "analytics/admin.hpp"
#include "core_loop.hpp"
#include "http_support.hpp"

using namespace mucstream;
using namespace mucstream::analytics;
using namespace mucstream::analytics::testing;

namespace {

constexpr std::int64_t kDay = 86'400'000;
// The test loop's clock starts here and moves a second per command.
constexpr std::int64_t kLoopStart = 1'795'316'645'000;

core::Jid jid(const char* s) { return std::get<core::Jid>(core::Jid::parse(s)); }

struct SweepApi {
  Loop loop;
  Running srv{nullptr};
  std::atomic<std::int64_t> clock{kLoopStart};  // what the API counts days back from
  std::string admin = create_token(kSecret, Role::admin, 3600, unix_now(), "ops");
  SweepApi() {
    AdminOptions o;
    o.domain = "rooms.localhost";
    o.inspect = [this](std::function<void(const core::Service&)> read) { loop.inspect(std::move(read)); };
    o.clock_ms = [this] { return clock.load(); };
    add_admin_routes(*srv.server, [this](core::Command c, auto done) { loop.submit(std::move(c), std::move(done)); }, o);
    srv.start();
  }
  Reply post(const std::string& path, const std::string& body = "{}") {
    httplib::Headers h{{"Authorization", "Bearer " + admin}};
    auto r = srv.client->Post(path.c_str(), h, body, "application/json");
    Reply out;
    if (!r) return out;
    out.status = r->status;
    out.body = r->body;
    out.json.Parse(out.body.c_str());
    return out;
  }
  void run(core::Command c) { REQUIRE(loop.run(std::move(c)).ok()); }
  core::Join join(const char* user, const char* nick, const char* room) {
    core::Join j;
    j.user = jid(user);
    j.room = room;
    j.nick = nick;
    return j;
  }
  // quiet: made by an admin, nobody ever in it; chatty: alice said something and left;
  // busy: bob is in it.
  void three_rooms() {
    REQUIRE(post("/v1/admin/rooms", R"({"room":"quiet","owner":"alice@localhost"})").status == 201);
    run(join("alice@localhost/web", "alice", "chatty@rooms.localhost"));
    core::ConfigChange keep;
    keep.persistent = true;
    run(core::Configure{core::Requester::user(jid("alice@localhost/web")), "chatty@rooms.localhost", keep});
    run(core::SendGroupchat{jid("alice@localhost/web"), "chatty@rooms.localhost", "<body>hi</body>", true});
    run(core::Leave{jid("alice@localhost/web"), "chatty@rooms.localhost", {}});
    run(join("bob@localhost/phone", "bob", "busy@rooms.localhost"));
  }
  std::vector<std::string> rooms_of(const Reply& r) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < r.size("/rooms"); ++i) out.push_back(r.text(("/rooms/" + std::to_string(i) + "/room").c_str()));
    return out;
  }
  std::size_t live_rooms() {
    std::promise<std::size_t> n;
    loop.inspect([&](const core::Service& s) { n.set_value(s.rooms.size()); });
    return n.get_future().get();
  }
};

}  // namespace

TEST_CASE("admin: a change the room already has is 409 naming the state, and records nothing") {
  SweepApi api;
  REQUIRE(api.post("/v1/admin/rooms", R"({"room":"standup","owner":"alice@localhost"})").status == 201);
  const std::size_t decided = api.loop.decisions().size();
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"/v1/admin/rooms/standup/unlock", "{}", "standup@rooms.localhost is not locked"},
      {"/v1/admin/rooms/standup/configure", R"({"persistent":true})",
       "standup@rooms.localhost already has persistent=true"},
      {"/v1/admin/rooms/standup/affiliation", R"({"jid":"alice@localhost","affiliation":"owner"})",
       "alice@localhost is already owner of standup@rooms.localhost"},
      {"/v1/admin/rooms/standup/affiliation", R"({"jid":"bob@localhost","affiliation":"none"})",
       "bob@localhost already has no affiliation with standup@rooms.localhost"},
  };
  for (const auto& [path, body, message] : cases) {
    CAPTURE(path);
    CAPTURE(body);
    Reply r = api.post(path, body);
    CHECK(r.status == 409);
    CHECK(r.text("/error/code") == "conflict");
    CHECK(r.text("/error/message") == message);
    CHECK(r.text("/error/condition") == "<absent>");  // the room did not refuse: it already was so
  }
  CHECK(api.post("/v1/admin/rooms/standup/lock").status == 200);
  Reply twice = api.post("/v1/admin/rooms/standup/lock");
  CHECK(twice.status == 409);
  CHECK(twice.text("/error/message") == "standup@rooms.localhost is already locked");
  CHECK(api.post("/v1/admin/rooms/standup/ban", R"({"jid":"eve@localhost","reason":"spam"})").status == 200);
  Reply banned = api.post("/v1/admin/rooms/standup/ban", R"({"jid":"eve@localhost"})");
  CHECK(banned.status == 409);
  CHECK(banned.text("/error/message") == "eve@localhost is already banned from standup@rooms.localhost");
  // A configuration change the room already has names the fields, never the password.
  REQUIRE(api.post("/v1/admin/rooms/standup/configure", R"({"name":"Standup","members_only":true})").status == 200);
  Reply same = api.post("/v1/admin/rooms/standup/configure", R"({"members_only":true,"name":"Standup"})");
  CHECK(same.status == 409);
  CHECK(same.text("/error/message") == "standup@rooms.localhost already has members_only=true, name=\"Standup\"");
  // Only the lock, the ban and the configuration were recorded: one event each.
  CHECK(api.loop.decisions().size() == decided + 10);
  std::size_t events = 0;
  for (std::size_t i = decided; i < api.loop.decisions().size(); ++i) events += api.loop.decisions()[i].events.size();
  CHECK(events == 3);
}

TEST_CASE("admin sweeps: destroy-empty lists on a dry run, then destroys only unoccupied rooms that hold no message") {
  SweepApi api;
  api.three_rooms();
  const std::size_t decided = api.loop.decisions().size();
  Reply dry = api.post("/v1/admin/rooms/destroy-empty", R"({"dry_run":true})");
  REQUIRE(dry.status == 200);
  CHECK(dry.text("/dry_run") == "true");
  CHECK(api.rooms_of(dry) == std::vector<std::string>{"quiet@rooms.localhost"});
  CHECK(dry.text("/count") == "1");
  CHECK(dry.text("/rooms/0/persistent") == "true");
  CHECK(dry.text("/rooms/0/created") == "2026-11-22T03:04:06.000Z");
  CHECK(dry.text("/rooms/0/last_activity") == "2026-11-22T03:04:06.000Z");
  CHECK(dry.text("/events") == "<absent>");
  CHECK(api.loop.decisions().size() == decided);  // a dry run decides nothing
  CHECK(api.live_rooms() == 3);

  Reply done = api.post("/v1/admin/rooms/destroy-empty", R"({"reason":"spring cleaning"})");
  REQUIRE(done.status == 200);
  CHECK(done.text("/dry_run") == "false");
  CHECK(api.rooms_of(done) == std::vector<std::string>{"quiet@rooms.localhost"});
  CHECK(done.text("/count") == "1");
  REQUIRE(done.size("/events") == 1);
  CHECK(done.text("/events/0/type") == "room_destroyed");
  CHECK(done.text("/events/0/room") == "quiet@rooms.localhost");
  const auto how = std::get<core::data::RoomDestroyed>(api.loop.decisions().back().events.at(0).data);
  CHECK(how.reason == "spring cleaning");
  CHECK(how.by == std::optional<std::string>("admin:ops"));
  CHECK(api.live_rooms() == 2);

  // Nothing left to sweep is an ordinary answer, not an error.
  Reply again = api.post("/v1/admin/rooms/destroy-empty");
  CHECK(again.status == 200);
  CHECK(again.text("/count") == "0");
  CHECK(again.size("/events") == 0);
}

TEST_CASE("admin sweeps: destroy-unused counts whole days back from now, never takes an occupied room") {
  SweepApi api;
  api.three_rooms();
  // A day and a half after the rooms were used: nothing is two days unused yet.
  api.clock = kLoopStart + kDay + kDay / 2;
  Reply none = api.post("/v1/admin/rooms/destroy-unused", R"({"days":2,"dry_run":true})");
  REQUIRE(none.status == 200);
  CHECK(none.text("/count") == "0");
  Reply one_day = api.post("/v1/admin/rooms/destroy-unused", R"({"days":1,"dry_run":true})");
  CHECK(api.rooms_of(one_day) == std::vector<std::string>{"chatty@rooms.localhost", "quiet@rooms.localhost"});
  // busy has been occupied all along: never unused, whatever the days.
  api.clock = kLoopStart + 400 * kDay;
  Reply done = api.post("/v1/admin/rooms/destroy-unused", R"({"days":30})");
  REQUIRE(done.status == 200);
  CHECK(api.rooms_of(done) == std::vector<std::string>{"chatty@rooms.localhost", "quiet@rooms.localhost"});
  CHECK(done.size("/events") == 2);
  const core::Decision last = api.loop.decisions().back();
  for (const core::Event& e : last.events) CHECK(std::get<core::data::RoomDestroyed>(e.data).reason == "destroy-unused");
  CHECK(api.live_rooms() == 1);
}

TEST_CASE("admin sweeps: bad input is a 400 naming the field, before anything is read or destroyed") {
  SweepApi api;
  api.three_rooms();
  const std::size_t decided = api.loop.decisions().size();
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"/v1/admin/rooms/destroy-unused", "{}", "days"},
      {"/v1/admin/rooms/destroy-unused", R"({"days":-1})", "days"},
      {"/v1/admin/rooms/destroy-unused", R"({"days":"7"})", "days"},
      {"/v1/admin/rooms/destroy-unused", R"({"days":36501})", "days"},
      {"/v1/admin/rooms/destroy-unused", R"({"days":7,"dry_run":"yes"})", "dry_run"},
      {"/v1/admin/rooms/destroy-empty", R"({"days":7})", "days"},
      {"/v1/admin/rooms/destroy-empty", R"({"reason":5})", "reason"},
      {"/v1/admin/rooms/destroy-empty?dry_run=true", "{}", "dry_run"},
  };
  for (const auto& [path, body, field] : cases) {
    CAPTURE(path);
    CAPTURE(body);
    Reply r = api.post(path, body);
    CHECK(r.status == 400);
    CHECK(r.text("/error/code") == "invalid_parameter");
    CHECK(r.text("/error/parameter") == field);
  }
  CHECK(api.loop.decisions().size() == decided);
  CHECK(api.live_rooms() == 3);
}
