// POST /v1/rooms/{room}/messages and the room naming rule on live-administration routes,
// against the real core on a loop thread (as tests/analytics/test_admin.cpp).
#include <doctest/doctest.h>

#include "analytics/admin.hpp"
#include "core_loop.hpp"
#include "http_support.hpp"

using namespace mucstream;
using namespace mucstream::analytics;
using namespace mucstream::analytics::testing;

namespace {

core::Jid jid(const char* s) { return std::get<core::Jid>(core::Jid::parse(s)); }

struct LiveApi {
  Loop loop;
  Running srv{nullptr};
  std::string admin = create_token(kSecret, Role::admin, 3600, unix_now(), "ops");
  std::string service = create_token(kSecret, Role::service, 3600, unix_now(), "billing-backend");
  LiveApi() {
    AdminOptions o;
    o.domain = "rooms.localhost";
    o.inspect = [this](std::function<void(const core::Service&)> read) { loop.inspect(std::move(read)); };
    add_admin_routes(*srv.server, [this](core::Command c, auto done) { loop.submit(std::move(c), std::move(done)); }, o);
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
  // A live room with alice in it; returns its room id.
  std::string room_with_alice() {
    REQUIRE(post("/v1/admin/rooms", R"({"room":"standup","owner":"alice@localhost"})", admin).status == 201);
    core::Join a;
    a.user = jid("alice@localhost/web");
    a.room = "standup@rooms.localhost";
    a.nick = "alice";
    REQUIRE(loop.run(a).ok());
    std::string id;
    std::promise<void> done;
    loop.inspect([&](const core::Service& s) {
      id = s.find("standup@rooms.localhost")->room_id;
      done.set_value();
    });
    done.get_future().wait();
    return id;
  }
  std::optional<core::MessageOut> last_message() {
    const auto ds = loop.decisions();
    for (const auto& x : ds.back().deliveries)
      if (const auto* m = std::get_if<core::MessageOut>(&x)) return *m;
    return std::nullopt;
  }
};

}  // namespace

TEST_CASE("post message: a service token posts into a live room, relayed from the room and recorded as message_sent") {
  LiveApi api;
  api.room_with_alice();
  Reply r = api.post("/v1/rooms/standup/messages", R"({"body":"Build <42> & counting"})", api.service);
  REQUIRE(r.status == 201);
  CHECK(r.text("/events/0/type") == "message_sent");
  CHECK(r.text("/notified") == "1");
  const core::Decision d = api.loop.decisions().back();
  REQUIRE(d.events.size() == 1);
  const auto& sent = std::get<core::data::MessageSent>(d.events[0].data);
  CHECK(sent.nick.empty());  // from the room itself
  CHECK(sent.by == std::optional<std::string>("admin:billing-backend"));
  CHECK(sent.payload == "<body>Build &lt;42&gt; &amp; counting</body>");
  const auto m = api.last_message();
  REQUIRE(m.has_value());
  CHECK(m->to == std::vector<std::string>{"alice@localhost/web"});
  CHECK(m->nick.empty());
  CHECK(m->stanza_id == d.events[0].id);  // the archive id a client sees
  // The room's history keeps it for newcomers, like any message.
  std::promise<std::size_t> history;
  api.loop.inspect([&](const core::Service& s) { history.set_value(s.find("standup@rooms.localhost")->history.size()); });
  CHECK(history.get_future().get() == 1);
}

TEST_CASE("post message: admin and service only, bad bodies 400, no live room 404") {
  LiveApi api;
  api.room_with_alice();
  CHECK(api.post("/v1/rooms/standup/messages", R"({"body":"hi"})", "").status == 401);
  CHECK(api.post("/v1/rooms/standup/messages", R"({"body":"hi"})", Running::token(Role::analyst)).status == 403);
  CHECK(api.post("/v1/rooms/standup/messages", R"({"body":"hi"})",
                 create_token(kSecret, Role::user, 3600, unix_now(), "alice@localhost")).status == 403);
  CHECK(api.post("/v1/rooms/standup/messages", R"({"body":"hi"})", api.admin).status == 201);
  Reply empty = api.post("/v1/rooms/standup/messages", R"({"body":""})", api.admin);
  CHECK(empty.status == 400);
  CHECK(empty.text("/error/parameter") == "body");
  CHECK(api.post("/v1/rooms/standup/messages", R"({"body":"hi","nick":"x"})", api.admin).status == 400);
  CHECK(api.post("/v1/rooms/standup/messages", "{\"body\":\"a\\u0001b\"}", api.admin).status == 400);
  Reply gone = api.post("/v1/rooms/nosuch/messages", R"({"body":"hi"})", api.admin);
  CHECK(gone.status == 404);
  CHECK(gone.text("/error/code") == "not_found");
  CHECK(gone.text("/error/condition") == "item-not-found");
}

TEST_CASE("room naming: live administration takes the room's id, bare JID or local part") {
  LiveApi api;
  const std::string id = api.room_with_alice();
  CHECK(api.post("/v1/rooms/" + id + "/messages", R"({"body":"by id"})", api.admin).status == 201);
  CHECK(api.post("/v1/rooms/standup@rooms.localhost/messages", R"({"body":"by jid"})", api.admin).status == 201);
  CHECK(api.post("/v1/rooms/standup/messages", R"({"body":"by name"})", api.admin).status == 201);
  Reply lock = api.post("/v1/admin/rooms/" + id + "/lock", "{}", api.admin);
  CHECK(lock.status == 200);
  CHECK(lock.text("/events/0/room") == "standup@rooms.localhost");
  CHECK(api.post("/v1/admin/rooms/standup@rooms.localhost/unlock", "{}", api.admin).status == 200);
  // An id names one lifetime: once destroyed, it names no live room.
  CHECK(api.post("/v1/admin/rooms/" + id + "/destroy", "{}", api.admin).status == 200);
  Reply old = api.post("/v1/admin/rooms/" + id + "/lock", "{}", api.admin);
  CHECK(old.status == 404);
  CHECK(old.text("/error/code") == "not_found");
}
