// Every route of the API as `mucstreamd all` serves it (read, messages, live administration,
// telemetry, probes, metrics), walked from the server's own route table so a route added
// later is walked too: the token is checked before anything else (401 without one, 403 with
// the wrong role, whatever the body or parameters), and every error answer has the one
// shape docs/api.md describes, {"error":{"code","message"[,"parameter"][,"condition"]}},
// with a code from the one vocabulary.
#include <doctest/doctest.h>

#include <regex>
#include <set>

#include "analytics/admin.hpp"
#include "analytics/routes_privacy.hpp"
#include "analytics/telemetry.hpp"
#include "core_loop.hpp"
#include "http_support.hpp"
#include "memory_store.hpp"

using namespace mucstream;
using namespace mucstream::analytics;
using namespace mucstream::analytics::testing;

namespace {

const std::set<std::string> kCodes = {"bad_request",      "invalid_parameter", "unauthorized",      "forbidden",
                                      "not_found",        "method_not_allowed", "conflict",         "payload_too_large",
                                      "headers_too_large", "internal",          "not_implemented",  "unavailable"};

// The whole API of `mucstreamd all` over an in-memory store and a real core room loop.
struct WholeApi {
  Loop loop;
  MemoryStore store;
  Running srv{&store};
  std::string session;  // alice's session in standup, for client tokens
  WholeApi() {
    AdminOptions o;
    o.domain = "rooms.localhost";
    o.inspect = [this](std::function<void(const core::Service&)> read) { loop.inspect(std::move(read)); };
    SubmitFn submit = [this](core::Command c, std::function<void(const core::Decision&)> d) {
      loop.submit(std::move(c), std::move(d));
    };
    add_admin_routes(*srv.server, submit, o);
    add_telemetry_routes(*srv.server, submit, {});
    add_privacy_routes(*srv.server, {});  // no PostgreSQL: a valid request gets 503
    srv.start();
  }
  Reply send(const std::string& method, const std::string& path, const std::string& token,
             const std::optional<std::string>& body = std::nullopt) {
    httplib::Headers h;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    httplib::Result r = method == "GET" ? srv.client->Get(path.c_str(), h)
                                        : srv.client->Post(path.c_str(), h, body.value_or(""), "application/json");
    Reply out;
    if (!r) return out;
    out.status = r->status;
    out.body = r->body;
    out.headers = r->headers;
    out.json.Parse(out.body.c_str());
    return out;
  }
  // A token of the role the route needs, and one of a role it refuses.
  std::string allowed(Access a) const {
    switch (a) {
      case Access::admin: return create_token(kSecret, Role::admin, 3600, unix_now(), "ops");
      case Access::client: return create_client_token(kSecret, "0190f3c2-8a4b-7000-8000-00000000000a", "", 3600, unix_now());
      case Access::poster: return create_token(kSecret, Role::service, 3600, unix_now(), "backend");
      case Access::reader: return Running::content_token();
      default: return Running::token(Role::analyst);
    }
  }
  std::string refused(Access a) const {
    switch (a) {
      case Access::admin:
      case Access::poster: return Running::token(Role::analyst);
      case Access::client: return create_token(kSecret, Role::admin, 3600, unix_now(), "ops");
      case Access::reader:
      case Access::metrics: return create_client_token(kSecret, "s", "", 3600, unix_now());
      default: return create_token(kSecret, Role::user, 3600, unix_now(), "alice@localhost");
    }
  }
};

// The route's path with every {parameter} filled in.
std::string concrete(const std::string& path) { return std::regex_replace(path, std::regex("\\{[^}]+\\}"), "standup"); }

// Checks one error answer's body against the documented shape.
void check_error_shape(int status, const rapidjson::Value& doc, const std::string& body) {
  CAPTURE(status);
  CAPTURE(body);
  REQUIRE(doc.IsObject());
  REQUIRE(doc.MemberCount() == 1);
  REQUIRE(doc.HasMember("error"));
  const rapidjson::Value& e = doc["error"];
  REQUIRE(e.IsObject());
  for (const auto& m : e.GetObject()) {
    const std::string k = m.name.GetString();
    CHECK_MESSAGE((k == "code" || k == "message" || k == "parameter" || k == "condition"), "unexpected member " << k);
    CHECK_MESSAGE(m.value.IsString(), k << " is not a string");
    if (m.value.IsString()) CHECK_MESSAGE(m.value.GetStringLength() > 0, k << " is empty");
  }
  REQUIRE(e.HasMember("code"));
  REQUIRE(e.HasMember("message"));
  const std::string code = e["code"].GetString();
  CHECK_MESSAGE(kCodes.count(code) == 1, code << " is not in the vocabulary");
  // The code follows from the status (and, for 400, from whether a parameter is named).
  CHECK(code == error_code(status, e.HasMember("parameter")));
  if (e.HasMember("condition")) {
    // An XMPP condition is an RFC 6120 element name: lower case, words joined by hyphens.
    CHECK(std::regex_match(std::string(e["condition"].GetString()), std::regex("[a-z]+(-[a-z]+)*")));
  }
}
void check_error_shape(const Reply& r) {
  CHECK(r.status >= 400);
  CHECK(r.header("Content-Type") == "application/json");
  check_error_shape(r.status, r.json, r.body);
}

}  // namespace

