// Live room administration over HTTP, against the real core: a loop thread owns a
// core::Service and executes queued commands as xmpp::RoomService does, so these requests
// take the same decide/apply path as an XMPP owner's actions.
#include <doctest/doctest.h>

#include "analytics/admin.hpp"
#include "core_loop.hpp"
#include "http_support.hpp"

using namespace mucstream;
using namespace mucstream::analytics;
using namespace mucstream::analytics::testing;

namespace {

core::Jid jid(const char* s) { return std::get<core::Jid>(core::Jid::parse(s)); }

struct AdminApi {
  Loop loop;
  Running srv{nullptr};
  std::string admin = create_token(kSecret, Role::admin, 3600, unix_now(), "ops");
  explicit AdminApi(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000), bool answer = true) {
    AdminOptions o;
    o.domain = "rooms.localhost";
    o.timeout = timeout;
    o.inspect = [this, answer](std::function<void(const core::Service&)> read) {
      if (answer) loop.inspect(std::move(read));
    };
    SubmitFn submit = [this, answer](core::Command c, std::function<void(const core::Decision&)> done) {
      if (answer) loop.submit(std::move(c), std::move(done));
    };
    add_admin_routes(*srv.server, submit, o);
    srv.start();
  }
  Reply post(const std::string& path, const std::string& body, const std::string& token) {
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
  Reply post(const std::string& path, const std::string& body = "") { return post(path, body, admin); }
  Reply get(const std::string& path, const std::string& token) {
    httplib::Headers h;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    auto r = srv.client->Get(path.c_str(), h);
    Reply out;
    if (!r) return out;
    out.status = r->status;
    out.body = r->body;
    out.json.Parse(out.body.c_str());
    return out;
  }
  Reply get(const std::string& path) { return get(path, admin); }
  // Two occupants join through the loop as XMPP clients would.
  void occupied_room() {
    REQUIRE(post("/v1/admin/rooms", R"({"room":"standup","owner":"alice@localhost"})").status == 201);
    core::Join a;
    a.user = jid("alice@localhost/web");
    a.room = "standup@rooms.localhost";
    a.nick = "alice";
    a.client = core::Value::object();
    a.client.set("type", "browser");
    a.client.set("os", "linux");
    a.client.set("browser", "firefox");
    REQUIRE(loop.run(a).ok());
    core::Join b = a;
    b.user = jid("bob@localhost/phone");
    b.nick = "bob";
    b.client = core::Value();
    REQUIRE(loop.run(b).ok());
  }
};

std::vector<std::string> event_types(const Reply& r) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < r.size("/events"); ++i) out.push_back(r.text(("/events/" + std::to_string(i) + "/type").c_str()));
  return out;
}

// The unavailable presence a session received: how an XMPP client learns it is out.
const core::PresenceOut* presence_to(const core::Decision& d, const std::string& to) {
  for (const auto& x : d.deliveries)
    if (const auto* p = std::get_if<core::PresenceOut>(&x))
      if (p->to == to && !p->available) return p;
  return nullptr;
}

}  // namespace

TEST_CASE("admin: live administration needs an admin token") {
  AdminApi api;
  CHECK(api.post("/v1/admin/rooms/standup/lock", "", "").status == 401);
  Reply analyst = api.post("/v1/admin/rooms/standup/lock", "", Running::token(Role::analyst));
  CHECK(analyst.status == 403);
  CHECK(analyst.text("/error/code") == "forbidden");
  CHECK(api.loop.decisions().empty());  // nothing reached the rooms
}

