#include "tools/mucstreamd/api_server.hpp"

#include "analytics/routes_privacy.hpp"
#include "analytics/server.hpp"
#include "analytics/telemetry.hpp"
#include "sql/forget.hpp"
#include "sql/pg_read_store.hpp"
#include "tools/common/log.hpp"
#include "tools/common/version.hpp"
#include "tools/mucstreamd/domains.hpp"

namespace mucstream::tools {

analytics::ClientTokenSource telemetry_token_source(const Settings& settings, const std::string& domain) {
  const std::string& secret = settings.get("jwt.secret");
  if (secret.empty()) return {};
  const int ttl = settings.get_int("jwt.client_token_ttl");
  if (ttl <= 0) throw SettingsError("--jwt-client-token-ttl must be a positive number of seconds");
  return analytics::client_token_source(secret, ttl, domain);
}

struct ApiServer::Impl {
  std::unique_ptr<sql::PgReadStore> store;
  std::unique_ptr<analytics::HttpServer> server;
  int port = 0;
};

ApiServer::ApiServer(const Settings& settings, analytics::metrics::Registry& registry, analytics::SubmitFn submit,
                     analytics::DomainInspectFn inspect, std::vector<analytics::ReadinessCheck> checks)
    : impl_(std::make_unique<Impl>()) {
  namespace an = analytics;
  const std::string& pg = settings.get("pg");
  if (pg.empty()) throw SettingsError("--pg (or MUCSTREAM_PG) is required: the API reads PostgreSQL");
  if (settings.get("jwt.secret").empty())
    throw SettingsError("--jwt-secret (or MUCSTREAM_JWT_SECRET, or --jwt-secret-file FILE) is required: it verifies API tokens");
  an::ServerConfig cfg;
  try {
    std::tie(cfg.host, cfg.port) = an::parse_listen(settings.get("http.listen"));
  } catch (const std::invalid_argument& e) {
    throw SettingsError(std::string("--http-listen: ") + e.what());
  }
  cfg.cors_origins = an::split_list(settings.get("http.cors_origins"));
  cfg.jwt_secret = settings.get("jwt.secret");
  cfg.max_body_bytes = static_cast<std::size_t>(settings.get_int("http.max_body_bytes"));
  cfg.max_connections = static_cast<std::size_t>(settings.get_int("http.max_connections"));
  cfg.metrics_open = settings.get_bool("metrics.open");
  cfg.metrics_token = settings.get("metrics.token");
  if (cfg.jwt_secret.size() < 32)
    log::warn("api", "the JWT secret is shorter than 32 bytes: tokens are easier to forge by brute force");

  impl_->store = std::make_unique<sql::PgReadStore>(pg, cfg.threads);
  impl_->store->warm_up();
  impl_->server = std::make_unique<an::HttpServer>(cfg, registry);
  an::metrics::register_build_info(registry, kVersion);
  an::add_api_routes(*impl_->server, registry, *impl_->store, std::move(checks));
  // Forgetting a person writes: a connection of its own per request (it is rare), not one of
  // the read pool's.
  an::add_privacy_routes(*impl_->server, {.forget = [pg](const std::string& jid) {
                                             pqxx::connection conn(pg);
                                             return sql::forget_user(conn, jid);
                                           }});
  // Client telemetry is decided by the room loop too; without one (mucstreamd api) the
  // routes still exist and answer 503 saying where telemetry is served.
  const bool owns_rooms = static_cast<bool>(submit);  // read before submit is moved below
  an::TelemetryOptions telemetry;
  telemetry.registry = &registry;
  telemetry.inspect = inspect;  // a tenant client token's rooms are checked on the loop
  an::add_telemetry_routes(*impl_->server, submit, telemetry);
  if (owns_rooms) {
    an::AdminOptions admin;
    const std::vector<std::string> domains = xmpp_domains(settings);
    admin.domain = domains.front();
    admin.more_domains.assign(domains.begin() + 1, domains.end());
    admin.inspect_in = std::move(inspect);
    an::add_admin_routes(*impl_->server, std::move(submit), admin);
  }
  impl_->port = impl_->server->start();
  if (!impl_->store->healthy()) log::warn("api", "PostgreSQL does not answer yet: requests get 503 until it does");
  log::info("api", "listening on http://{}:{}{}", cfg.host.find(':') != std::string::npos ? "[" + cfg.host + "]" : cfg.host,
            impl_->port, owns_rooms ? " (with live room administration and client telemetry)" : "");
}

ApiServer::~ApiServer() { stop(); }

int ApiServer::port() const { return impl_->port; }

void ApiServer::stop() {
  if (impl_->server) impl_->server->stop();
}

}  // namespace mucstream::tools