TEST_CASE("every route: no token is 401 before the body or parameters are looked at") {
  WholeApi api;
  std::size_t walked = 0;
  for (const RouteInfo& r : api.srv.server->routes()) {
    if (r.access == Access::open) continue;
    CAPTURE(r.method + " " + r.path);
    const std::string path = concrete(r.path);
    const std::vector<std::string> targets = {path, path + "?undocumented=1&page=-1", path + "?a=%zz"};
    for (const auto& target : targets) {
      CAPTURE(target);
      for (const std::optional<std::string>& body :
           {std::optional<std::string>(), std::optional<std::string>(""), std::optional<std::string>("{not json"),
            std::optional<std::string>(R"({"unknown":[1,2,3]})")}) {
        if (r.method == "GET" && body) continue;
        for (const std::string& token : {std::string(), std::string("not.a.token")}) {
          const Reply reply = api.send(r.method, target, token, body);
          CHECK(reply.status == 401);
          CHECK(reply.header("WWW-Authenticate") == "Bearer");
          check_error_shape(reply);
        }
      }
    }
    ++walked;
  }
  CHECK(walked >= 30);
  CHECK(api.loop.decisions().empty());  // nothing reached the rooms
}

TEST_CASE("every route: a valid token of the wrong role is 403, whatever the body or parameters") {
  WholeApi api;
  for (const RouteInfo& r : api.srv.server->routes()) {
    if (r.access == Access::open) continue;
    CAPTURE(r.method + " " + r.path);
    const std::string path = concrete(r.path) + "?undocumented=1";
    const Reply reply = api.send(r.method, path, api.refused(r.access), std::string("{not json"));
    CHECK(reply.status == 403);
    check_error_shape(reply);
  }
  CHECK(api.loop.decisions().empty());
}

TEST_CASE("every route: with the right token, bad input is an error of the one shape") {
  WholeApi api;
  for (const RouteInfo& r : api.srv.server->routes()) {
    CAPTURE(r.method + " " + r.path);
    const std::string token = r.access == Access::open ? std::string() : api.allowed(r.access);
    const std::string path = concrete(r.path);
    // An unknown query parameter is refused on every route (a read route may first find that
    // there is no room "standup": 404).
    const Reply unknown = api.send(r.method, path + "?undocumented=1", token, std::string("{}"));
    CHECK((unknown.status == 400 || (r.method == "GET" && unknown.status == 404)));
    check_error_shape(unknown);
    if (r.method == "POST") {
      const Reply malformed = api.send(r.method, path, token, std::string("{not json"));
      CHECK(malformed.status == 400);
      CHECK(malformed.text("/error/code") == "invalid_parameter");
      CHECK(malformed.text("/error/parameter") == "body");
      check_error_shape(malformed);
    }
  }
}