TEST_CASE("admin: create, configure, lock, unlock go through the core and return its events") {
  AdminApi api;
  Reply created = api.post("/v1/admin/rooms", R"({"room":"standup","owner":"alice@localhost","config":{"name":"Daily","persistent":true}})");
  REQUIRE(created.status == 201);
  CHECK(event_types(created) == std::vector<std::string>{"room_created"});
  CHECK(created.text("/events/0/room") == "standup@rooms.localhost");
  CHECK(created.text("/events/0/seq") == "1");
  Reply again = api.post("/v1/admin/rooms", R"({"room":"standup@rooms.localhost","owner":"alice@localhost"})");
  CHECK(again.status == 409);
  Reply conf = api.post("/v1/admin/rooms/standup/configure", R"({"moderated":true,"whois":"anyone"})");
  CHECK(conf.status == 200);
  CHECK(event_types(conf) == std::vector<std::string>{"room_configured"});
  Reply lock = api.post("/v1/admin/rooms/standup/lock");
  CHECK(lock.status == 200);
  CHECK(event_types(lock) == std::vector<std::string>{"room_locked"});
  CHECK(api.post("/v1/admin/rooms/standup/unlock").status == 200);
  // The admin is recorded as "by": the token's subject.
  const auto decisions = api.loop.decisions();
  REQUIRE(!decisions.empty());
  const core::Event& e = decisions.back().events.at(0);
  CHECK(e.type == core::EventType::room_unlocked);
  CHECK(e.actor.empty());
}

TEST_CASE("admin: kick and ban remove occupants, who are told as XMPP says (307, 301)") {
  AdminApi api;
  api.occupied_room();
  Reply kick = api.post("/v1/admin/rooms/standup/kick", R"({"nick":"bob","reason":"be nice"})");
  REQUIRE(kick.status == 200);
  CHECK(event_types(kick) == std::vector<std::string>{"occupant_left"});
  CHECK(kick.text("/notified") != "0");
  const core::Decision kd = api.loop.decisions().back();
  const core::PresenceOut* to_bob = presence_to(kd, "bob@localhost/phone");
  REQUIRE(to_bob != nullptr);
  CHECK_FALSE(to_bob->available);
  CHECK(std::find(to_bob->status.begin(), to_bob->status.end(), 307) != to_bob->status.end());
  CHECK(to_bob->reason == "be nice");
  CHECK(api.post("/v1/admin/rooms/standup/kick", R"({"nick":"bob"})").status == 404);  // gone already

  Reply ban = api.post("/v1/admin/rooms/standup/ban", R"({"jid":"alice@localhost"})");
  // alice is the owner: an owner cannot be banned (XEP-0045 §9.1) — the core refuses.
  CHECK(ban.status == 409);
  core::Join c;
  c.user = jid("carol@localhost/x");
  c.room = "standup@rooms.localhost";
  c.nick = "carol";
  REQUIRE(api.loop.run(c).ok());
  Reply ban2 = api.post("/v1/admin/rooms/standup/ban", R"({"jid":"carol@localhost","reason":"spam"})");
  REQUIRE(ban2.status == 200);
  CHECK(event_types(ban2) == std::vector<std::string>{"affiliation_changed", "occupant_left"});
  const core::Decision bd = api.loop.decisions().back();
  const core::PresenceOut* to_carol = presence_to(bd, "carol@localhost/x");
  REQUIRE(to_carol != nullptr);
  CHECK(std::find(to_carol->status.begin(), to_carol->status.end(), 301) != to_carol->status.end());
  Reply member = api.post("/v1/admin/rooms/standup/affiliation", R"({"jid":"dave@localhost","affiliation":"member"})");
  CHECK(member.status == 200);
  CHECK(event_types(member) == std::vector<std::string>{"affiliation_changed"});
}

TEST_CASE("admin: destroy with a reason tells every occupant and ends the room") {
  AdminApi api;
  api.occupied_room();
  Reply d = api.post("/v1/admin/rooms/standup/destroy", R"({"reason":"meeting over","alternate":"lobby@rooms.localhost"})");
  REQUIRE(d.status == 200);
  const auto types = event_types(d);
  REQUIRE(!types.empty());
  CHECK(types.back() == "room_destroyed");
  const core::Decision dd = api.loop.decisions().back();
  for (const char* who : {"alice@localhost/web", "bob@localhost/phone"}) {
    CAPTURE(who);
    const core::PresenceOut* p = presence_to(dd, who);
    REQUIRE(p != nullptr);
    CHECK(p->destroyed);
    CHECK(p->reason == "meeting over");
    CHECK(p->destroy_alternate == "lobby@rooms.localhost");
  }
  CHECK(api.post("/v1/admin/rooms/standup/lock").status == 404);
}

