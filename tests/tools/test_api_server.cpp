// The embeddable API server of mucstreamd: settings in, routes out; with a room loop's
// submit() it also serves live administration (what `mucstreamd all` wires).
#include <doctest/doctest.h>
#include <httplib.h>

#include "analytics/auth.hpp"
#include "tests/analytics/core_loop.hpp"
#include "tools/common/version.hpp"
#include "tools/mucstreamd/api_server.hpp"
#include "tools/mucstreamd/roles.hpp"

using namespace mucstream;
using namespace mucstream::tools;

namespace {
const std::string kSecret = "api-server-test-secret-0123456789abcdef";

Settings settings(std::vector<const char*> args) {
  Settings s(mucstreamd_settings());
  s.parse(static_cast<int>(args.size()), args.data(), {});
  return s;
}
}  // namespace

TEST_CASE("api server: refuses to start without its settings") {
  analytics::metrics::Registry reg;
  CHECK_THROWS_AS(ApiServer(settings({"--jwt-secret", kSecret.c_str(), "--http-listen", "127.0.0.1:0"}), reg), SettingsError);
  CHECK_THROWS_AS(ApiServer(settings({"--pg", "host=127.0.0.1 port=1", "--http-listen", "127.0.0.1:0"}), reg), SettingsError);
  CHECK_THROWS_AS(ApiServer(settings({"--pg", "host=127.0.0.1 port=1", "--jwt-secret", kSecret.c_str(), "--http-listen",
                                      "nowhere"}),
                            reg),
                  SettingsError);
}

TEST_CASE("api server: /metrics names the build that serves it") {
  analytics::metrics::Registry reg;
  ApiServer api(settings({"--pg", "host=127.0.0.1 port=1 connect_timeout=1", "--jwt-secret", kSecret.c_str(),
                          "--http-listen", "127.0.0.1:0", "--metrics-token", "scrape-token"}),
                reg);
  httplib::Client c("127.0.0.1", api.port());
  CHECK(c.Get("/metrics")->status == 401);
  auto r = c.Get("/metrics", {{"Authorization", "Bearer scrape-token"}});
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(std::string(kVersion).rfind(MUCSTREAM_PROJECT_VERSION, 0) == 0);  // project()'s version first
  CHECK(r->body.find("# TYPE mucstream_build_info gauge\n") != std::string::npos);
  CHECK(r->body.find("mucstream_build_info{version=\"" + std::string(kVersion) + "\"} 1\n") != std::string::npos);
}

TEST_CASE("api server: live administration is served only when given the room loop") {
  const auto args = std::vector<const char*>{"--pg", "host=127.0.0.1 port=1 connect_timeout=1", "--jwt-secret",
                                             kSecret.c_str(), "--http-listen", "127.0.0.1:0", "--xmpp-domain",
                                             "rooms.example.org"};
  const std::string admin = analytics::create_token(kSecret, analytics::Role::admin, 600, analytics::unix_now());
  const httplib::Headers auth = {{"Authorization", "Bearer " + admin}};
  const std::string body = R"({"room":"standup","owner":"alice@example.org"})";
  {
    analytics::metrics::Registry reg;
    ApiServer alone(settings(args), reg);
    httplib::Client c("127.0.0.1", alone.port());
    auto r = c.Post("/v1/admin/rooms", auth, body, "application/json");
    REQUIRE(r);
    CHECK(r->status == 404);
    auto h = c.Get("/readyz");
    REQUIRE(h);
    CHECK(h->status == 503);  // no PostgreSQL on port 1
    CHECK(h->body.find(R"("not_ready":["postgresql"])") != std::string::npos);
  }
  analytics::testing::Loop loop;
  analytics::metrics::Registry reg;
  ApiServer with_loop(settings(args), reg, [&loop](core::Command cmd, std::function<void(const core::Decision&)> done) {
    loop.submit(std::move(cmd), std::move(done));
  });
  httplib::Client c("127.0.0.1", with_loop.port());
  auto r = c.Post("/v1/admin/rooms", auth, body, "application/json");
  REQUIRE(r);
  CHECK(r->status == 201);
  CHECK(r->body.find("\"room\":\"standup@rooms.example.org\"") != std::string::npos);  // the configured domain
  auto other = c.Post("/v1/admin/rooms", auth, R"({"room":"x@rooms.localhost","owner":"alice@example.org"})",
                      "application/json");
  REQUIRE(other);
  CHECK(other->status == 400);
}

