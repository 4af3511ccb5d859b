#pragma once
// The HTTP server every mucstream HTTP resource is served by (read API, administration,
// telemetry, probes): event-driven (Boost.Beast on one I/O thread), so a slow or idle
// connection costs a little memory and never a thread; handlers run on a worker pool once a
// request is complete. Deadlines on every phase of a connection, a cap on open connections,
// bodies refused by size before they are read, bearer-JWT access per route, CORS, JSON
// errors {"error":{"code","message",…}} (error_code below) and per-route request metrics. Boost and RapidJSON
// stay inside the .cpp files; handlers see the small types below.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analytics/auth.hpp"
#include "analytics/params.hpp"

namespace mucstream::sql {
class ReadStore;
}

namespace mucstream::analytics {

namespace metrics {
class Registry;
}
class JsonOut;  // analytics/json.hpp

// open: no token needed; analyst: an analyst or admin token; admin: an admin token;
// client: a client token (POST /v1/telemetry), which opens nothing else.
// metrics: no token when ServerConfig::metrics_open, else the metrics token or an analyst
// or admin token.
// reader: an analyst, admin or service token, or a user token (whose handler then limits
// it to what that user may read: check_user_room in room_names.hpp). poster: an admin or
// service token (messages from the service into live rooms).
enum class Access { open, analyst, admin, client, metrics, reader, poster };

// Where a handler runs: on the worker pool (anything that may wait: PostgreSQL, the room
// loop), or inline on the I/O thread (constant-time answers such as /healthz, which must
// never wait behind the pool).
enum class Dispatch { pool, inline_io };

struct HttpRequest {
  std::string method, path;
  std::vector<std::string> path_params;  // the {…} segments of the route, in order
  Query query;
  std::string body;
  std::optional<TokenClaims> principal;  // set on routes that need a token
};

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

// The one vocabulary of error codes (docs/api.md, "Errors"): the code follows from the
// status alone, except 400, which is invalid_parameter when a parameter, path segment or
// body field is named and bad_request otherwise. Every error answer of every route is
// {"error":{"code","message"[,"parameter"][,"condition"]}}.
std::string_view error_code(int status, bool names_parameter = false);

// Thrown by handlers for a non-2xx answer. `condition`: the XMPP condition when the room
// service refused the request (analytics/refusals.hpp), empty otherwise.
class HttpError : public std::runtime_error {
 public:
  HttpError(int status, const std::string& message, std::string condition = {})
      : std::runtime_error(message), status_(status), condition_(std::move(condition)) {}
  int status() const { return status_; }
  std::string_view code() const { return error_code(status_); }
  const std::string& condition() const { return condition_; }

 private:
  int status_;
  std::string condition_;
};

// {"error":{"code":…,"message":…[,"parameter":…][,"condition":…]}}, the code from `status`.
std::string error_body(int status, const std::string& message, const std::string& parameter = {},
                       const std::string& condition = {});
// The inner object of error_body, for answers that carry several (telemetry batches).
void write_error(JsonOut& j, int status, const std::string& message, const std::string& parameter = {},
                 const std::string& condition = {});

struct ServerConfig {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (start() returns it)
  std::vector<std::string> cors_origins;  // exact origins, or "*"
  std::string jwt_secret;
  std::size_t threads = 16;               // worker threads running handlers (not connections)
  std::size_t keep_alive_max_requests = 1000;
  int keep_alive_timeout_seconds = 5;     // an idle keep-alive connection is closed after this
  std::function<std::int64_t()> clock;    // seconds since the epoch; default: system clock
  // Limits and deadlines: what one connection may cost before it is closed.
  std::size_t max_body_bytes = 1u << 20;  // larger: 413, by Content-Length or by bytes read
  std::size_t max_header_bytes = 16u << 10;  // request line and headers; larger: 431
  std::size_t max_connections = 512;      // beyond: the oldest idle (or still-reading) one goes
  int head_timeout_seconds = 10;          // the whole request head, from accept or first byte
  // The body must arrive within head_timeout_seconds + length / this rate; a response must
  // be written within the same allowance for its size.
  std::size_t min_bytes_per_second = 16u << 10;
  // /metrics (Access::metrics): open to anyone, or a static bearer token (for scrapers)
  // besides analyst and admin JWTs.
  bool metrics_open = false;
  std::string metrics_token;
};

// "HOST:PORT", "[v6]:PORT" or ":PORT" (127.0.0.1). Throws std::invalid_argument.
std::pair<std::string, int> parse_listen(const std::string& text);
// "a, b" -> {"a","b"}; empty -> {}.
std::vector<std::string> split_list(const std::string& text);

struct RouteInfo {
  std::string method;  // GET, POST, …
  std::string path;    // OpenAPI style: /v1/rooms/{id}
  Access access;
};

using RouteHandler = std::function<void(HttpRequest&, HttpResponse&)>;

class HttpServer {
 public:
  HttpServer(ServerConfig config, metrics::Registry& registry);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Register before start(). `path` is OpenAPI style; each {name} matches one segment.
  void route(const std::string& method, const std::string& path, Access access, RouteHandler handler,
             Dispatch dispatch = Dispatch::pool);
  std::vector<RouteInfo> routes() const;

