#include "analytics/server.hpp"

#include "analytics/json.hpp"
#include "analytics/server_impl.hpp"

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
}  // namespace

std::string_view error_code(int status, bool names_parameter) {
  switch (status) {
    case 400: return names_parameter ? "invalid_parameter" : "bad_request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 409: return "conflict";
    case 413: return "payload_too_large";
    case 431: return "headers_too_large";
    case 501: return "not_implemented";
    case 503: return "unavailable";
    default: return status >= 500 ? "internal" : "bad_request";
  }
}

void write_error(JsonOut& j, int status, const std::string& message, const std::string& parameter,
                 const std::string& condition) {
  j.begin_object().key("code").str(error_code(status, !parameter.empty())).key("message").str(message);
  if (!parameter.empty()) j.key("parameter").str(parameter);
  if (!condition.empty()) j.key("condition").str(condition);
  j.end_object();
}

std::string error_body(int status, const std::string& message, const std::string& parameter,
                       const std::string& condition) {
  JsonOut j;
  j.begin_object().key("error");
  write_error(j, status, message, parameter, condition);
  j.end_object();
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

HttpServer::HttpServer(ServerConfig config, metrics::Registry& registry)
    : impl_(std::make_unique<Impl>(std::move(config), registry)) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::route(const std::string& method, const std::string& path, Access access, RouteHandler handler,
                       Dispatch dispatch) {
  Impl& im = *impl_;
  if (im.started) throw std::logic_error("routes must be registered before start()");
  if (method != "GET" && method != "POST" && method != "PUT" && method != "PATCH" && method != "DELETE")
    throw std::invalid_argument("unsupported method " + method);
  std::size_t params = 0;
  path_regex(path, params);  // checks the template
  auto r = std::make_unique<Impl::Route>();
  r->info = RouteInfo{method, path, access};
  r->handler = std::move(handler);
  r->dispatch = dispatch;
  r->latency = &im.registry.histogram("mucstream_http_request_duration_seconds",
                                      "HTTP request latency by route, from routing to the response body",
                                      metrics::latency_buckets(), {{"route", path}});
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
  const std::string where = (im.cfg.host.find(':') != std::string::npos ? "[" + im.cfg.host + "]" : im.cfg.host) +
                            ":" + std::to_string(im.cfg.port);
  beast::error_code ec;
  tcp::resolver resolver(im.ioc);
  const auto endpoints = resolver.resolve(im.cfg.host, std::to_string(im.cfg.port),
                                          tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
  const tcp::endpoint endpoint = *endpoints.begin();
  im.acceptor.open(endpoint.protocol(), ec);
  // SO_REUSEADDR (restart while old connections linger in TIME_WAIT) but never
  // SO_REUSEPORT: a second server on a port in use must fail here, not share it.
  if (!ec) im.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) im.acceptor.bind(endpoint, ec);
  if (!ec) im.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    im.acceptor.close(ignored);
    throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
  }
  const int port = im.acceptor.local_endpoint().port();
  im.workers.emplace(im.cfg.threads);
  im.started = true;
  im.serving = true;
  im.accept();
  im.io_thread = std::thread([&im] {
    im.ioc.run();
    im.serving = false;
  });
  return port;
}

void HttpServer::stop() {
  Impl& im = *impl_;
  if (!im.started) return;
  net::post(im.ioc, [&im] { im.close_all(); });
  im.ioc.stop();
  if (im.io_thread.joinable()) im.io_thread.join();
  if (im.workers) im.workers->join();  // handlers in flight finish; their answers are dropped
  im.close_all();                     // the I/O thread has ended: nothing else touches them
  im.serving = false;
  im.started = false;
}

bool HttpServer::running() const { return impl_->serving; }

void add_probe_routes(HttpServer& server, std::vector<ReadinessCheck> checks) {
  server.route(
      "GET", "/healthz", Access::open,
      [](HttpRequest&, HttpResponse& res) {
        res.status = 200;
        res.body = R"({"status":"ok"})";
      },
      Dispatch::inline_io);
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
  server.route("GET", "/metrics", Access::metrics, [&registry](HttpRequest&, HttpResponse& res) {
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
  add_dashboard_routes(server, store);
  add_message_routes(server, store);
  add_dashboard_asset_routes(server);
}

}  // namespace mucstream::analytics
