// RoomService against a fake server that stops reading: the loop keeps serving (no blocking
// write), the flooded room refuses its sender, and the server's stream error is logged by
// its condition and text.
#include <future>
#include <optional>
#include <mutex>
#include <thread>

#include "core/log.hpp"
#include "tests/xmpp/fake_server.hpp"
#include "tests/xmpp/util.hpp"
#include "xmpp/room_service.hpp"

using namespace mucstream;
using namespace std::chrono_literals;

namespace {

struct NullSink final : core::EventSink {
  core::LogPosition publish(const core::Event&) override { return 0; }
};

struct Logs {
  std::mutex mu;
  std::string text;
  bool has(const std::string& s) {
    std::lock_guard<std::mutex> l(mu);
    return text.find(s) != std::string::npos;
  }
};

// A running service whose room has 10 occupants (U0 the owner), sending without rate
// limits: only the outbound queue's bounds decide what is refused.
struct TenInRoom {
  xmpp::testing::FakeServer server;
  NullSink sink;
  core::testing::CountingIds ids;
  crypto::OpenSslCrypto crypto{1000};
  xmpp::ConnectionOptions conn;
  std::optional<xmpp::RoomService> svc;
  std::atomic<bool> stop{false};
  std::thread loop;

  explicit TenInRoom(std::size_t lane_bytes) : conn(server.connection()) {
    conn.outbound_room_bytes = lane_bytes;
    xmpp::Limits limits;
    limits.stanzas_per_second = 0;
    limits.sender_bytes_per_second = 0;
    limits.room_bytes_per_second = 0;
    svc.emplace(conn, limits, core::ServiceConfig{}, core::Service{}, ids, crypto, sink);
    core::set_log_sink([](core::LogLevel, std::string_view, std::string_view) {});
    loop = std::thread([this] { svc->run(stop); });
    try {
      join_ten();
    } catch (...) {  // a failed REQUIRE: the loop must not outlive the test
      stop = true;
      loop.join();
      throw;
    }
  }
  void join_ten() {
    server.accept_and_handshake();
    server.send("<presence from='u0@e.com/r' to='room@rooms.test/U0'><x xmlns='http://jabber.org/protocol/muc'/></presence>");
    server.send("<iq from='u0@e.com/r' to='room@rooms.test' type='set' id='i'><query xmlns='http://jabber.org/protocol/muc#owner'>"
                "<x xmlns='jabber:x:data' type='submit'/></query></iq>");
    server.read_until("type='result'");
    for (int i = 1; i < 10; ++i)
      server.send("<presence from='u" + std::to_string(i) + "@e.com/r' to='room@rooms.test/U" + std::to_string(i) +
                  "'><x xmlns='http://jabber.org/protocol/muc'/></presence>");
    server.read_until("to='u9@e.com/r'");
  }
  ~TenInRoom() {
    stop = true;
    if (loop.joinable()) loop.join();
  }
  // U0's groupchat message with id m<i> and a body of `body`.
  static std::string message(int i, const std::string& body) {
    return "<message from='u0@e.com/r' to='room@rooms.test' type='groupchat' id='m" + std::to_string(i) + "'><body>" +
           body + "</body></message>";
  }
};

}  // namespace

TEST_CASE("RoomService outbound: a server that stops reading never blocks the loop, the flooded room refuses its sender") {
  TenInRoom t(1u << 20);
  auto& server = t.server;
  auto& svc = *t.svc;
  // The server reads nothing more: 200 x 20 KB to 10 occupants is 40 MB of output.
  const std::string body(20'000, 'x');
  for (int i = 0; i < 200; ++i) server.send(TenInRoom::message(i, body));
  // The loop still answers (a read queued from another thread runs on it).
  std::promise<std::size_t> rooms;
  svc.inspect([&](const core::Service& s) { rooms.set_value(s.rooms.size()); });
  auto f = rooms.get_future();
  REQUIRE(f.wait_for(2s) == std::future_status::ready);
  CHECK(f.get() == 1);
  for (int i = 0; i < 50 && svc.stats().rejected_backlog.load() == 0; ++i) std::this_thread::sleep_for(20ms);
  CHECK(svc.stats().rejected_backlog.load() > 0);
  CHECK(svc.stats().outbound_bytes.load() > 0);
  CHECK(svc.stats().outbound_bytes.load() < 2 * t.conn.outbound_room_bytes + 2 * 220'000 + (4u << 20));
  // Reading again drains it all; every answer is a reflection or a resource-constraint.
  std::string all = server.read_for(1500);
  CHECK(xmpp::testing::contains(all, "<resource-constraint"));
  CHECK(xmpp::testing::contains(all, "id='m199'"));
}

// The loop reads many stanzas in one turn; their output fills the room's lane faster than the
// turn's end writes it. A server that reads along must not see its sender refused for that.
TEST_CASE("RoomService outbound: a room whose output the socket takes is never refused, however many messages one read brings") {
  TenInRoom t(64u << 10);
  auto& server = t.server;
  // 30 messages in one write (30 KB, read in one turn) are 300 KB to the room's 10 occupants,
  // five times the lane's bound; the server reads all the while.
  auto read = std::async(std::launch::async, [&] {
    std::string got;  // until the last message reached all 10, or a refusal came back
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    auto copies = [&] {
      std::size_t n = 0;
      for (std::size_t at = got.find("id='m29'"); at != std::string::npos; at = got.find("id='m29'", at + 1)) ++n;
      return n;
    };
    while (copies() < 10 && !xmpp::testing::contains(got, "<resource-constraint") && std::chrono::steady_clock::now() < deadline)
      got += server.read_for(50);
    return got;
  });
  const std::string body(1'000, 'x');
  std::string burst;
  for (int i = 0; i < 30; ++i) burst += TenInRoom::message(i, body);
  server.send(burst);
  const std::string all = read.get();
  CHECK_FALSE(xmpp::testing::contains(all, "<resource-constraint"));
  CHECK(xmpp::testing::contains(all, "id='m29'"));
  CHECK(t.svc->stats().rejected_backlog.load() == 0);
}

TEST_CASE("RoomService: the server's stream error is logged by its condition and text") {
  xmpp::testing::FakeServer server;
  NullSink sink;
  core::testing::CountingIds ids;
  crypto::OpenSslCrypto crypto{1000};
  xmpp::ConnectionOptions conn = server.connection();
  conn.min_backoff = conn.max_backoff = 100ms;
  auto logs = std::make_shared<Logs>();
  core::set_log_sink([logs](core::LogLevel, std::string_view, std::string_view m) {
    std::lock_guard<std::mutex> l(logs->mu);
    logs->text.append(m).append("\n");
  });
  xmpp::RoomService svc(conn, xmpp::Limits{}, core::ServiceConfig{}, core::Service{}, ids, crypto, sink);
  std::atomic<bool> stop{false};
  std::thread loop([&] { svc.run(stop); });
  server.accept_and_handshake();
  server.send("<stream:error><not-well-formed xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
              "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>Stanza too large</text></stream:error></stream:stream>");
  for (int i = 0; i < 100 && !logs->has("not-well-formed"); ++i) std::this_thread::sleep_for(20ms);
  CHECK(logs->has("stream error from the server: not-well-formed (Stanza too large)"));
  CHECK_FALSE(logs->has("wrong secret"));
  stop = true;
  loop.join();
  core::set_log_sink([](core::LogLevel, std::string_view, std::string_view) {});
}
