// What one HTTP connection may cost: bodies refused by size before they are read, request
// heads bounded in size and time, idle connections closed, a cap on open connections, and a
// listener that will not share its port. Raw sockets do what well-behaved clients never do.
#include <doctest/doctest.h>

#include <future>
#include <thread>

#include "http_support.hpp"
#include "memory_store.hpp"
#include "raw_client.hpp"

using namespace mucstream::analytics;
using namespace mucstream::analytics::testing;
using namespace std::chrono_literals;

namespace {
std::string post_head(const std::string& path, std::size_t length, const std::string& extra = {}) {
  return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(length) + "\r\n" + extra + "\r\n";
}

// A token-protected POST route that would accept any body.
void add_sink(Running& srv, std::size_t* seen) {
  srv.server->route("POST", "/v1/sink", Access::analyst, [seen](HttpRequest& req, HttpResponse& res) {
    *seen = req.body.size();
    res.body = "{}";
  });
}
}  // namespace

TEST_CASE("http limits: a body over max_body_bytes is 413 by Content-Length, before the token or the body") {
  MemoryStore store;
  ServerConfig cfg;
  cfg.max_body_bytes = 1000;
  Running srv(&store, cfg);
  std::size_t seen = 0;
  add_sink(srv, &seen);
  srv.start();
  RawConnection c(srv.port);
  REQUIRE(c.send(post_head("/v1/sink", 50u << 20)));  // 50 MB announced, none sent, no token
  const std::string r = c.read_all(2000ms);
  CHECK(status_of(r) == 413);
  CHECK(r.find("\"code\":\"payload_too_large\"") != std::string::npos);
  CHECK(r.find("http.max_body_bytes") != std::string::npos);
  CHECK(c.closed_within(3000ms));
  CHECK(seen == 0);
  // At the limit it is read and handled.
  RawConnection ok(srv.port);
  REQUIRE(ok.send(post_head("/v1/sink", 1000, "Authorization: Bearer " + Running::token(Role::analyst) + "\r\n") +
                  std::string(1000, ' ')));
  CHECK(status_of(ok.read_all(2000ms)) == 200);
  CHECK(seen == 1000);
}

TEST_CASE("http limits: a chunked body is refused by the bytes read, and without a token before any is read") {
  MemoryStore store;
  ServerConfig cfg;
  cfg.max_body_bytes = 1000;
  Running srv(&store, cfg);
  std::size_t seen = 0;
  add_sink(srv, &seen);
  srv.start();
  const std::string head = "POST /v1/sink HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n";
  {
    RawConnection c(srv.port);
    REQUIRE(c.send(head + "\r\n"));  // no token: 401 from the head alone
    CHECK(status_of(c.read_all(2000ms)) == 401);
  }
  RawConnection c(srv.port);
  REQUIRE(c.send(head + "Authorization: Bearer " + Running::token(Role::analyst) + "\r\n\r\n"));
  std::string chunk = "200\r\n" + std::string(0x200, 'x') + "\r\n";
  for (int i = 0; i < 4 && c.send(chunk); ++i) {
  }
  const std::string r = c.read_all(2000ms);
  CHECK(status_of(r) == 413);
  CHECK(seen == 0);
}

TEST_CASE("http limits: request heads are bounded in size (431) and in time, idle connections are closed") {
  MemoryStore store;
  ServerConfig cfg;
  cfg.max_header_bytes = 4096;
  cfg.head_timeout_seconds = 1;
  cfg.keep_alive_timeout_seconds = 1;
  Running srv(&store, cfg);
  srv.start();
  {
    RawConnection c(srv.port);
    REQUIRE(c.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(8000, 'a') + "\r\n\r\n"));
    CHECK(status_of(c.read_all(2000ms)) == 431);
  }
  // Half a request, then a byte every 300 ms: the deadline is for the whole head.
  RawConnection slow(srv.port);
  REQUIRE(slow.send("GET /healthz HTTP/1.1\r\n"));
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 10 && slow.send("X"); ++i) std::this_thread::sleep_for(300ms);
  CHECK(slow.closed_within(2000ms));
  CHECK(std::chrono::steady_clock::now() - t0 < 3500ms);
  // Idle after an answer: closed after the keep-alive timeout.
  RawConnection idle(srv.port);
  REQUIRE(idle.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  CHECK(status_of(idle.read_all(300ms)) == 200);
  CHECK(idle.closed_within(3000ms));
  Reply m = srv.get("/metrics", Running::token(Role::analyst));
  CHECK(m.body.find("mucstream_http_connections_closed_total{reason=\"head_timeout\"} 1\n") != std::string::npos);
  CHECK(m.body.find("mucstream_http_connections_closed_total{reason=\"idle_timeout\"} ") != std::string::npos);
}

TEST_CASE("http limits: at the connection cap the oldest idle connection makes room") {
  MemoryStore store;
  ServerConfig cfg;
  cfg.max_connections = 4;
  Running srv(&store, cfg);
  srv.start();
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 4; ++i) {
    idle.push_back(std::make_unique<RawConnection>(srv.port));
    REQUIRE(idle.back()->send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    CHECK(status_of(idle.back()->read_all(300ms)) == 200);
  }
  // The test client's own keep-alive connection is the fifth: the oldest idle one goes.
  CHECK(srv.get("/healthz").status == 200);
  CHECK(idle[0]->closed_within(1000ms));
  CHECK(!idle[3]->closed_within(200ms));
}

TEST_CASE("http limits: /healthz answers while every worker is busy with a slow handler") {
  MemoryStore store;
  ServerConfig cfg;
  cfg.threads = 2;
  Running srv(&store, cfg);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  srv.server->route("GET", "/v1/slow", Access::open, [released](HttpRequest&, HttpResponse& res) {
    released.wait();
    res.body = "{}";
  });
  srv.start();
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 3; ++i) {  // two at the workers, one waiting for them
    slow.push_back(std::make_unique<RawConnection>(srv.port));
    REQUIRE(slow.back()->send("GET /v1/slow HTTP/1.1\r\nHost: x\r\n\r\n"));
  }
  std::this_thread::sleep_for(100ms);
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(srv.get("/healthz").status == 200);
  CHECK(std::chrono::steady_clock::now() - t0 < 1s);
  release.set_value();
  for (auto& c : slow) CHECK(status_of(c->read_all(500ms)) == 200);
}

TEST_CASE("http limits: a port in use is an error at start-up naming the address") {
  MemoryStore store;
  Running first(&store);
  first.start();
  mucstream::analytics::metrics::Registry reg;
  ServerConfig cfg;
  cfg.host = "127.0.0.1";
  cfg.port = first.port;
  cfg.jwt_secret = kSecret;
  HttpServer second(cfg, reg);
  CHECK_THROWS_WITH(second.start(), doctest::Contains(("cannot listen on 127.0.0.1:" + std::to_string(first.port)).c_str()));
}