TEST_CASE("api server: client telemetry is 503 alone and decided by the room loop when given one") {
  const auto args = std::vector<const char*>{"--pg", "host=127.0.0.1 port=1 connect_timeout=1", "--jwt-secret",
                                             kSecret.c_str(), "--http-listen", "127.0.0.1:0", "--xmpp-domain",
                                             "rooms.localhost"};
  analytics::testing::Loop loop;
  core::Join j;
  j.user = std::get<core::Jid>(core::Jid::parse("alice@localhost/web"));
  j.room = "standup@rooms.localhost";
  j.nick = "alice";
  const core::Decision joined = loop.run(j);
  REQUIRE(joined.ok());
  const core::Event& e = joined.events.back();
  const httplib::Headers auth = {
      {"Authorization", "Bearer " + analytics::mint_client_token(kSecret, e.actor, e.room_id, 600)}};
  const std::string body = R"({"eventType":"started_speaking","roomId":")" + e.room_id + "\"}";
  {
    analytics::metrics::Registry reg;
    ApiServer alone(settings(args), reg);
    httplib::Client c("127.0.0.1", alone.port());
    auto r = c.Post("/v1/telemetry", auth, body, "application/json");
    REQUIRE(r);
    CHECK(r->status == 503);
    CHECK(r->body.find("mucstreamd all") != std::string::npos);
  }
  analytics::metrics::Registry reg;
  ApiServer with_loop(settings(args), reg, [&loop](core::Command cmd, std::function<void(const core::Decision&)> done) {
    loop.submit(std::move(cmd), std::move(done));
  });
  httplib::Client c("127.0.0.1", with_loop.port());
  auto r = c.Post("/telemetry", auth, body, "application/json");
  REQUIRE(r);
  CHECK(r->status == 202);
  const core::Decision last = loop.decisions().back();
  REQUIRE(last.events.size() == 1);
  CHECK(last.events[0].type == core::EventType::started_speaking);
  CHECK(last.events[0].actor == e.actor);
}

TEST_CASE("api server: the telemetry token source signs client tokens with the API's secret, lifetime and the loop's domain") {
  const std::string kDomain = "rooms.example.org";
  CHECK_FALSE(telemetry_token_source(settings({}), kDomain));  // no secret: no API, no tokens
  const auto source =
      telemetry_token_source(settings({"--jwt-secret", kSecret.c_str(), "--jwt-client-token-ttl", "600"}), kDomain);
  REQUIRE(source);
  const analytics::AuthResult r = analytics::verify_token(kSecret, source("sess-1", "room-1"), analytics::unix_now());
  REQUIRE(r.claims.has_value());
  CHECK(r.claims->role == analytics::Role::client);
  CHECK(r.claims->session == "sess-1");
  CHECK(r.claims->room_id == "room-1");
  CHECK(r.claims->tenant == kDomain);  // the occupant's tenant: its room's domain
  CHECK(r.claims->expires - analytics::unix_now() <= 600);
  CHECK(r.claims->expires - analytics::unix_now() > 590);
  const auto twelve_hours = telemetry_token_source(settings({"--jwt-secret", kSecret.c_str()}), kDomain);
  const analytics::AuthResult d = analytics::verify_token(kSecret, twelve_hours("s", ""), analytics::unix_now());
  REQUIRE(d.claims.has_value());
  CHECK(d.claims->expires - analytics::unix_now() > 43000);
  CHECK_THROWS_AS(telemetry_token_source(settings({"--jwt-secret", kSecret.c_str(), "--jwt-client-token-ttl", "0"}), kDomain),
                  SettingsError);
}
