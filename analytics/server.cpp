#include "analytics/server.hpp"

// <utility> before Boost.Asio: with GCC 12 and -std=c++20 asio/awaitable.hpp needs it.
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <limits>
#include <list>
#include <thread>

#include "analytics/json.hpp"
#include "analytics/metrics.hpp"
#include "analytics/url.hpp"
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
// {…} segments go to `params` when given.
bool route_matches(std::string_view tmpl, std::string_view path, std::vector<std::string>* params = nullptr) {
  while (!tmpl.empty() && !path.empty()) {
    const auto ts = tmpl.find('/', 1), ps = path.find('/', 1);
    const std::string_view t = tmpl.substr(0, ts), p = path.substr(0, ps);
    const bool param = t.size() > 2 && t[1] == '{' && t.back() == '}';
    if (param ? p.size() < 2 : t != p) return false;
    if (param && params != nullptr) params->emplace_back(p.substr(1));
    tmpl = ts == std::string_view::npos ? std::string_view() : tmpl.substr(ts);
    path = ps == std::string_view::npos ? std::string_view() : path.substr(ps);
  }
  return tmpl.empty() && path.empty();
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
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

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

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

  static HttpResponse error(int status, const std::string& code, const std::string& message) {
    HttpResponse res;
    res.status = status;
    res.body = error_body(code, message);
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
      HttpResponse res = error(401, "unauthorized",
                               r.info.access == Access::metrics
                                   ? auth.error + " (/metrics needs the metrics token or an analyst token, "
                                                  "unless metrics.open is set)"
                                   : auth.error);
      res.headers.emplace_back("WWW-Authenticate", "Bearer");
      return res;
    }
    if (r.info.access == Access::admin && auth.claims->role != Role::admin)
      return error(403, "forbidden", "this resource needs the admin role");
    if (r.info.access == Access::client && auth.claims->role != Role::client)
      return error(403, "forbidden",
                   "telemetry is reported with a client token for the session "
                   "(mucctl token create --role client --session ID)");
    if (r.info.access != Access::client && auth.claims->role == Role::client)
      return error(403, "forbidden", "a client token may only report telemetry");
    req.principal = std::move(auth.claims);
    return std::nullopt;
  }

  // Runs a complete, authorised request through its handler (worker pool or I/O thread).
  HttpResponse run(const Route& r, HttpRequest& req) {
    const auto started_at = Clock::now();
    HttpResponse res;
    try {
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
      core::log_write(core::LogLevel::error, "api", r.info.method + " " + req.path + ": " + e.what());
    } catch (const std::exception& e) {
      res.status = 500;
      res.content_type = "application/json";
      res.body = error_body("internal", "internal error");
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

// One client connection, driven by completion handlers on the I/O thread. Its phases each
// have a deadline; while its request is at a handler it has none (the handler's own
// timeouts bound it) and cannot be evicted.
class HttpServer::Impl::Connection : public std::enable_shared_from_this<Connection> {
 public:
  enum class Phase { head, idle, body, handling, writing, lingering, closed };

  Connection(Impl& im, tcp::socket socket) : im_(im), socket_(std::move(socket)), timer_(im.ioc) {
    it_ = im_.connections.insert(im_.connections.end(), this);
    ++im_.open;
    im_.open_gauge->add(1);
  }
  ~Connection() {
    close();
    im_.connections.erase(it_);
  }

  Phase phase() const { return phase_; }
  Clock::time_point since() const { return since_; }

  void start() {
    beast::error_code ec;
    socket_.set_option(tcp::no_delay(true), ec);  // without it every small answer waits for Nagle
    read_head();
  }

  void close() {
    if (phase_ == Phase::closed) return;
    phase_ = Phase::closed;
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    timer_.cancel();
    --im_.open;
    im_.open_gauge->add(-1);
  }

  void evict() {
    im_.closed_because("evicted");
    close();
  }

 private:
  using Headers = std::vector<std::pair<std::string, std::string>>;

  void enter(Phase p, std::chrono::steady_clock::duration deadline, const char* reason) {
    phase_ = p;
    since_ = Clock::now();
    timer_.expires_after(deadline);
    timer_.async_wait([self = shared_from_this(), gen = ++generation_, reason](const beast::error_code& ec) {
      if (ec || gen != self->generation_ || self->phase_ == Phase::closed) return;
      self->im_.closed_because(reason);
      self->close();
    });
  }

  std::chrono::seconds allowance(std::size_t bytes) const {
    return std::chrono::seconds(im_.cfg.head_timeout_seconds + bytes / im_.cfg.min_bytes_per_second);
  }

  void read_head() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(im_.cfg.max_header_bytes));
    // No body limit while the head is parsed (Beast would refuse a large Content-Length as a
    // parse error); on_head answers that with a 413, then sets the limit for chunked bodies.
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    enter(Phase::head, std::chrono::seconds(im_.cfg.head_timeout_seconds), "head_timeout");
    bhttp::async_read_header(socket_, buffer_, *parser_,
                             [self = shared_from_this()](const beast::error_code& ec, std::size_t) { self->on_head(ec); });
  }

  // Between requests: no buffers held, only a wait for the next byte.
  void wait_idle() {
    parser_.reset();
    buffer_.shrink_to_fit();
    enter(Phase::idle, std::chrono::seconds(im_.cfg.keep_alive_timeout_seconds), "idle_timeout");
    socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](const beast::error_code& ec) {
      if (ec || self->phase_ != Phase::idle) return self->close();
      self->read_head();
    });
  }

  void on_head(const beast::error_code& ec) {
    if (phase_ == Phase::closed) return;
    const auto head_at = Clock::now();
    if (ec == bhttp::error::header_limit)
      return answer_and_close(Impl::error(431, "headers_too_large",
                                          "the request head is larger than " +
                                              std::to_string(im_.cfg.max_header_bytes) + " bytes"),
                              {});
    if (ec == bhttp::error::end_of_stream || ec == net::error::eof || ec == net::error::operation_aborted ||
        ec == bhttp::error::partial_message || ec == net::error::connection_reset)
      return close();
    if (ec) return answer_and_close(Impl::error(400, "bad_request", "bad request: " + ec.message()), {});

    auto& h = parser_->get();
    keep_alive_ = h.keep_alive() && served_ + 1 < im_.cfg.keep_alive_max_requests;
    head_only_ = h.method() == bhttp::verb::head;
    const std::string method = head_only_ ? "GET" : std::string(h.method_string());
    const std::string_view target(h.target().data(), h.target().size());
    const auto qmark = target.find('?');
    auto path = percent_decode(target.substr(0, qmark), false);
    auto query = parse_query(qmark == std::string_view::npos ? std::string_view() : target.substr(qmark + 1));
    const bool has_body = h.chunked() || (h.has_content_length() && parser_->content_length().value_or(0) > 0);
    // A request whose body we will not read leaves the connection unusable afterwards.
    if (has_body) body_pending_ = true;

    Headers cors;
    const auto origin = h[bhttp::field::origin];
    const bool allowed = im_.cors(std::string_view(origin.data(), origin.size()), cors);
    if (!path || !query) return answer(Impl::error(400, "bad_request", "bad percent-encoding in the target"), cors);

    if (h.method() == bhttp::verb::options) {
      // CORS preflight: answered for any path, never needs a token.
      HttpResponse res;
      if (allowed || origin.empty()) {
        res.status = 204;
        res.body.clear();
      } else {
        res = Impl::error(403, "forbidden", "origin not allowed");
      }
      im_.count("preflight", "OPTIONS", res.status);
      return answer(std::move(res), cors);
    }

    const Route* route = nullptr;
    bool other_method = false;
    std::vector<std::string> params;
    for (const auto& r : im_.routes) {
      params.clear();
      if (!route_matches(r->info.path, *path, &params)) continue;
      if (r->info.method == method) {
        route = r.get();
        break;
      }
      other_method = true;
    }
    if (route == nullptr) {
      HttpResponse res = other_method ? Impl::error(405, "method_not_allowed",
                                                    "method " + method + " not allowed on " + *path)
                                      : Impl::error(404, "not_found", "no such resource: " + *path);
      im_.count("unmatched", method.size() <= 10 ? method : "other", res.status);
      return answer(std::move(res), cors);
    }

    // Refused by its declared size before a byte of it is read, and before any token work.
    if (h.has_content_length() && parser_->content_length().value_or(0) > im_.cfg.max_body_bytes)
      return too_large(*route, cors);
    parser_->body_limit(im_.cfg.max_body_bytes);  // chunked: refused by the bytes read

    request_.emplace(HttpRequest{method, std::move(*path), std::move(params), Query(std::move(*query)), {}, std::nullopt});
    const auto authz = h[bhttp::field::authorization];
    if (auto refused = im_.authorize(*route, std::string_view(authz.data(), authz.size()), *request_)) {
      route->latency->observe(std::chrono::duration<double>(Clock::now() - head_at).count());
      im_.count(route->info.path, route->info.method, refused->status);
      return answer(std::move(*refused), cors);
    }
    route_ = route;
    cors_ = std::move(cors);
    if (!has_body) return handle();

    const std::size_t expected = parser_->content_length().value_or(im_.cfg.max_body_bytes);
    enter(Phase::body, allowance(expected), "body_timeout");
    auto read_body = [self = shared_from_this()] {
      bhttp::async_read(self->socket_, self->buffer_, *self->parser_,
                        [self](const beast::error_code& e, std::size_t) { self->on_body(e); });
    };
    if (beast::iequals(h[bhttp::field::expect], "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      net::async_write(socket_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = shared_from_this(), read_body](const beast::error_code& e, std::size_t) {
                         if (e || self->phase_ == Phase::closed) return self->close();
                         read_body();
                       });
    } else {
      read_body();
    }
  }

  void too_large(const Route& route, Headers cors) {
    im_.closed_because("body_too_large");
    HttpResponse res = Impl::error(413, "payload_too_large",
                                   "the request body is larger than " + std::to_string(im_.cfg.max_body_bytes) +
                                       " bytes (http.max_body_bytes)");
    im_.count(route.info.path, route.info.method, res.status);
    answer_and_close(std::move(res), std::move(cors));
  }

  void on_body(const beast::error_code& ec) {
    if (phase_ == Phase::closed) return;
    if (ec == bhttp::error::body_limit) return too_large(*route_, std::move(cors_));
    if (ec) return close();
    body_pending_ = false;
    request_->body = std::move(parser_->get().body());
    handle();
  }

  void handle() {
    parser_.reset();
    phase_ = Phase::handling;
    since_ = Clock::now();
    ++generation_;
    timer_.cancel();
    if (route_->dispatch == Dispatch::inline_io) return answer(im_.run(*route_, *request_), std::move(cors_));
    net::post(*im_.workers, [self = shared_from_this()]() mutable {
      HttpResponse res = self->im_.run(*self->route_, *self->request_);
      net::io_context& ioc = self->im_.ioc;  // before `self` is moved into the answer
      net::post(ioc, [self = std::move(self), res = std::move(res)]() mutable {
        if (self->phase_ == Phase::closed) return;
        self->answer(std::move(res), std::move(self->cors_));
      });
    });
  }

  void answer_and_close(HttpResponse res, Headers cors) {
    keep_alive_ = false;
    answer(std::move(res), std::move(cors));
  }

  void answer(HttpResponse res, Headers cors) {
    if (phase_ == Phase::closed) return;
    if (body_pending_) keep_alive_ = false;
    request_.reset();
    response_.emplace();
    auto& out = *response_;
    out.version(11);
    out.result(static_cast<unsigned>(res.status));
    if (!res.body.empty() || res.status != 204) out.set(bhttp::field::content_type, res.content_type);
    for (const auto& [k, v] : cors) out.set(k, v);
    for (const auto& [k, v] : res.headers) out.set(k, v);
    if (keep_alive_) {
      out.set(bhttp::field::connection, "keep-alive");
      out.set("Keep-Alive", "timeout=" + std::to_string(im_.cfg.keep_alive_timeout_seconds) +
                                ", max=" + std::to_string(im_.cfg.keep_alive_max_requests - served_ - 1));
    } else {
      out.set(bhttp::field::connection, "close");
    }
    const std::size_t size = res.body.size();
    if (head_only_) {
      out.content_length(size);
    } else {
      out.body() = std::move(res.body);
      out.prepare_payload();
    }
    enter(Phase::writing, allowance(size), "write_timeout");
    bhttp::async_write(socket_, out, [self = shared_from_this()](const beast::error_code& ec, std::size_t) {
      self->on_written(ec);
    });
  }

  void on_written(const beast::error_code& ec) {
    if (phase_ == Phase::closed) return;
    response_.reset();
    if (ec) return close();
    ++served_;
    head_only_ = false;
    if (!keep_alive_) return linger();
    if (buffer_.size() > 0) return read_head();  // a pipelined request is already here
    wait_idle();
  }

  // After the last answer: stop sending and read what the client still sends for a moment,
  // so closing does not reset the connection before the client has read the answer.
  void linger() {
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    parser_.reset();
    buffer_.clear();
    buffer_.shrink_to_fit();
    enter(Phase::lingering, std::chrono::seconds(1), "linger");
    drain();
  }

  // Bounded in time (the lingering deadline) and in bytes: a client still pushing a refused
  // 50 MB body is cut off after a few MB.
  void drain() {
    static std::array<char, 16384> discard;  // contents never read; the I/O thread is the only user
    socket_.async_read_some(net::buffer(discard), [self = shared_from_this()](const beast::error_code& ec,
                                                                              std::size_t n) {
      self->drained_ += n;
      if (ec || self->phase_ != Phase::lingering || self->drained_ > kMaxDrainBytes) return self->close();
      self->drain();
    });
  }
  static constexpr std::size_t kMaxDrainBytes = 4u << 20;

  Impl& im_;
  tcp::socket socket_;
  net::steady_timer timer_;
  std::list<Connection*>::iterator it_;
  Phase phase_ = Phase::head;
  Clock::time_point since_ = Clock::now();
  std::uint64_t generation_ = 0;
  std::size_t served_ = 0;
  bool keep_alive_ = true;
  bool head_only_ = false;
  bool body_pending_ = false;
  std::size_t drained_ = 0;
  beast::flat_buffer buffer_{im_.cfg.max_header_bytes};
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<HttpRequest> request_;
  const Route* route_ = nullptr;
  Headers cors_;
  std::optional<bhttp::response<bhttp::string_body>> response_;
};

