// Archive queries through a running RoomService: the reader answers later from a thread of
// its own, the loop keeps serving the room meanwhile, and the answer comes out in order.
#include <chrono>
#include <condition_variable>
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

// Answers each query from a worker thread, once the test releases it.
struct SlowReader final : core::ArchiveReader {
  std::mutex mu;
  std::condition_variable cv;
  bool released = false;
  std::vector<std::thread> workers;
  ~SlowReader() override {
    release();
    for (auto& t : workers) t.join();
  }
  void release() {
    std::lock_guard<std::mutex> l(mu);
    released = true;
    cv.notify_all();
  }
  void query(core::ArchiveQuery q, std::function<void(core::ArchiveResult)> done) override {
    workers.emplace_back([this, q = std::move(q), done = std::move(done)] {
      std::unique_lock<std::mutex> l(mu);
      cv.wait(l, [&] { return released; });
      l.unlock();
      core::ArchivePage page;
      for (int i = 1; i <= 2; ++i) {
        core::ArchivedMessage m;
        m.stanza_id = "0190a1b2-c3d4-7e5f-8a9b-00000000000" + std::to_string(i);
        m.time_ms = 1'700'000'000'000 + i;
        m.nick = "A";
        m.payload = "<body>archived " + std::to_string(i) + " of " + q.room_id.substr(0, 4) + "</body>";
        page.messages.push_back(m);
      }
      page.complete = true;
      page.count = 2;
      done(page);
    });
  }
  void ends(std::string, std::int64_t, std::function<void(core::ArchiveEndsResult)> done) override {
    done(core::ArchiveFailure::unavailable);
  }
};

}  // namespace

TEST_CASE("RoomService archive: the loop serves the room while the reader works, results then fin reach the asker") {
  xmpp::testing::FakeServer server;
  NullSink sink;
  SlowReader reader;
  core::testing::CountingIds ids;
  crypto::OpenSslCrypto crypto{1000};
  xmpp::RoomService svc(server.connection(), xmpp::Limits{}, core::ServiceConfig{}, core::Service{}, ids, crypto, sink);
  svc.set_archive_reader(&reader);
  core::set_log_sink([](core::LogLevel, std::string_view, std::string_view) {});
  std::atomic<bool> stop{false};
  std::thread loop([&] { svc.run(stop); });

  server.accept_and_handshake();
  server.send("<presence from='a@e.com/r' to='room@rooms.test/A'><x xmlns='http://jabber.org/protocol/muc'/></presence>");
  server.read_until("<subject/>");
  server.send("<iq from='a@e.com/r' to='room@rooms.test' type='set' id='c'><query xmlns='http://jabber.org/protocol/muc#owner'>"
              "<x xmlns='jabber:x:data' type='submit'/></query></iq>");
  server.read_until("id='c'");

  server.send("<iq from='a@e.com/r' to='room@rooms.test' type='set' id='mq'><query xmlns='urn:xmpp:mam:2' queryid='q1'/></iq>");
  server.send("<message from='a@e.com/r' to='room@rooms.test' type='groupchat' id='live'><body>live</body></message>");
  const std::string live = server.read_until("<body>live</body>");
  CHECK_FALSE(xmpp::testing::contains(live, "urn:xmpp:mam:2"));  // the reader still holds the query
  reader.release();
  const std::string answer = server.read_until("</fin>");
  const auto r1 = answer.find("archived 1");
  const auto r2 = answer.find("archived 2");
  const auto fin = answer.find("<fin");
  REQUIRE(r1 != std::string::npos);
  REQUIRE(r2 != std::string::npos);
  CHECK(r1 < r2);
  CHECK(r2 < fin);
  CHECK(xmpp::testing::contains(answer, "queryid='q1'"));
  CHECK(xmpp::testing::contains(answer, "id='mq'"));
  CHECK(xmpp::testing::contains(answer, "complete='true'"));

  // A reader failure comes back through the loop too.
  server.send("<iq from='a@e.com/r' to='room@rooms.test' type='get' id='md'><metadata xmlns='urn:xmpp:mam:2'/></iq>");
  CHECK(xmpp::testing::contains(server.read_until("service-unavailable"), "id='md'"));

  stop = true;
  server.read_until("</stream:stream>");
  loop.join();
}
