#include "tools/mucstreamd/ops_server.hpp"

#include "tools/common/log.hpp"
#include "tools/common/version.hpp"

namespace mucstream::tools {

OpsServer::OpsServer(const std::string& listen, analytics::metrics::Registry& registry,
                     std::vector<analytics::ReadinessCheck> checks) {
  analytics::ServerConfig cfg;
  std::tie(cfg.host, cfg.port) = analytics::parse_listen(listen);
  cfg.threads = 2;
  // ops.listen is the separate address for probes and scrapes (bind it where only they
  // reach): /metrics needs no token here.
  cfg.metrics_open = true;
  // Every route here is open; the server insists on a secret for token routes, of which
  // there are none, so this one can never verify anything.
  cfg.jwt_secret = "ops-endpoints-have-no-token-routes";
  server_ = std::make_unique<analytics::HttpServer>(cfg, registry);
  analytics::metrics::register_build_info(registry, kVersion);
  analytics::add_probe_routes(*server_, std::move(checks));
  analytics::add_metrics_route(*server_, registry);
  port_ = server_->start();
  log::info("ops", "serving /metrics /healthz /readyz on http://{}:{}", cfg.host, port_);
}

OpsServer::~OpsServer() { stop(); }

void OpsServer::stop() {
  if (server_) server_->stop();
}

std::unique_ptr<OpsServer> ops_server_if_configured(const std::string& listen, analytics::metrics::Registry& registry,
                                                    std::vector<analytics::ReadinessCheck> checks) {
  if (listen.empty()) return nullptr;
  return std::make_unique<OpsServer>(listen, registry, std::move(checks));
}

}  // namespace mucstream::tools
