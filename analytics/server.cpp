#include "analytics/server.hpp"

#include <httplib.h>

#include <chrono>
#include <thread>

#include "analytics/json.hpp"
#include "analytics/metrics.hpp"
#include "core/log.hpp"
#include "sql/read_store.hpp"

namespace mucstream::analytics {
namespace {

std::string path_regex(const std::string& path, std::size_t& params) {
  std::string out;
  params = 0;
  for (std::size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '{') {
      const auto close = path.find('}', i);
      if (close == std::string::npos) throw std::invalid_argument("unbalanced { in route " + path);
      out += "([^/]+)";
      ++params;
      i = close;
    } else if (std::string_view(".^$|()[]*+?\\").find(c) != std::string_view::npos) {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

// Does `path` match the OpenAPI-style route `tmpl` ({name} = one non-empty segment)? The
// same rule the regex given to httplib encodes; used to tell 405 from 404.
bool route_matches(std::string_view tmpl, std::string_view path) {
  while (!tmpl.empty() && !path.empty()) {
    const auto ts = tmpl.find('/', 1), ps = path.find('/', 1);
    const std::string_view t = tmpl.substr(0, ts), p = path.substr(0, ps);
    const bool param = t.size() > 2 && t[1] == '{' && t.back() == '}';
    if (param ? p.size() < 2 : t != p) return false;
    tmpl = ts == std::string_view::npos ? std::string_view() : tmpl.substr(ts);
    path = ps == std::string_view::npos ? std::string_view() : path.substr(ps);
  }
  return tmpl.empty() && path.empty();
}

}  // namespace

std::string error_body(const std::string& code, const std::string& message, const std::string& parameter) {
  JsonOut j;
  j.begin_object().key("error").begin_object().key("code").str(code).key("message").str(message);
  if (!parameter.empty()) j.key("parameter").str(parameter);
  j.end_object().end_object();
  return j.take();
}

std::pair<std::string, int> parse_listen(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument("listen address '" + text + "' is not HOST:PORT");
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "127.0.0.1";
  const std::string port_text = text.substr(colon + 1);
  int port = -1;
  if (!port_text.empty() && port_text.size() <= 5 && port_text.find_first_not_of("0123456789") == std::string::npos)
    port = std::stoi(port_text);
  if (port < 0 || port > 65535) throw std::invalid_argument("listen address '" + text + "' has no valid port");
  return {host, port};
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(start, end - start);
    const auto b = item.find_first_not_of(" \t");
    const auto e = item.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
    start = end + 1;
  }
  return out;
}

struct HttpServer::Impl {
  struct Route {
    RouteInfo info;
    RouteHandler handler;
    metrics::Histogram* latency = nullptr;
  };

  ServerConfig cfg;
  metrics::Registry& registry;
  httplib::Server svr;
  std::vector<std::unique_ptr<Route>> routes;
  std::thread thread;
  bool started = false;

  Impl(ServerConfig c, metrics::Registry& r) : cfg(std::move(c)), registry(r) {
    if (!cfg.clock) cfg.clock = unix_now;
  }

  // The Access-Control-* headers for this request's Origin, if it is allowed.
  bool cors(const httplib::Request& req, httplib::Response& res) const {
    const std::string origin = req.get_header_value("Origin");
    if (origin.empty()) return false;
    bool allowed = false;
    bool any = false;
    for (const auto& o : cfg.cors_origins) {
      if (o == "*") any = true;
      if (o == origin) allowed = true;
    }
    if (!allowed && !any) return false;
    res.set_header("Access-Control-Allow-Origin", allowed ? origin : "*");
    if (allowed) res.set_header("Vary", "Origin");
    res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type");
    res.set_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
    res.set_header("Access-Control-Max-Age", "600");
    return true;
  }

  void count(const std::string& route, const std::string& method, int status) {
    registry
        .counter("mucstream_http_requests_total", "HTTP requests answered, by route, method and status",
                 {{"route", route}, {"method", method}, {"status", std::to_string(status)}})
        .inc();
  }