void HttpServer::Impl::accept() {
  acceptor.async_accept([this](const beast::error_code& ec, tcp::socket socket) { on_accept(ec, std::move(socket)); });
}

void HttpServer::Impl::on_accept(const beast::error_code& ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
  if (ec) {
    // Out of descriptors or similar: try again shortly rather than spin.
    core::log_write(core::LogLevel::warn, "http", "accept failed: " + ec.message());
    accept_retry.expires_after(std::chrono::milliseconds(100));
    accept_retry.async_wait([this](const beast::error_code& e) {
      if (!e) accept();
    });
    return;
  }
  if (open >= cfg.max_connections && !evict_one()) {
    closed_because("refused");
    beast::error_code ignored;
    socket.close(ignored);
  } else {
    std::make_shared<Connection>(*this, std::move(socket))->start();
  }
  accept();
}

// At the connection cap: close the connection idle the longest, else the one that has spent
// the longest still sending its request head. Connections at a handler or receiving an
// answer are never evicted.
bool HttpServer::Impl::evict_one() {
  Connection* victim = nullptr;
  for (const auto phase : {Connection::Phase::idle, Connection::Phase::lingering, Connection::Phase::head}) {
    for (Connection* c : connections)
      if (c->phase() == phase && (victim == nullptr || c->since() < victim->since())) victim = c;
    if (victim != nullptr) break;
  }
  if (victim == nullptr) return false;
  victim->evict();
  return true;
}

void HttpServer::Impl::close_all() {
  beast::error_code ignored;
  acceptor.close(ignored);
  accept_retry.cancel();
  for (Connection* c : connections) c->close();
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
}

}  // namespace mucstream::analytics
