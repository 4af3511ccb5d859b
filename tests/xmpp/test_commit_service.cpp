// The commit point through the whole loop: a fake XEP-0114 server sees nothing of a
// decision until the sink (acknowledging from the test's thread) says it is durable; the
// restore after each handshake, retried when it throws; ghost pings after a restore.
#include <future>
#include <thread>

#include "core/log.hpp"
#include "tests/xmpp/ack_sink.hpp"
#include "tests/xmpp/fake_server.hpp"
#include "tests/xmpp/util.hpp"
#include "xmpp/room_service.hpp"

using namespace mucstream;
using namespace std::chrono_literals;
using xmpp::testing::contains;

namespace {

const std::string kJoin = "<x xmlns='http://jabber.org/protocol/muc'/>";

struct Setup {
  xmpp::testing::FakeServer server;
  xmpp::testing::AckSink sink;
  core::testing::CountingIds ids;
  crypto::OpenSslCrypto crypto{1000};
  xmpp::ConnectionOptions conn;
  Setup() {
    conn = server.connection();
    conn.min_backoff = 20ms;
    conn.max_backoff = 100ms;
    core::set_log_sink([](core::LogLevel, std::string_view, std::string_view) {});  // quiet
  }
};

// Runs the service's loop on its own thread; stops it (acknowledging the 332s) at the end.
struct Running {
  xmpp::RoomService& svc;
  xmpp::testing::AckSink& sink;
  std::atomic<bool> stop{false};
  std::atomic<bool> finished{false};
  std::thread loop;
  Running(xmpp::RoomService& s, xmpp::testing::AckSink& k)
      : svc(s), sink(k), loop([this] {
          svc.run(stop);
          finished = true;
        }) {}
  ~Running() {
    stop = true;
    while (!finished.load()) {  // the 332s wait for the log too
      sink.ack_all();
      std::this_thread::sleep_for(10ms);
    }
    loop.join();
  }
};

}  // namespace