  // Binds (no SO_REUSEPORT: a port in use is an error) with a SOMAXCONN backlog and serves
  // on background threads; returns the bound port. Throws std::runtime_error naming the
  // address when it cannot be bound, or when no JWT secret is configured.
  int start();
  void stop();  // idempotent
  bool running() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One connection a process needs before it can do its work ("xmpp", "kafka", "postgresql"):
// `ready` is asked on each GET /readyz, from a server thread, and must be cheap and
// thread-safe (read a flag or a cached probe).
struct ReadinessCheck {
  std::string name;
  std::function<bool()> ready;
};

// GET /healthz: 200 {"status":"ok"} while the process serves (liveness: restart it when
// this fails). GET /readyz: 200 {"status":"ready","checks":{name:"ok",…}} when every check
// passes, else 503 {"status":"not ready","not_ready":[names],"checks":{…}} (readiness: send
// it no traffic). No token.
void add_probe_routes(HttpServer& server, std::vector<ReadinessCheck> checks);
// GET /metrics (Prometheus text format); who may read it: Access::metrics.
void add_metrics_route(HttpServer& server, metrics::Registry& registry);

// The routes below answer from the read side of the schema (sql/read_store.hpp).
// /healthz, /readyz (the database, then `checks`), no token, and /metrics. `store` may be
// null (no database).
void add_health_routes(HttpServer& server, metrics::Registry& registry, sql::ReadStore* store,
                       std::vector<ReadinessCheck> checks = {});
// The talky-style read resources under /v1 (analyst token): routes_read.cpp.
void add_read_routes(HttpServer& server, sql::ReadStore& store);
// Call and media analytics under /v1 (analyst token): routes_calls.cpp.
void add_call_routes(HttpServer& server, sql::ReadStore& store);
// The dashboard's overview, histograms, occupancy and P2P quality series (analyst token):
// routes_dashboard.cpp.
void add_dashboard_routes(HttpServer& server, sql::ReadStore& store);
// A room's messages and a person's conversations (routes_messages.cpp): analyst, admin,
// service, or a user token for that user's rooms.
void add_message_routes(HttpServer& server, sql::ReadStore& store);
// GET /dashboard and /dashboard/{asset}: the analysts' dashboard (routes_dashboard_assets.cpp),
// open files that call the routes above with the token the user signs in with.
void add_dashboard_asset_routes(HttpServer& server);
// Everything `mucstreamd api` serves (docs/api.yaml describes exactly these); `checks` are
// the process's other connections /readyz reports (`mucstreamd all`: XMPP, the event log).
void add_api_routes(HttpServer& server, metrics::Registry& registry, sql::ReadStore& store,
                    std::vector<ReadinessCheck> checks = {});

// The event types the read routes accept in filters: docs/events.md (talky and replay
// types) and the talky client vocabulary that telemetry stores.
const std::vector<std::string>& known_event_types();

}  // namespace mucstream::analytics
