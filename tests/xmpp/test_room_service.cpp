// RoomService against a fake XEP-0114 server on loopback: handshake, a join, an admin
// command submitted from another thread, and the clean stop with 332.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <mutex>
#include <thread>

#include "core/log.hpp"
#include "tests/xmpp/fake_server.hpp"
#include "tests/xmpp/util.hpp"
#include "xmpp/room_service.hpp"

using namespace mucstream;
using namespace std::chrono_literals;

namespace {

struct RecordingSink final : core::EventSink {
  std::mutex mu;
  std::vector<core::Event> events;
  core::LogPosition publish(const core::Event& e) override {
    std::lock_guard<std::mutex> l(mu);
    events.push_back(e);
    return 0;
  }
  std::vector<core::EventType> types() {
    std::lock_guard<std::mutex> l(mu);
    std::vector<core::EventType> t;
    for (const auto& e : events) t.push_back(e.type);
    return t;
  }
};

}  // namespace

TEST_CASE("RoomService: serves a join, runs a submitted admin command on the loop, stops with 332") {
  xmpp::testing::FakeServer server;
  RecordingSink sink;
  core::testing::CountingIds ids;
  crypto::OpenSslCrypto crypto{1000};
  xmpp::ConnectionOptions conn = server.connection();
  xmpp::RoomService svc(conn, xmpp::Limits{}, core::ServiceConfig{}, core::Service{}, ids, crypto, sink);
  core::set_log_sink([](core::LogLevel, std::string_view, std::string_view) {});  // quiet
  std::atomic<bool> stop{false};
  std::thread loop([&] { svc.run(stop); });

  server.accept_and_handshake();
  server.send("<presence from='a@e.com/r' to='room@rooms.test/A'><x xmlns='http://jabber.org/protocol/muc'/></presence>");
  std::string joined = server.read_until("<subject/>");
  CHECK(xmpp::testing::contains(joined, "status code='201'"));
  server.send("<iq from='a@e.com/r' to='room@rooms.test' type='set' id='i'><query xmlns='http://jabber.org/protocol/muc#owner'>"
              "<x xmlns='jabber:x:data' type='submit'/></query></iq>");
  server.read_until("type='result'");

  std::promise<bool> done;
  const auto caller = std::this_thread::get_id();
  std::thread::id ran_on;
  svc.submit(core::SetLock{core::Requester::admin("ops"), "room@rooms.test", true}, [&](const core::Decision& d) {
    ran_on = std::this_thread::get_id();
    done.set_value(d.ok());
  });
  auto f = done.get_future();
  REQUIRE(f.wait_for(5s) == std::future_status::ready);
  CHECK(f.get());
  CHECK(ran_on != caller);  // executed on the loop thread
  CHECK(xmpp::testing::contains(server.read_until("This room is now locked"), "to='a@e.com/r'"));

  stop = true;
  std::string bye = server.read_until("</stream:stream>");
  CHECK(xmpp::testing::contains(bye, "status code='332'"));
  CHECK(bye.find("status code='332'") < bye.find("</stream:stream>"));
  loop.join();

  auto t = sink.types();
  using E = core::EventType;
  CHECK(t == std::vector<E>{E::room_created, E::occupant_joined, E::room_configured, E::room_locked, E::occupant_left,
                            E::room_destroyed});
  CHECK(svc.stats().stanzas_in.load() == 2);
  CHECK(svc.stats().connects.load() == 1);
}