TEST_CASE("RoomService commit point: nothing reaches the server before the ack, admin done after it") {
  Setup s;
  xmpp::RoomService svc(s.conn, xmpp::Limits{}, core::ServiceConfig{}, core::Service{}, s.ids, s.crypto, s.sink);
  Running run(svc, s.sink);
  s.server.accept_and_handshake();
  s.server.send("<presence from='a@e.com/r' to='room@rooms.test/A'>" + kJoin + "</presence>");
  // Disco is answered at once while the join waits for the log.
  s.server.send("<iq from='a@e.com/r' to='rooms.test' type='get' id='disco'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
  std::string early = s.server.read_until("id='disco'");
  CHECK_FALSE(contains(early, "<subject/>"));
  CHECK_FALSE(contains(s.server.read_for(300), "<subject/>"));
  CHECK(svc.stats().parked.load() == 1);
  s.sink.ack_all();  // from this thread, as the log's own thread would
  CHECK(contains(s.server.read_until("<subject/>"), "status code='201'"));

  std::promise<bool> done;
  svc.submit(core::SetLock{core::Requester::admin("ops"), "room@rooms.test", true},
             [&](const core::Decision& d) { done.set_value(d.ok()); });
  auto f = done.get_future();
  for (int i = 0; i < 100 && s.sink.unacked().size() < 1; ++i) std::this_thread::sleep_for(10ms);
  REQUIRE(s.sink.unacked().size() == 1);
  CHECK(f.wait_for(300ms) == std::future_status::timeout);
  CHECK_FALSE(contains(s.server.read_for(100), "locked"));
  s.sink.ack_all();
  REQUIRE(f.wait_for(5s) == std::future_status::ready);
  CHECK(f.get());
  CHECK(contains(s.server.read_until("This room is now locked"), "to='a@e.com/r'"));

  // The log stops accepting: a join is refused with wait, the occupant can still leave.
  s.sink.set_accepting(false);
  s.server.send("<presence from='b@e.com/r' to='other@rooms.test/B'>" + kJoin + "</presence>");
  CHECK(contains(s.server.read_until("</presence>"), "<error type='wait' by='other@rooms.test'><resource-constraint"));
  s.server.send("<presence from='a@e.com/r' to='room@rooms.test/A' type='unavailable'/>");
  for (int i = 0; i < 100 && s.sink.unacked().empty(); ++i) std::this_thread::sleep_for(10ms);
  s.sink.ack_all();
  CHECK(contains(s.server.read_until("type='unavailable'"), "to='a@e.com/r'"));
  CHECK(svc.stats().rejected_unavailable.load() == 1);
}

TEST_CASE("RoomService restore: after each handshake, retried when it throws, then ghost pings to restored sessions") {
  Setup s;
  // The state a log would give back: a room with two occupants from before a failover.
  core::Service before;
  {
    xmpp::testing::AckSink scratch;
    std::string out;
    xmpp::CommitOptions immediate;
    immediate.release_immediately = true;
    xmpp::RoomHandler h("rooms.test", xmpp::Limits{}, core::ServiceConfig{}, core::Service{}, s.ids, s.crypto, scratch,
                        out, immediate);
    auto feed = [&](const std::string& x) { h.handle(*xmpp::parse_xml(x), xmpp::Now{1, 1}); };
    feed("<presence from='x@e.com/r' to='room@rooms.test/x'>" + kJoin + "</presence>");
    feed("<iq from='x@e.com/r' to='room@rooms.test' type='set' id='c'><query xmlns='http://jabber.org/protocol/muc#owner'>"
         "<x xmlns='jabber:x:data' type='submit'/></query></iq>");
    feed("<presence from='y@e.com/r' to='room@rooms.test/y'>" + kJoin + "</presence>");
    before = h.service();
  }
  REQUIRE(before.find("room@rooms.test")->occupants.size() == 2);

  xmpp::CommitOptions commit;
  commit.ghost_ping_timeout = 500ms;
  xmpp::RoomService svc(s.conn, xmpp::Limits{}, core::ServiceConfig{}, core::Service{}, s.ids, s.crypto, s.sink, commit);
  std::atomic<int> calls{0};
  svc.set_restore([&]() -> core::Service {
    if (++calls == 1) throw std::runtime_error("log not reachable yet");
    return before;
  });
  Running run(svc, s.sink);

  s.server.accept_and_handshake();
  CHECK(s.server.closed_within(5000));  // the first restore threw: closed
  s.server.drop();
  s.server.accept_and_handshake();  // retried
  // Both restored sessions are pinged; y answers, x does not.
  std::string pings;
  auto count = [&] {
    std::size_t n = 0;
    for (auto at = pings.find("<ping xmlns='urn:xmpp:ping'/></iq>"); at != std::string::npos;
         at = pings.find("<ping xmlns='urn:xmpp:ping'/></iq>", at + 1))
      ++n;
    return n;
  };
  while (count() < 2) pings += s.server.read_until("<ping xmlns='urn:xmpp:ping'/></iq>");
  CHECK(calls.load() == 2);
  CHECK(contains(pings, "to='x@e.com/r'"));
  const auto at = pings.find("to='y@e.com/r' id='");
  REQUIRE(at != std::string::npos);
  const auto id_start = at + std::string("to='y@e.com/r' id='").size();
  const std::string id = pings.substr(id_start, pings.find('\'', id_start) - id_start);
  s.server.send("<iq from='y@e.com/r' to='room@rooms.test' type='result' id='" + id + "'/>");
  // x leaves as a ghost once its ping timed out and the log took it: y sees 333.
  for (int i = 0; i < 200 && s.sink.unacked().empty(); ++i) std::this_thread::sleep_for(10ms);
  s.sink.ack_all();
  std::string gone = s.server.read_until("status code='333'");
  CHECK(contains(gone, "to='y@e.com/r' from='room@rooms.test/x' type='unavailable'"));
  CHECK(svc.stats().ghosts_removed.load() == 1);
  CHECK(svc.stats().restores.load() == 1);
  CHECK(svc.stats().restore_failures.load() == 1);

  // The server goes away and comes back: restored again before anything is handled.
  s.server.drop();
  s.server.accept_and_handshake();
  s.server.send("<message from='y@e.com/r' to='room@rooms.test' type='groupchat'><body>back</body></message>");
  for (int i = 0; i < 200 && s.sink.unacked().empty(); ++i) std::this_thread::sleep_for(10ms);
  s.sink.ack_all();
  s.server.read_until("<body>back</body>");
  CHECK(calls.load() == 3);
  CHECK(svc.stats().restores.load() == 2);
}