TEST_CASE("every error the server itself or the room service decides has the same shape") {
  WholeApi api;
  const std::string admin = api.allowed(Access::admin);
  std::vector<Reply> errors;
  // The server's own: unknown path, wrong method, bad percent-encoding, bad query encoding.
  errors.push_back(api.send("GET", "/v1/nothing-here", admin));
  errors.push_back(api.send("POST", "/v1/rooms", admin, std::string("{}")));
  errors.push_back(api.send("GET", "/v1/rooms/%zz", admin));
  errors.push_back(api.send("GET", "/v1/rooms?name=%zz", admin));
  // Read side: no such room, a bad parameter.
  errors.push_back(api.send("GET", "/v1/rooms/nosuch", admin));
  errors.push_back(api.send("GET", "/v1/rooms?page=0", admin));
  // The room service: no such room (item-not-found), a room that exists (conflict), a lock
  // of a locked room (nothing to change), a kick of nobody.
  REQUIRE(api.send("POST", "/v1/admin/rooms", admin, std::string(R"({"room":"standup","owner":"alice@localhost"})"))
              .status == 201);
  errors.push_back(api.send("POST", "/v1/admin/rooms/nosuch/lock", admin, std::string("{}")));
  errors.push_back(api.send("POST", "/v1/admin/rooms", admin, std::string(R"({"room":"standup","owner":"alice@localhost"})")));
  REQUIRE(api.send("POST", "/v1/admin/rooms/standup/lock", admin, std::string("{}")).status == 200);
  errors.push_back(api.send("POST", "/v1/admin/rooms/standup/lock", admin, std::string("{}")));
  errors.push_back(api.send("POST", "/v1/admin/rooms/standup/kick", admin, std::string(R"({"nick":"nobody"})")));
  errors.push_back(api.send("POST", "/v1/admin/rooms/standup/configure", admin, std::string(R"({"history_length":100000})")));
  errors.push_back(api.send("POST", "/v1/telemetry", api.allowed(Access::client),
                            std::string(R"({"eventType":"audio_paused","roomId":"0190f3c2-8a40-7000-8000-000000000099"})")));
  std::set<std::string> codes, conditions;
  for (const Reply& r : errors) {
    check_error_shape(r);
    codes.insert(r.text("/error/code"));
    if (r.text("/error/condition") != "<absent>") conditions.insert(r.text("/error/condition"));
  }
  CHECK(codes == std::set<std::string>{"not_found", "method_not_allowed", "bad_request", "invalid_parameter",
                                       "conflict"});
  CHECK(conditions == std::set<std::string>{"item-not-found", "conflict", "not-acceptable"});
  // A batch's rejected items carry the same error object.
  Reply batch = api.send(
      "POST", "/v1/telemetry", api.allowed(Access::client),
      std::string(R"({"batch":[{"eventType":"audio_paused","roomId":"0190f3c2-8a40-7000-8000-000000000099"}]})"));
  REQUIRE(batch.status == 202);
  REQUIRE(batch.text("/results/0/status") == "rejected");
  rapidjson::Document wrapped;
  wrapped.SetObject();
  rapidjson::Value item(batch.json["results"][0]["error"], wrapped.GetAllocator());
  wrapped.AddMember("error", item, wrapped.GetAllocator());
  check_error_shape(404, wrapped, batch.body);
}

TEST_CASE("error codes: one per status, two for 400") {
  CHECK(error_code(400) == "bad_request");
  CHECK(error_code(400, true) == "invalid_parameter");
  CHECK(error_code(401) == "unauthorized");
  CHECK(error_code(403) == "forbidden");
  CHECK(error_code(404) == "not_found");
  CHECK(error_code(405) == "method_not_allowed");
  CHECK(error_code(409) == "conflict");
  CHECK(error_code(413) == "payload_too_large");
  CHECK(error_code(431) == "headers_too_large");
  CHECK(error_code(500) == "internal");
  CHECK(error_code(501) == "not_implemented");
  CHECK(error_code(503) == "unavailable");
  for (int s = 400; s < 600; ++s) CHECK(kCodes.count(std::string(error_code(s))) == 1);
}