TEST_CASE("RoomService calls: telemetry token on self-presence only, Jingle routed even when the core refuses to observe it, stats flood refused") {
  xmpp::testing::FakeServer server;
  RecordingSink sink;
  core::testing::CountingIds ids;
  crypto::OpenSslCrypto crypto{1000};
  xmpp::ConnectionOptions conn = server.connection();
  xmpp::Limits limits;
  limits.stats_per_second = 0.001;  // effectively no refill during the test
  limits.stats_burst = 2;
  xmpp::RoomService svc(conn, limits, core::ServiceConfig{}, core::Service{}, ids, crypto, sink);
  core::set_log_sink([](core::LogLevel, std::string_view, std::string_view) {});  // quiet
  svc.set_telemetry_token_source([](const std::string& session, const std::string&) { return "tok-" + session; });
  std::atomic<bool> stop{false};
  std::thread loop([&] { svc.run(stop); });
  using xmpp::testing::contains;

  server.accept_and_handshake();
  server.send("<presence from='a@e.com/r' to='room@rooms.test/A'><x xmlns='http://jabber.org/protocol/muc'/></presence>");
  std::string a_join = server.read_until("<subject/>");
  CHECK(contains(a_join, "<telemetry xmlns='urn:xmpp:mucstream:0' token='tok-"));
  server.send("<iq from='a@e.com/r' to='room@rooms.test' type='set' id='i'><query xmlns='http://jabber.org/protocol/muc#owner'>"
              "<x xmlns='jabber:x:data' type='submit'/></query></iq>");
  server.read_until("type='result'");
  server.send("<presence from='b@e.com/r' to='room@rooms.test/B'><x xmlns='http://jabber.org/protocol/muc'/></presence>");
  std::string b_join = server.read_until("<subject/>");
  // Exactly one token: B's own, in B's self-presence; A's presence to B and B's to A carry none.
  CHECK(b_join.find("<telemetry") == b_join.rfind("<telemetry"));
  const auto self_b = b_join.find("to='b@e.com/r' from='room@rooms.test/B'");
  REQUIRE(self_b != std::string::npos);
  CHECK(b_join.find("<telemetry") > self_b);
  CHECK(b_join.find("<telemetry") < b_join.find("</presence>", self_b));

  // A sid the core refuses (over 128 bytes): routed all the same, no error to A, no event.
  const std::string long_sid(200, 'x');
  server.send("<iq from='a@e.com/r' to='room@rooms.test/B' type='set' id='j0'><jingle xmlns='urn:xmpp:jingle:1' "
              "action='session-terminate' sid='" + long_sid + "'/></iq>");
  std::string routed = server.read_until(long_sid);
  CHECK(contains(routed, "to='b@e.com/r'"));
  CHECK_FALSE(contains(routed, "type='error'"));

  // A proper call: A initiates, B accepts; the accept is observed after it was routed.
  const std::string audio = "<content creator='initiator' name='voice'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'/></content>";
  server.send("<iq from='b@e.com/r' to='room@rooms.test/A' type='set' id='j1'><jingle xmlns='urn:xmpp:jingle:1' "
              "action='session-accept' sid='s1'>" + audio + "</jingle></iq>");
  CHECK(contains(server.read_until("session-accept"), "to='a@e.com/r'"));
  for (int i = 0; i < 3; ++i)
    server.send("<iq from='a@e.com/r' to='room@rooms.test' type='set' id='st" + std::to_string(i) +
                "'><stats xmlns='urn:xmpp:mucstream:stats:0' sid='s1' rtt='20'/></iq>");
  std::string answers = server.read_until("<resource-constraint");  // answers come in order
  CHECK(contains(answers, "id='st0'/>"));
  CHECK(contains(answers, "id='st1'/>"));
  CHECK(contains(answers, "<resource-constraint"));
  // The room did not notice: a message still goes round.
  server.send("<message from='b@e.com/r' to='room@rooms.test' type='groupchat' id='m'><body>hi</body></message>");
  CHECK(contains(server.read_until("<body>hi</body>"), "room@rooms.test/B"));

  stop = true;
  server.read_until("</stream:stream>");
  loop.join();
  using E = core::EventType;
  auto t = sink.types();
  CHECK(std::count(t.begin(), t.end(), E::p2p_session_started) == 1);
  CHECK(std::count(t.begin(), t.end(), E::p2p_session_stats) == 2);
  CHECK(std::count(t.begin(), t.end(), E::p2p_session_ended) == 1);  // at shutdown
  CHECK(svc.stats().rejected_flood.load() == 1);
  CHECK(svc.stats().errors_out.load() == 1);  // counted from the verdict: the refused stats report only
  CHECK(svc.stats().events.load() == t.size());
}
