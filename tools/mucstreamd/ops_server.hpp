#pragma once
// The operations endpoints of roles without the HTTP API (component, materialize), on
// ops.listen: GET /metrics, /healthz (alive) and /readyz (the role's connections). Roles
// with the API (api, all) serve the same three routes on http.listen instead.
#include <memory>
#include <string>
#include <vector>

#include "analytics/metrics.hpp"
#include "analytics/server.hpp"

namespace mucstream::tools {

class OpsServer {
 public:
  // `listen` is HOST:PORT (port 0: any free one). Binds and serves on background threads;
  // throws std::runtime_error when the address cannot be bound.
  OpsServer(const std::string& listen, analytics::metrics::Registry& registry,
            std::vector<analytics::ReadinessCheck> checks);
  ~OpsServer();
  int port() const { return port_; }
  void stop();

 private:
  std::unique_ptr<analytics::HttpServer> server_;
  int port_ = 0;
};

// An OpsServer on `listen` (the ops.listen setting), or nothing when it is empty.
std::unique_ptr<OpsServer> ops_server_if_configured(const std::string& listen, analytics::metrics::Registry& registry,
                                                    std::vector<analytics::ReadinessCheck> checks);

}  // namespace mucstream::tools
