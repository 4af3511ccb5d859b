// One room loop per MUC domain (tools/mucstreamd/room_services.hpp): commands reach the loop
// of their room's domain, reads see one domain's rooms only, a room named by id is found on
// whichever loop has it, a sweep covers every domain in one answer, and a restored state is
// split by domain. The loops are real xmpp::RoomService instances with no XMPP server to
// reach (they keep retrying the connection; commands run meanwhile).
#include <doctest/doctest.h>

#include <future>
#include <mutex>
#include <tuple>
#include <set>
#include <thread>

#include "core/decide.hpp"
#include "core/jid.hpp"
#include "core/log.hpp"
#include "crypto/openssl_crypto.hpp"
#include "events/ids.hpp"
#include "tests/xmpp/fake_server.hpp"
#include "tests/xmpp/util.hpp"
#include "tools/mucstreamd/domains.hpp"
#include "tools/mucstreamd/event_log_sink.hpp"
#include "tools/mucstreamd/room_services.hpp"

using namespace mucstream;
using tools::RoomServices;

namespace {

const std::string kAcme = "rooms.acme.test", kGlobex = "rooms.globex.test";

core::Jid bare(const std::string& text) { return std::get<core::Jid>(core::Jid::parse(text)); }

// Two loops (acme, globex) running on their own threads until the fixture ends.
struct TwoDomains {
  events::UuidV7Ids ids;
  tools::NullSink sink_a, sink_b;
  RoomServices loops;
  std::atomic<bool> stop{false};
  std::thread runner;