  void dispatch(const Route& r, const httplib::Request& hreq, httplib::Response& hres) {
    const auto started_at = std::chrono::steady_clock::now();
    HttpResponse res;
    try {
      HttpRequest req{hreq.method, hreq.path, {}, Query(hreq.params), hreq.body, std::nullopt};
      for (std::size_t i = 1; i < hreq.matches.size(); ++i) req.path_params.push_back(hreq.matches[i].str());
      if (r.info.access != Access::open) {
        AuthResult auth = verify_authorization(cfg.jwt_secret, hreq.get_header_value("Authorization"), cfg.clock());
        if (!auth.claims) {
          res.headers.emplace_back("WWW-Authenticate", "Bearer");
          throw HttpError(401, "unauthorized", auth.error);
        }
        if (r.info.access == Access::admin && auth.claims->role != Role::admin)
          throw HttpError(403, "forbidden", "this resource needs the admin role");
        if (r.info.access == Access::client && auth.claims->role != Role::client)
          throw HttpError(403, "forbidden",
                          "telemetry is reported with a client token for the session "
                          "(mucctl token create --role client --session ID)");
        if (r.info.access != Access::client && auth.claims->role == Role::client)
          throw HttpError(403, "forbidden", "a client token may only report telemetry");
        req.principal = std::move(auth.claims);
      }
      r.handler(req, res);
      req.query.check_all_used();
    } catch (const ParamError& e) {
      res.status = 400;
      res.content_type = "application/json";
      res.body = error_body("invalid_parameter", e.what(), e.param());
    } catch (const HttpError& e) {
      res.status = e.status();
      res.content_type = "application/json";
      res.body = error_body(e.code(), e.what());
    } catch (const sql::StoreUnavailable& e) {
      res.status = 503;
      res.content_type = "application/json";
      res.body = error_body("unavailable", "the database is unavailable, try again later");
      core::log_write(core::LogLevel::error, "api", r.info.method + " " + hreq.path + ": " + e.what());
    } catch (const std::exception& e) {
      res.status = 500;
      res.content_type = "application/json";
      res.body = error_body("internal", "internal error");
      core::log_write(core::LogLevel::error, "api", r.info.method + " " + hreq.path + ": " + e.what());
    }
    hres.status = res.status;
    for (const auto& [k, v] : res.headers) hres.set_header(k, v);
    hres.set_content(std::move(res.body), res.content_type.c_str());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at).count();
    r.latency->observe(seconds);
    count(r.info.path, r.info.method, res.status);
  }
};

HttpServer::HttpServer(ServerConfig config, metrics::Registry& registry)
    : impl_(std::make_unique<Impl>(std::move(config), registry)) {
  Impl& im = *impl_;
  im.svr.set_tcp_nodelay(true);  // without it every response waits ~40 ms for Nagle
  im.svr.set_keep_alive_max_count(im.cfg.keep_alive_max_requests);
  im.svr.set_keep_alive_timeout(im.cfg.keep_alive_timeout_seconds);
  const std::size_t threads = im.cfg.threads == 0 ? 1 : im.cfg.threads;
  im.svr.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  im.svr.set_pre_routing_handler([&im](const httplib::Request& req, httplib::Response& res) {
    const bool allowed = im.cors(req, res);
    if (req.method != "OPTIONS") return httplib::Server::HandlerResponse::Unhandled;
    // CORS preflight: answered for any path, never needs a token.
    if (allowed || req.get_header_value("Origin").empty()) {
      res.status = 204;
    } else {
      res.status = 403;
      res.set_content(error_body("forbidden", "origin not allowed"), "application/json");
    }
    im.count("preflight", "OPTIONS", res.status);
    return httplib::Server::HandlerResponse::Handled;
  });
  // Answers httplib produces itself (no route matched, bad request line) get a JSON body.
  im.svr.set_error_handler(httplib::Server::HandlerWithResponse([&im](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    if (res.status == 404) {
      for (const auto& r : im.routes)
        if (route_matches(r->info.path, req.path)) {
          res.status = 405;
          break;
        }
    }
    const std::string code = res.status == 404 ? "not_found" : res.status == 405 ? "method_not_allowed" : "bad_request";
    const std::string message = res.status == 404   ? "no such resource: " + req.path
                                : res.status == 405 ? "method " + req.method + " not allowed on " + req.path
                                                    : "bad request";
    res.set_content(error_body(code, message), "application/json");
    im.count("unmatched", req.method.size() <= 10 ? req.method : "other", res.status);
    return httplib::Server::HandlerResponse::Handled;
  }));
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::route(const std::string& method, const std::string& path, Access access, RouteHandler handler) {
  Impl& im = *impl_;
  if (im.started) throw std::logic_error("routes must be registered before start()");
  std::size_t params = 0;
  const std::string rx = path_regex(path, params);
  auto r = std::make_unique<Impl::Route>();
  r->info = RouteInfo{method, path, access};
  r->handler = std::move(handler);
  r->latency = &im.registry.histogram("mucstream_http_request_duration_seconds",
                                      "HTTP request latency by route, from routing to the response body",
                                      metrics::latency_buckets(), {{"route", path}});
  const Impl::Route* rp = r.get();
  auto fn = [&im, rp](const httplib::Request& req, httplib::Response& res) { im.dispatch(*rp, req, res); };
  if (method == "GET") im.svr.Get(rx, fn);
  else if (method == "POST") im.svr.Post(rx, fn);
  else if (method == "PUT") im.svr.Put(rx, fn);
  else if (method == "PATCH") im.svr.Patch(rx, fn);
  else if (method == "DELETE") im.svr.Delete(rx, fn);
  else throw std::invalid_argument("unsupported method " + method);
  im.routes.push_back(std::move(r));
}

std::vector<RouteInfo> HttpServer::routes() const {
  std::vector<RouteInfo> out;
  for (const auto& r : impl_->routes) out.push_back(r->info);
  return out;
}

int HttpServer::start() {
  Impl& im = *impl_;
  if (im.started) throw std::logic_error("server already started");
  if (im.cfg.jwt_secret.empty())
    throw std::runtime_error("no JWT secret: set --jwt-secret or MUCSTREAM_JWT_SECRET");
  int port = im.cfg.port;
  if (port == 0) {
    port = im.svr.bind_to_any_port(im.cfg.host);
    if (port < 0) throw std::runtime_error("cannot listen on " + im.cfg.host);
  } else if (!im.svr.bind_to_port(im.cfg.host, port)) {
    throw std::runtime_error("cannot listen on " + im.cfg.host + ":" + std::to_string(port));
  }
  im.started = true;
  im.thread = std::thread([&im] { im.svr.listen_after_bind(); });
  for (int i = 0; i < 5000 && !im.svr.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return port;
}

void HttpServer::stop() {
  Impl& im = *impl_;
  if (!im.started) return;
  im.svr.stop();
  if (im.thread.joinable()) im.thread.join();
  im.started = false;
}

bool HttpServer::running() const { return impl_->svr.is_running(); }

void add_probe_routes(HttpServer& server, std::vector<ReadinessCheck> checks) {
  server.route("GET", "/healthz", Access::open, [](HttpRequest&, HttpResponse& res) {
    res.status = 200;
    res.body = R"({"status":"ok"})";
  });
  server.route("GET", "/readyz", Access::open, [checks = std::move(checks)](HttpRequest&, HttpResponse& res) {
    std::vector<std::pair<const std::string*, bool>> results;
    bool all = true;
    for (const auto& c : checks) {
      bool ok = false;
      try {
        ok = c.ready();
      } catch (const std::exception&) {  // a probe that throws is a connection that is not there
      }
      all = all && ok;
      results.emplace_back(&c.name, ok);
    }
    JsonOut j;
    j.begin_object().key("status").str(all ? "ready" : "not ready");
    if (!all) {
      j.key("not_ready").begin_array();
      for (const auto& [name, ok] : results)
        if (!ok) j.str(*name);
      j.end_array();
    }
    j.key("checks").begin_object();
    for (const auto& [name, ok] : results) j.key(*name).str(ok ? "ok" : "unavailable");
    j.end_object().end_object();
    res.status = all ? 200 : 503;
    res.body = j.take();
  });
}

void add_metrics_route(HttpServer& server, metrics::Registry& registry) {
  server.route("GET", "/metrics", Access::open, [&registry](HttpRequest&, HttpResponse& res) {
    res.content_type = "text/plain; version=0.0.4; charset=utf-8";
    res.body = registry.render();
  });
}

void add_health_routes(HttpServer& server, metrics::Registry& registry, sql::ReadStore* store,
                       std::vector<ReadinessCheck> checks) {
  if (store != nullptr) {
    checks.insert(checks.begin(), ReadinessCheck{"postgresql", [store] { return store->healthy(); }});
    registry.gauge_fn("mucstream_rooms_active", "rooms created and not yet ended (from PostgreSQL)", {},
                      [store] { return static_cast<double>(store->active_rooms()); });
    registry.gauge_fn("mucstream_occupant_sessions_active", "occupant sessions not yet ended (from PostgreSQL)", {},
                      [store] { return static_cast<double>(store->active_sessions()); });
  }
  add_probe_routes(server, std::move(checks));
  add_metrics_route(server, registry);
}

void add_api_routes(HttpServer& server, metrics::Registry& registry, sql::ReadStore& store,
                    std::vector<ReadinessCheck> checks) {
  add_health_routes(server, registry, &store, std::move(checks));
  add_read_routes(server, store);
  add_call_routes(server, store);
}

}  // namespace mucstream::analytics
