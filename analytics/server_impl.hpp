#pragma once
// Inside HttpServer (analytics/server.cpp, analytics/http_connection.cpp only): the routes,
// the Boost.Asio I/O context with its acceptor, the worker pool, and the connection list.
// <utility> before Boost.Asio: with GCC 12 and -std=c++20 asio/awaitable.hpp needs it.
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <chrono>
#include <list>
#include <optional>
#include <string_view>
#include <thread>

#include "analytics/metrics.hpp"
#include "analytics/server.hpp"
#include "core/log.hpp"
#include "sql/read_store.hpp"
#include "sql/tenant_scope.hpp"

namespace mucstream::analytics {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

inline bool equal_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

struct HttpServer::Impl {
  struct Route {
    RouteInfo info;
    RouteHandler handler;
    Dispatch dispatch = Dispatch::pool;
    metrics::Histogram* latency = nullptr;
  };
  class Connection;

  ServerConfig cfg;
  metrics::Registry& registry;
  std::vector<std::unique_ptr<Route>> routes;
  bool started = false;
  std::atomic<bool> serving{false};

  // Every connection not yet destroyed, for eviction and stop(); touched on the I/O thread
  // only (and by stop() once that thread has ended). Declared before the io_context so it
  // outlives the handlers the io_context destroys.
  std::list<Connection*> connections;
  std::size_t open = 0;  // connections not yet closed
  metrics::Gauge* open_gauge = nullptr;

  net::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  net::steady_timer accept_retry{ioc};
  std::optional<net::thread_pool> workers;
  std::thread io_thread;

  Impl(ServerConfig c, metrics::Registry& r) : cfg(std::move(c)), registry(r) {
    if (!cfg.clock) cfg.clock = unix_now;
    if (cfg.threads == 0) cfg.threads = 1;
    if (cfg.max_connections == 0) cfg.max_connections = 1;
    if (cfg.min_bytes_per_second == 0) cfg.min_bytes_per_second = 1;
    open_gauge = &registry.gauge("mucstream_http_connections_open", "HTTP connections open");
  }

  void closed_because(const char* reason) {
    registry
        .counter("mucstream_http_connections_closed_total",
                 "HTTP connections the server closed before the client did, by reason", {{"reason", reason}})
        .inc();
  }

  // The Access-Control-* headers for this request's Origin, if it is allowed.
  bool cors(std::string_view origin, std::vector<std::pair<std::string, std::string>>& out) const {
    if (origin.empty()) return false;
    bool allowed = false;
    bool any = false;
    for (const auto& o : cfg.cors_origins) {
      if (o == "*") any = true;
      if (o == origin) allowed = true;
    }
    if (!allowed && !any) return false;
    out.emplace_back("Access-Control-Allow-Origin", allowed ? std::string(origin) : "*");
    if (allowed) out.emplace_back("Vary", "Origin");
    out.emplace_back("Access-Control-Allow-Headers", "Authorization, Content-Type");
    out.emplace_back("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
    out.emplace_back("Access-Control-Max-Age", "600");
    return true;
  }

  void count(const std::string& route, const std::string& method, int status) {
    registry
        .counter("mucstream_http_requests_total", "HTTP requests answered, by route, method and status",
                 {{"route", route}, {"method", method}, {"status", std::to_string(status)}})
        .inc();
  }

  static HttpResponse error(int status, const std::string& message) {
    HttpResponse res;
    res.status = status;
    res.body = error_body(status, message);
    return res;
  }

  // Checks the token a route needs, from the request head alone (before any body is read).
  // nullopt: allowed (req.principal set when a token was checked); else the answer.
  std::optional<HttpResponse> authorize(const Route& r, std::string_view authorization, HttpRequest& req) const {
    if (r.info.access == Access::open) return std::nullopt;
    if (r.info.access == Access::metrics) {
      if (cfg.metrics_open) return std::nullopt;
      constexpr std::string_view kBearer = "Bearer ";
      if (!cfg.metrics_token.empty() && authorization.substr(0, kBearer.size()) == kBearer &&
          equal_constant_time(authorization.substr(kBearer.size()), cfg.metrics_token))
        return std::nullopt;
    }
    AuthResult auth = verify_authorization(cfg.jwt_secret, authorization, cfg.clock());
    if (!auth.claims) {
      HttpResponse res = error(401, r.info.access == Access::metrics
                                   ? auth.error + " (/metrics needs the metrics token or an analyst token, "
                                                  "unless metrics.open is set)"
                                   : auth.error);
      res.headers.emplace_back("WWW-Authenticate", "Bearer");
      return res;
    }
    if (r.info.access == Access::admin && auth.claims->role != Role::admin)
      return error(403, "this resource needs the admin role");
    if (r.info.access == Access::client && auth.claims->role != Role::client)
      return error(403,
                   "telemetry is reported with a client token for the session "
                   "(mucctl token create --role client --session ID)");
    if (r.info.access != Access::client && auth.claims->role == Role::client)
      return error(403, "a client token may only report telemetry");
    if (r.info.access == Access::poster && auth.claims->role != Role::admin && auth.claims->role != Role::service)
      return error(403, "this resource needs the admin or service role");
    // A user token reads its own rooms' messages and its conversations (Access::reader);
    // the event log and analytics describe everyone, so they stay closed to it.
    if (r.info.access != Access::reader && auth.claims->role == Role::user)
      return error(403, "a user token reads only the messages of its own rooms and its conversations");
    // The process's metrics count every tenant's rooms and requests: not a tenant's to read.
    if (r.info.access == Access::metrics && !auth.claims->tenant.empty())
      return error(403, "/metrics describes every tenant: use a token without a tenant claim");
    req.principal = std::move(auth.claims);
    return std::nullopt;
  }

  // Runs a complete, authorised request through its handler (worker pool or I/O thread).
  HttpResponse run(const Route& r, HttpRequest& req) {
    const auto started_at = Clock::now();
    HttpResponse res;
    try {
      // Routes that act (POST) take no query parameters: one is refused before the handler
      // runs, so a typo never leaves the change made and the answer an error.
      if (r.info.method != "GET") req.query.check_all_used();
      // A tenant token's reads are limited to its tenant for the whole request, whatever the
      // handler queries (sql/tenant_scope.hpp).
      const sql::TenantScope tenant(req.principal ? req.principal->tenant : std::string());
      r.handler(req, res);
      req.query.check_all_used();
    } catch (const ParamError& e) {
      res.status = 400;
      res.content_type = "application/json";
      res.body = error_body(400, e.what(), e.param());
    } catch (const HttpError& e) {
      res.status = e.status();
      res.content_type = "application/json";
      res.body = error_body(e.status(), e.what(), {}, e.condition());
    } catch (const sql::StoreUnavailable& e) {
      res.status = 503;
      res.content_type = "application/json";
      res.body = error_body(503, "the database is unavailable, try again later");
      core::log_write(core::LogLevel::error, "api", r.info.method + " " + req.path + ": " + e.what());
    } catch (const std::exception& e) {
      res.status = 500;
      res.content_type = "application/json";
      res.body = error_body(500, "internal error");
      core::log_write(core::LogLevel::error, "api", r.info.method + " " + req.path + ": " + e.what());
    }
    r.latency->observe(std::chrono::duration<double>(Clock::now() - started_at).count());
    count(r.info.path, r.info.method, res.status);
    return res;
  }

  void accept();
  void on_accept(const beast::error_code& ec, tcp::socket socket);
  bool evict_one();
  void close_all();
};

}  // namespace mucstream::analytics