  TwoDomains() {
    add(kAcme, sink_a);
    add(kGlobex, sink_b);
    runner = std::thread([this] { loops.run(stop); });
  }
  ~TwoDomains() {
    stop = true;
    runner.join();
  }
  void add(const std::string& domain, core::EventSink& sink) {
    xmpp::ConnectionOptions c;
    c.host = "127.0.0.1";
    c.port = 1;  // nothing listens: the loop retries while it runs the commands
    c.domain = domain;
    c.secret = "s";
    core::ServiceConfig cfg;
    cfg.domain = domain;
    auto crypto = std::make_unique<crypto::OpenSslCrypto>();
    auto loop = std::make_unique<xmpp::RoomService>(c, xmpp::Limits{}, cfg, core::Service{}, ids, *crypto, sink);
    loops.add(domain, std::move(loop), std::move(crypto));
  }
  core::Decision run(core::Command c) {
    auto p = std::make_shared<std::promise<core::Decision>>();
    auto f = p->get_future();
    loops.submit(std::move(c), [p](const core::Decision& d) { p->set_value(d); });
    REQUIRE(f.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    return f.get();
  }
  std::vector<std::string> rooms_of(const std::string& domain) {
    auto p = std::make_shared<std::promise<std::vector<std::string>>>();
    auto f = p->get_future();
    REQUIRE(loops.inspect(domain, [p](const core::Service& s) {
      std::vector<std::string> out;
      for (const auto& [jid, r] : s.rooms) out.push_back(jid);
      p->set_value(out);
    }));
    REQUIRE(f.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    return f.get();
  }
  core::Decision create(const std::string& room) {
    return run(core::CreateRoom{core::Requester::admin("ops"), room, bare("owner@example.test"), {}});
  }
};

}  // namespace

TEST_CASE("room services: a command goes to the loop of its room's domain, and the same local part is two rooms") {
  TwoDomains t;
  const core::Decision a = t.create("standup@" + kAcme);
  const core::Decision b = t.create("standup@" + kGlobex);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  REQUIRE(!a.events.empty());
  REQUIRE(!b.events.empty());
  CHECK(a.events.front().room_id != b.events.front().room_id);
  CHECK(t.rooms_of(kAcme) == std::vector<std::string>{"standup@" + kAcme});
  CHECK(t.rooms_of(kGlobex) == std::vector<std::string>{"standup@" + kGlobex});
  // Destroying globex's room leaves acme's.
  CHECK(t.run(core::DestroyRoom{core::Requester::admin("ops"), "standup@" + kGlobex, "", ""}).ok());
  CHECK(t.rooms_of(kGlobex).empty());
  CHECK(t.rooms_of(kAcme) == std::vector<std::string>{"standup@" + kAcme});
  // A room of a domain no loop serves is unknown, as any unknown room.
  const core::Decision other = t.create("standup@rooms.other.test");
  REQUIRE(other.error);
  CHECK(other.error->condition == core::ErrorCondition::item_not_found);
  CHECK_FALSE(t.loops.inspect("rooms.other.test", [](const core::Service&) {}));
}

TEST_CASE("room services: a report naming its room by id reaches the loop that has the room") {
  TwoDomains t;
  REQUIRE(t.create("standup@" + kAcme).ok());
  const core::Decision b = t.create("standup@" + kGlobex);
  REQUIRE(b.ok());
  core::ClientReport r;
  r.room_id = b.events.front().room_id;
  r.session = "no-such-session";
  r.type = core::EventType::started_speaking;
  r.data = core::Value::object();
  // Acme's loop does not know the id; globex's does, and refuses the unknown session.
  const core::Decision d = t.run(r);
  REQUIRE(d.error);
  CHECK(d.error->condition == core::ErrorCondition::forbidden);
  r.room_id = "0190f3c2-8a40-7000-8000-0000000000ff";
  const core::Decision unknown = t.run(r);
  REQUIRE(unknown.error);
  CHECK(unknown.error->condition == core::ErrorCondition::item_not_found);
}

TEST_CASE("room services: a sweep destroys the empty rooms of every domain and answers once") {
  TwoDomains t;
  REQUIRE(t.create("a@" + kAcme).ok());
  REQUIRE(t.create("b@" + kGlobex).ok());
  REQUIRE(t.create("c@" + kGlobex).ok());
  const core::Decision d = t.run(core::DestroyRooms{core::Requester::admin("ops"), core::RoomSweep{}, ""});
  REQUIRE(d.ok());
  std::set<std::string> destroyed;
  for (const core::Event& e : d.events)
    if (std::holds_alternative<core::data::RoomDestroyed>(e.data)) destroyed.insert(e.room);
  CHECK(destroyed == std::set<std::string>{"a@" + kAcme, "b@" + kGlobex, "c@" + kGlobex});
  CHECK(t.rooms_of(kAcme).empty());
  CHECK(t.rooms_of(kGlobex).empty());
  // Nothing left to sweep: no events, no error.
  const core::Decision again = t.run(core::DestroyRooms{core::Requester::admin("ops"), core::RoomSweep{}, ""});
  CHECK(again.ok());
  CHECK(again.events.empty());
}

TEST_CASE("room services: a restored state is split by domain, rooms of other domains are counted, not served") {
  core::Service all;
  for (const std::string& jid : std::vector<std::string>{"a@" + kAcme, "b@" + kGlobex, "c@rooms.gone.test", "d@" + kAcme}) {
    core::Room r;
    r.jid = jid;
    r.room_id = "id-" + jid;
    all.jid_by_room_id[r.room_id] = jid;
    all.rooms.emplace(jid, r);
  }
  std::size_t foreign = 0;
  const auto parts = tools::split_by_domain(all, {kAcme, kGlobex}, &foreign);
  REQUIRE(parts.size() == 2);
  CHECK(parts[0].rooms.size() == 2);
  CHECK(parts[0].find("a@" + kAcme) != nullptr);
  CHECK(parts[0].find_by_id("id-d@" + kAcme) != nullptr);
  CHECK(parts[1].rooms.size() == 1);
  CHECK(parts[1].find_by_id("id-b@" + kGlobex) != nullptr);
  CHECK(parts[1].find_by_id("id-a@" + kAcme) == nullptr);
  CHECK(foreign == 1);
}

namespace {

// A domain's event log for the failover test: what the loop published, applied as a restore
// would read it back.
struct DomainLog final : core::EventSink {
  std::mutex mu;
  core::Service state;
  std::size_t created = 0;
  std::atomic<int> restores{0};
  core::LogPosition publish(const core::Event& e) override {
    std::lock_guard<std::mutex> l(mu);
    if (e.type == core::EventType::room_created) ++created;
    core::apply(state, e);
    return 0;
  }
  core::Service restore() {
    ++restores;
    std::lock_guard<std::mutex> l(mu);
    return state;
  }
};

std::size_t occupants_in(RoomServices& loops, const std::string& domain, const std::string& room) {
  auto p = std::make_shared<std::promise<std::size_t>>();
  auto f = p->get_future();
  REQUIRE(loops.inspect(domain, [p, room](const core::Service& s) {
    const core::Room* r = s.find(room);
    p->set_value(r == nullptr ? 0 : r->occupants.size());
  }));
  REQUIRE(f.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  return f.get();
}

}  // namespace

// Each domain's connection is its own: one dropping restores that domain's rooms from that
// domain's log, while the other domain's loop keeps serving its rooms, restored once.
TEST_CASE("room services: one domain's connection dropping restores that domain only, the other keeps its rooms") {
  core::set_log_sink([](core::LogLevel, std::string_view, std::string_view) {});  // quiet
  xmpp::testing::FakeServer server_a, server_b;
  DomainLog log_a, log_b;
  events::UuidV7Ids ids;
  RoomServices loops;
  const std::string da = "rooms.test", db = "globex.test";
  for (auto [domain, server, log] : {std::tuple{da, &server_a, &log_a}, std::tuple{db, &server_b, &log_b}}) {
    xmpp::ConnectionOptions c = server->connection();
    c.domain = domain;
    c.min_backoff = c.max_backoff = std::chrono::milliseconds(50);
    core::ServiceConfig cfg;
    cfg.domain = domain;
    auto crypto = std::make_unique<crypto::OpenSslCrypto>();
    auto loop = std::make_unique<xmpp::RoomService>(c, xmpp::Limits{}, cfg, core::Service{}, ids, *crypto, *log);
    loop->set_restore([log = log] { return log->restore(); });
    loops.add(domain, std::move(loop), std::move(crypto));
  }
  std::atomic<bool> stop{false};
  std::thread runner([&] { loops.run(stop); });
  server_a.accept_and_handshake();
  server_b.accept_and_handshake();
  server_a.send("<presence from='a@e.com/r' to='room@rooms.test/A'><x xmlns='http://jabber.org/protocol/muc'/></presence>");
  CHECK(xmpp::testing::contains(server_a.read_until("<subject/>"), "status code='201'"));
  server_b.send("<presence from='b@e.com/r' to='room@globex.test/B'><x xmlns='http://jabber.org/protocol/muc'/></presence>");
  CHECK(xmpp::testing::contains(server_b.read_until("<subject/>"), "status code='201'"));
  server_b.send("<iq from='b@e.com/r' to='room@globex.test' type='set' id='i'><query xmlns='http://jabber.org/protocol/muc#owner'>"
                "<x xmlns='jabber:x:data' type='submit'/></query></iq>");
  server_b.read_until("type='result'");  // an instant room: others may join
  // ejabberd hands every host of a listener to each connection: globex's stanza read on
  // acme's connection is decided by globex's loop and answered on globex's connection.
  server_a.send("<presence from='c@e.com/r' to='room@globex.test/C'><x xmlns='http://jabber.org/protocol/muc'/></presence>");
  CHECK(xmpp::testing::contains(server_b.read_until("status code='110'"), "to='c@e.com/r'"));
  CHECK(occupants_in(loops, db, "room@globex.test") == 2);
  CHECK(occupants_in(loops, da, "room@globex.test") == 0);
  CHECK(log_a.restores == 1);
  CHECK(log_b.restores == 1);

  // Acme's connection drops: acme reconnects and restores acme's rooms from acme's log.
  server_a.drop();
  server_a.accept_and_handshake();
  server_a.read_until("urn:xmpp:ping");  // the ghost ping of acme's restored occupant
  CHECK(log_a.restores == 2);
  CHECK(log_b.restores == 1);  // globex was not restored again
  CHECK(occupants_in(loops, da, "room@rooms.test") == 1);
  CHECK(occupants_in(loops, db, "room@globex.test") == 2);
  // Globex kept serving throughout: a message is relayed at once, and no room was created twice.
  server_b.send("<message from='b@e.com/r' to='room@globex.test' type='groupchat'><body>still here</body></message>");
  CHECK(xmpp::testing::contains(server_b.read_until("still here"), "from='room@globex.test/B'"));
  CHECK(log_a.created == 1);
  CHECK(log_b.created == 1);
  stop = true;
  runner.join();
}

TEST_CASE("room services: xmpp.domain is one domain or several separated by commas, none twice") {
  const tools::SettingRule rule = tools::xmpp_domain_list("xmpp.domain");
  CHECK(rule.accepts("rooms.example.org"));
  CHECK(rule.accepts("rooms.acme.example, rooms.globex.example"));
  CHECK(tools::split_domains(" rooms.acme.example ,rooms.globex.example") ==
        std::vector<std::string>{"rooms.acme.example", "rooms.globex.example"});
  CHECK_FALSE(rule.accepts(""));
  CHECK_FALSE(rule.accepts("rooms.acme.example,"));                     // an empty entry
  CHECK_FALSE(rule.accepts("rooms.acme.example, rooms.acme.example"));  // twice
  CHECK_FALSE(rule.accepts("rooms.acme.example, room@rooms.globex.example"));
  CHECK_FALSE(rule.accepts("rooms.acme.example, rooms.globex.example/x"));
  CHECK(tools::domain_of("standup@rooms.globex.example/Nick") == "rooms.globex.example");
  CHECK(tools::domain_of("rooms.globex.example") == "rooms.globex.example");
}
