// The connections of HttpServer: accepting them, their phases and deadlines, and eviction at
// the connection cap. Everything here runs on the I/O thread.
#include <array>
#include <limits>

#include "analytics/server_impl.hpp"
#include "analytics/url.hpp"

namespace mucstream::analytics {

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
    if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow)
      return answer_and_close(Impl::error(431, "the request head is larger than " +
                                              std::to_string(im_.cfg.max_header_bytes) + " bytes"),
                              {});
    if (ec == bhttp::error::end_of_stream || ec == net::error::eof || ec == net::error::operation_aborted ||
        ec == bhttp::error::partial_message || ec == net::error::connection_reset)
      return close();
    if (ec) return answer_and_close(Impl::error(400, "bad request: " + ec.message()), {});

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
    // Without a path there is no route to authenticate for; a bad query string is answered
    // once the route's token has been checked, like every other invalid parameter.
    if (!path) return answer(Impl::error(400, "bad percent-encoding in the path"), cors);

    if (h.method() == bhttp::verb::options) {
      // CORS preflight: answered for any path, never needs a token.
      HttpResponse res;
      if (allowed || origin.empty()) {
        res.status = 204;
        res.body.clear();
      } else {
        res = Impl::error(403, "origin not allowed");
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
      HttpResponse res = other_method ? Impl::error(405, "method " + method + " not allowed on " + *path)
                                      : Impl::error(404, "no such resource: " + *path);
      im_.count("unmatched", method.size() <= 10 ? method : "other", res.status);
      return answer(std::move(res), cors);
    }

    // Refused by its declared size before a byte of it is read, and before any token work.
    if (h.has_content_length() && parser_->content_length().value_or(0) > im_.cfg.max_body_bytes)
      return too_large(*route, cors);
    parser_->body_limit(im_.cfg.max_body_bytes);  // chunked: refused by the bytes read

    request_.emplace(HttpRequest{method, std::move(*path), std::move(params),
                                 Query(std::move(query).value_or(std::multimap<std::string, std::string>{})), {},
                                 std::nullopt});
    const auto authz = h[bhttp::field::authorization];
    std::optional<HttpResponse> refused = im_.authorize(*route, std::string_view(authz.data(), authz.size()), *request_);
    if (!refused && !query) refused = Impl::error(400, "bad percent-encoding in the query string");
    if (refused) {
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
    HttpResponse res = Impl::error(413, "the request body is larger than " + std::to_string(im_.cfg.max_body_bytes) +
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
    thread_local std::array<char, 16384> discard;  // contents never read; one per I/O thread
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

}  // namespace mucstream::analytics
