// mucstreamd api: the talky-style HTTP API over the PostgreSQL tables the materialiser
// writes. Serves until SIGINT or SIGTERM.
#include <csignal>
#include <pthread.h>

#include "analytics/metrics.hpp"
#include "analytics/pg_store.hpp"
#include "analytics/server.hpp"
#include "tools/common/log.hpp"
#include "tools/mucstreamd/roles.hpp"

namespace mucstream::tools {

int run_api(const Settings& settings) {
  namespace an = analytics;
  const std::string& pg = settings.get("pg");
  if (pg.empty()) throw SettingsError("--pg (or MUCSTREAM_PG) is required: the API reads PostgreSQL");
  if (settings.get("jwt.secret").empty())
    throw SettingsError("--jwt-secret (or MUCSTREAM_JWT_SECRET) is required: it verifies API tokens");
  an::ServerConfig cfg;
  try {
    std::tie(cfg.host, cfg.port) = an::parse_listen(settings.get("http.listen"));
  } catch (const std::invalid_argument& e) {
    throw SettingsError(std::string("--http-listen: ") + e.what());
  }
  cfg.cors_origins = an::split_list(settings.get("http.cors_origins"));
  cfg.jwt_secret = settings.get("jwt.secret");
  if (cfg.jwt_secret.size() < 32)
    log::warn("api", "the JWT secret is shorter than 32 bytes: tokens are easier to forge by brute force");
  cfg.log_error = [](const std::string& m) { log::error("api", "{}", m); };

  // Signals go to the sigwait below, not to the server's threads (which inherit the mask).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  an::metrics::Registry registry;
  an::PgStore store(pg, cfg.threads);
  an::HttpServer server(cfg, registry);
  an::add_api_routes(server, registry, store);
  const int port = server.start();
  if (!store.healthy()) log::warn("api", "PostgreSQL does not answer yet: requests get 503 until it does");
  log::info("api", "listening on http://{}:{}", cfg.host.find(':') != std::string::npos ? "[" + cfg.host + "]" : cfg.host,
            port);
  int sig = 0;
  sigwait(&stop_signals, &sig);
  log::info("api", "signal {}: stopping", sig);
  server.stop();
  return 0;
}

}  // namespace mucstream::tools
