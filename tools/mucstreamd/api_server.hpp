#pragma once
// The HTTP API as a component any role can embed: `mucstreamd api` runs it alone, and
// `mucstreamd all` runs it next to the room loop, passing the loop's submit() so live room
// administration (/v1/admin/...) and client telemetry (/v1/telemetry) are served too:
//
//   ApiServer api(settings, registry, [&svc](core::Command c, auto done) { svc.submit(std::move(c), std::move(done)); });
//   ... api.port() ...
//   api.stop();
#include <memory>

#include "analytics/admin.hpp"
#include "analytics/auth.hpp"
#include "analytics/metrics.hpp"
#include "analytics/server.hpp"
#include "tools/common/settings.hpp"

namespace mucstream::tools {

// What the room service hands each occupant session so its client can POST /v1/telemetry:
// (session id, room id) -> a client token signed with jwt.secret, valid for
// jwt.client_token_ttl seconds, whose tenant claim is `domain` (the MUC domain of the loop
// whose occupants get it: a client of one tenant can never report into another's rooms).
// Empty when no secret is configured (no API, no tokens). `mucstreamd all` passes one per
// domain to that domain's RoomService::set_telemetry_token_source.
analytics::ClientTokenSource telemetry_token_source(const Settings& settings, const std::string& domain);

class ApiServer {
 public:
  // Reads http.listen, http.cors_origins, jwt.secret, pg (and xmpp.domain's domains for live
  // administration), binds and starts serving on background threads. Throws SettingsError
  // for missing or bad settings, std::runtime_error when the address cannot be bound.
  // `submit` routes each command to the loop of its room's domain; `inspect` reads one
  // domain's live rooms (GET /v1/admin/rooms/{room}/occupants, ids, sweeps).
  // `checks`: the process's connections besides PostgreSQL that GET /readyz reports.
  ApiServer(const Settings& settings, analytics::metrics::Registry& registry, analytics::SubmitFn submit = {},
            analytics::DomainInspectFn inspect = {}, std::vector<analytics::ReadinessCheck> checks = {});
  ~ApiServer();
  int port() const;
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mucstream::tools