TEST_CASE("admin: malformed requests are 400 naming the field, unknown rooms 404") {
  AdminApi api;
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"/v1/admin/rooms", "not json", "body"},
      {"/v1/admin/rooms", "[1]", "body"},
      {"/v1/admin/rooms", R"({"owner":"alice@localhost"})", "room"},
      {"/v1/admin/rooms", R"({"room":"x","owner":"not a jid/res"})", "owner"},
      {"/v1/admin/rooms", R"({"room":"x@elsewhere.org","owner":"alice@localhost"})", "room"},
      {"/v1/admin/rooms", R"({"room":"x","owner":"alice@localhost","colour":"blue"})", "colour"},
      {"/v1/admin/rooms", R"({"room":"x","owner":"alice@localhost","config":{"persistent":"yes"}})", "persistent"},
      {"/v1/admin/rooms", R"({"room":"x","owner":"alice@localhost","config":{"whois":"everyone"}})", "whois"},
      {"/v1/admin/rooms/standup/kick", R"({"reason":"x"})", "nick"},
      {"/v1/admin/rooms/standup/ban", R"({"jid":"' OR 1=1 --"})", "jid"},
      {"/v1/admin/rooms/standup/affiliation", R"({"jid":"a@b","affiliation":"king"})", "affiliation"},
      {"/v1/admin/rooms/standup/lock", R"({"please":true})", "please"},
      {"/v1/admin/rooms/a%20b/lock", "", "room"},
      // Deep nesting is refused before the parser recurses (it would exhaust the stack).
      {"/v1/admin/rooms", R"({"room":"x","config":)" + std::string(300000, '[') + std::string(300000, ']') + "}",
       "body"},
  };
  for (const auto& [path, body, field] : cases) {
    CAPTURE(path);
    CAPTURE(body.substr(0, 200));
    Reply r = api.post(path, body);
    CHECK(r.status == 400);
    CHECK(r.text("/error/parameter") == field);
  }
  CHECK(api.loop.decisions().empty());  // none of them reached the rooms
  Reply missing = api.post("/v1/admin/rooms/nosuch/lock");
  CHECK(missing.status == 404);
  CHECK(missing.text("/error/code") == "not_found");
  CHECK(missing.text("/error/condition") == "item-not-found");
}

TEST_CASE("admin: a room loop that does not answer gives 503, not a hung request") {
  AdminApi api(std::chrono::milliseconds(200), false);
  Reply r = api.post("/v1/admin/rooms/standup/lock");
  CHECK(r.status == 503);
  CHECK(r.text("/error/code") == "unavailable");
}

TEST_CASE("admin: a loop that cannot keep actions (resource-constraint, wait) gives 503 JSON with Retry-After") {
  Running srv{nullptr};
  AdminOptions o;
  o.domain = "rooms.localhost";
  int asked = 0;
  add_admin_routes(*srv.server,
                   [&asked](core::Command, std::function<void(const core::Decision&)> done) {
                     ++asked;
                     done(core::Decision::fail(
                         core::make_error(core::ErrorCondition::resource_constraint, "the event log is unavailable")));
                   },
                   o);
  srv.start();
  httplib::Headers h{{"Authorization", "Bearer " + create_token(kSecret, Role::admin, 3600, unix_now(), "ops")}};
  auto r = srv.client->Post("/v1/admin/rooms/standup/lock", h, "", "application/json");
  REQUIRE(r);
  CHECK(asked == 1);
  CHECK(r->status == 503);
  CHECK(r->get_header_value("Content-Type") == "application/json");
  CHECK(r->get_header_value("Retry-After") == "1");
  CHECK(r->body == R"({"error":{"code":"unavailable","message":"the event log is unavailable","condition":"resource-constraint"}})");
}

