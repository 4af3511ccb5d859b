// Live room administration for a service with several MUC domains (one room loop each):
// {room} as a local part is of the default domain or of ?domain=, a bare JID of any of ours
// names that domain's room, an id is looked up on every domain's loop, and a sweep lists the
// rooms of every domain. Two test loops stand for the two domains' room loops.
#include <doctest/doctest.h>

#include <set>

#include "analytics/admin.hpp"
#include "core_loop.hpp"
#include "http_support.hpp"

using namespace mucstream;
using namespace mucstream::analytics;
using namespace mucstream::analytics::testing;

namespace {

const std::string kA = "rooms.localhost", kB = "globex.localhost";

struct TwoDomainAdmin {
  Loop a;
  Loop b{1'895'316'645'000};  // another clock: the loops' sequential ids must not collide
  Running srv{nullptr};
  std::string admin = create_token(kSecret, Role::admin, 3600, unix_now(), "ops");
  Loop& loop_of(const std::string& domain) { return domain == kB ? b : a; }
  TwoDomainAdmin() {
    AdminOptions o;
    o.domain = kA;
    o.more_domains = {kB};
    o.inspect_in = [this](const std::string& domain, std::function<void(const core::Service&)> read) {
      loop_of(domain).inspect(std::move(read));
    };
    // As mucstreamd routes them: by the room's domain (sweeps are only listed here: dry runs).
    SubmitFn submit = [this](core::Command c, std::function<void(const core::Decision&)> done) {
      const std::string room = std::visit(
          [](const auto& x) -> std::string {
            if constexpr (requires { { x.room } -> std::convertible_to<std::string>; }) return x.room;
            else return {};
          },
          c);
      loop_of(room.substr(room.find('@') + 1)).submit(std::move(c), std::move(done));
    };
    add_admin_routes(*srv.server, submit, o);
    srv.start();
  }
  Reply call(const std::string& method, const std::string& path, const std::string& body = "") {
    httplib::Headers h{{"Authorization", "Bearer " + admin}};
    auto r = method == "GET" ? srv.client->Get(path.c_str(), h) : srv.client->Post(path.c_str(), h, body, "application/json");
    Reply out;
    if (!r) return out;
    out.status = r->status;
    out.body = r->body;
    out.json.Parse(out.body.c_str());
    return out;
  }
};

std::string error_parameter(const Reply& r) {
  return r.json.IsObject() && r.json.HasMember("error") && r.json["error"].HasMember("parameter")
             ? r.json["error"]["parameter"].GetString()
             : "";
}

}  // namespace

TEST_CASE("admin, several domains: local parts, bare JIDs, ?domain= and ids name the room of the right domain") {
  TwoDomainAdmin t;
  // The same local part: the default domain's room, then globex's by its bare JID.
  REQUIRE(t.call("POST", "/v1/admin/rooms", R"({"room":"standup","owner":"alice@localhost"})").status == 201);
  const Reply created_b =
      t.call("POST", "/v1/admin/rooms", R"({"room":"standup@globex.localhost","owner":"bob@localhost"})");
  REQUIRE(created_b.status == 201);
  const std::string id_b = created_b.json["events"][0]["room_id"].GetString();
  CHECK(std::string(created_b.json["events"][0]["room"].GetString()) == "standup@" + kB);

  Reply r = t.call("GET", "/v1/admin/rooms/standup/occupants");
  REQUIRE(r.status == 200);
  CHECK(std::string(r.json["room"].GetString()) == "standup@" + kA);
  r = t.call("GET", "/v1/admin/rooms/standup/occupants?domain=" + kB);
  REQUIRE(r.status == 200);
  CHECK(std::string(r.json["room"].GetString()) == "standup@" + kB);
  CHECK(std::string(r.json["room_id"].GetString()) == id_b);
  r = t.call("GET", "/v1/admin/rooms/standup%40globex.localhost/occupants");
  REQUIRE(r.status == 200);
  CHECK(std::string(r.json["room_id"].GetString()) == id_b);
  // An id is found on whichever loop has it; ?domain= limits the search to that domain.
  r = t.call("GET", "/v1/admin/rooms/" + id_b + "/occupants");
  REQUIRE(r.status == 200);
  CHECK(std::string(r.json["room"].GetString()) == "standup@" + kB);
  CHECK(t.call("GET", "/v1/admin/rooms/" + id_b + "/occupants?domain=" + kA).status == 404);

  // Not ours: 400 naming the parameter to blame.
  r = t.call("GET", "/v1/admin/rooms/standup/occupants?domain=rooms.elsewhere");
  CHECK(r.status == 400);
  CHECK(error_parameter(r) == "domain");
  r = t.call("GET", "/v1/admin/rooms/standup%40rooms.elsewhere/occupants");
  CHECK(r.status == 400);
  CHECK(error_parameter(r) == "room");
  r = t.call("GET", "/v1/admin/rooms/standup%40globex.localhost/occupants?domain=" + kA);
  CHECK(r.status == 400);
  CHECK(error_parameter(r) == "domain");
  // POST routes take no query: the other domain's room is named by its bare JID.
  CHECK(t.call("POST", "/v1/admin/rooms/standup/lock?domain=" + kB, "{}").status == 400);
  r = t.call("POST", "/v1/admin/rooms/standup%40globex.localhost/lock", "{}");
  CHECK(r.status == 200);
  CHECK(t.call("GET", "/v1/admin/rooms/standup/occupants?domain=" + kB).json["locked"].GetBool());
  CHECK_FALSE(t.call("GET", "/v1/admin/rooms/standup/occupants").json["locked"].GetBool());
}

TEST_CASE("admin, several domains: a sweep lists the rooms of every domain") {
  TwoDomainAdmin t;
  REQUIRE(t.call("POST", "/v1/admin/rooms", R"({"room":"one","owner":"alice@localhost"})").status == 201);
  REQUIRE(t.call("POST", "/v1/admin/rooms", R"({"room":"two@globex.localhost","owner":"bob@localhost"})").status == 201);
  const Reply r = t.call("POST", "/v1/admin/rooms/destroy-empty", R"({"dry_run":true})");
  REQUIRE(r.status == 200);
  std::set<std::string> rooms;
  for (const auto& x : r.json["rooms"].GetArray()) rooms.insert(x["room"].GetString());
  CHECK(rooms == std::set<std::string>{"one@" + kA, "two@" + kB});
}