TEST_CASE("admin: occupants of a live room come from the loop with roles, sessions and client info") {
  AdminApi api;
  CHECK(api.get("/v1/admin/rooms/standup/occupants", "").status == 401);
  CHECK(api.get("/v1/admin/rooms/standup/occupants", Running::token(Role::analyst)).status == 403);
  Reply none = api.get("/v1/admin/rooms/standup/occupants");
  CHECK(none.status == 404);
  CHECK(none.text("/error/code") == "not_found");
  CHECK(api.get("/v1/admin/rooms/a%20b/occupants").text("/error/parameter") == "room");
  CHECK(api.get("/v1/admin/rooms/standup/occupants?nick=x").text("/error/parameter") == "nick");

  api.occupied_room();
  Reply r = api.get("/v1/admin/rooms/standup@rooms.localhost/occupants");
  REQUIRE(r.status == 200);
  CHECK(r.text("/room") == "standup@rooms.localhost");
  CHECK(r.text("/count") == "2");
  CHECK(r.text("/locked") == "false");
  REQUIRE(r.size("/occupants") == 2);
  // By nick: alice (the owner, a moderator) then bob.
  CHECK(r.text("/occupants/0/nick") == "alice");
  CHECK(r.text("/occupants/0/jid") == "alice@localhost");
  CHECK(r.text("/occupants/0/role") == "moderator");
  CHECK(r.text("/occupants/0/affiliation") == "owner");
  REQUIRE(r.size("/occupants/0/sessions") == 1);
  CHECK(r.text("/occupants/0/sessions/0/full_jid") == "alice@localhost/web");
  CHECK(r.text("/occupants/0/sessions/0/client/browser") == "firefox");
  CHECK(r.text("/occupants/0/sessions/0/media/audio_paused") == "false");
  CHECK(r.text("/occupants/1/nick") == "bob");
  CHECK(r.text("/occupants/1/role") == "participant");
  CHECK(r.text("/occupants/1/affiliation") == "none");
  CHECK(r.text("/occupants/1/sessions/0/client/browser") == "<absent>");  // bob announced nothing
  // The session id is the occupant_joined event's actor, the users row's sessionid.
  const std::string bob_session = r.text("/occupants/1/sessions/0/sessionid");
  bool found = false;
  for (const auto& d : api.loop.decisions())
    for (const auto& e : d.events)
      if (e.type == core::EventType::occupant_joined && e.actor == bob_session) found = true;
  CHECK(found);
  CHECK(r.text("/occupants/1/sessions/0/joined").size() == 24);  // RFC 3339 with ms

  // Read in order with commands: right after a kick the list no longer has bob.
  REQUIRE(api.post("/v1/admin/rooms/standup/kick", R"({"nick":"bob"})").status == 200);
  REQUIRE(api.post("/v1/admin/rooms/standup/lock").status == 200);
  Reply after = api.get("/v1/admin/rooms/standup/occupants");
  CHECK(after.text("/count") == "1");
  CHECK(after.text("/locked") == "true");
}

TEST_CASE("admin: an occupant list the loop does not answer is 503") {
  AdminApi api(std::chrono::milliseconds(200), false);
  Reply r = api.get("/v1/admin/rooms/standup/occupants");
  CHECK(r.status == 503);
}

TEST_CASE("admin: destroy with purge marks room_destroyed, the lifecycle configuration keys reach the room") {
  AdminApi api;
  api.occupied_room();
  Reply conf = api.post("/v1/admin/rooms/standup/configure",
                        R"({"record_chat_states":true,"invite_grants_membership":false,"enable_archiving":false})");
  REQUIRE(conf.status == 200);
  REQUIRE(event_types(conf) == std::vector<std::string>{"room_configured"});
  // A copy: decisions() returns a temporary.
  const core::RoomConfig cfg = std::get<core::data::RoomConfigured>(api.loop.decisions().back().events.at(0).data).config;
  CHECK(cfg.record_chat_states);
  CHECK_FALSE(cfg.invite_grants_membership);
  CHECK_FALSE(cfg.enable_archiving);
  CHECK(api.post("/v1/admin/rooms/standup/destroy", R"({"purge":"yes"})").status == 400);
  Reply d = api.post("/v1/admin/rooms/standup/destroy", R"({"reason":"gone","purge":true})");
  REQUIRE(d.status == 200);
  const core::Event last = api.loop.decisions().back().events.back();  // a copy: decisions() returns a temporary
  REQUIRE(last.type == core::EventType::room_destroyed);
  CHECK(std::get<core::data::RoomDestroyed>(last.data).purge == std::optional<bool>(true));
}
