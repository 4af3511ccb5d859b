// The commit point in the room handler, without a socket: output held until the sink
// acknowledges, per room and in order; what is not held; refusals while the log does not
// accept; admin answers after the ack; snapshot rounds; ghosts by bounce and by ping.
#include <regex>

#include "tests/xmpp/ack_sink.hpp"
#include "tests/xmpp/util.hpp"
#include "xmpp/room_handler.hpp"

using namespace mucstream;
using namespace mucstream::xmpp;
using namespace mucstream::xmpp::testing;

namespace {

const std::string kMuc = "<x xmlns='http://jabber.org/protocol/muc'/>";

struct Loop {
  core::testing::CountingIds ids;
  crypto::OpenSslCrypto crypto{1000};
  AckSink sink;
  std::string out;
  RoomHandler h;
  std::int64_t mono = 1'000;

  explicit Loop(CommitOptions c = {}, core::Service initial = {})
      : h(kDomain, Limits{}, core::ServiceConfig{}, std::move(initial), ids, crypto, sink, out, c) {}

  Outcome feed(const std::string& s) {
    auto t = xml(s);
    return h.handle(*t, Now{1'700'000'000'000, mono});
  }
  // What was released since the last call.
  std::string take() {
    std::string s;
    s.swap(out);
    return s;
  }
  void ack(std::vector<core::LogPosition> ps) { h.durable(ps); }
  void ack_all() { ack(sink.unacked()); sink.ack_all(); }
  void join(const std::string& user, const std::string& room, const std::string& nick) {
    REQUIRE(feed("<presence from='" + user + "' to='" + room + "/" + nick + "'>" + kMuc + "</presence>").verdict ==
            Verdict::handled);
  }
  // An instant room owned by `owner`, everything acknowledged and taken.
  void room(const std::string& owner, const std::string& room, const std::string& nick) {
    join(owner, room, nick);
    REQUIRE(feed("<iq from='" + owner + "' to='" + room + "' type='set' id='c'><query "
                 "xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/></query></iq>")
                .verdict == Verdict::handled);
    ack_all();
    take();
  }
  void say(const std::string& user, const std::string& room, const std::string& text) {
    REQUIRE(feed("<message from='" + user + "' to='" + room + "' type='groupchat'><body>" + text + "</body></message>")
                .verdict == Verdict::handled);
  }
};

std::string bounce(const std::string& from, const std::string& to, const std::string& condition) {
  return "<message from='" + from + "' to='" + to + "' type='error'><error type='cancel'><" + condition +
         " xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>";
}

}  // namespace

TEST_CASE("parking: position 0 is durable at once but waits behind its room, other rooms pass, unknown acks are ignored") {
  Parking p;
  std::string out;
  int after = 0;
  for (core::LogPosition x : {1, 2}) p.published(x);
  std::string a1 = "a1", a2 = "a2", b1 = "b1", a3 = "a3";
  p.park("a", {1}, a1, [&](bool released) { after += released ? 1 : 100; }, out);
  p.park("a", {0}, a2, {}, out);  // durable already, but after a1 in room a
  p.park("b", {0}, b1, {}, out);
  CHECK(out == "b1");
  CHECK(p.held() == 2);
  p.durable({7, 2}, out);  // nothing waits for these
  CHECK(out == "b1");
  CHECK(after == 0);
  p.durable({1}, out);
  CHECK(out == "b1a1a2");
  CHECK(after == 1);
  CHECK(p.all_durable());
  p.park("a", {}, a3, {}, out);
  CHECK(out == "b1a1a2a3");
  CHECK(p.held() == 0);
}

TEST_CASE("commit point: output waits for every position of its decision, then is released") {
  Loop l;
  l.join("a@e.com/r", "one@rooms.test", "A");
  CHECK(l.sink.unacked() == std::vector<core::LogPosition>{1, 2});  // room_created, occupant_joined
  CHECK(l.take().empty());
  CHECK(l.h.parked() == 1);
  l.ack({1});
  CHECK(l.take().empty());
  l.ack({2});
  std::string joined = l.take();
  CHECK(contains(joined, "status code='201'"));
  CHECK(contains(joined, "<subject/>"));
  CHECK(l.h.parked() == 0);
  CHECK(l.h.all_durable());
  // The IQ result of a state change is part of its output.
  CHECK(l.feed("<iq from='a@e.com/r' to='one@rooms.test' type='set' id='cfg'><query xmlns='http://jabber.org/protocol/muc#owner'>"
               "<x xmlns='jabber:x:data' type='submit'/></query></iq>")
            .verdict == Verdict::handled);
  CHECK(l.take().empty());
  l.ack({3});
  CHECK(contains(l.take(), "id='cfg'"));
}

TEST_CASE("commit point: another room is not held by this one, and one room releases in order") {
  Loop l;
  l.room("a@e.com/r", "one@rooms.test", "A");
  l.room("b@e.com/r", "two@rooms.test", "B");
  l.say("a@e.com/r", "one@rooms.test", "first");   // position 7
  l.say("a@e.com/r", "one@rooms.test", "second");  // position 8
  l.say("b@e.com/r", "two@rooms.test", "other");   // position 9
  REQUIRE(l.sink.unacked() == std::vector<core::LogPosition>{7, 8, 9});
  l.ack({9});  // the other room's log acknowledged first (another partition)
  std::string other = l.take();
  CHECK(contains(other, "<body>other</body>"));
  CHECK_FALSE(contains(other, "first"));
  l.ack({8});  // the second message waits for the first
  CHECK(l.take().empty());
  l.ack({7});
  std::string both = l.take();
  REQUIRE(contains(both, "first"));
  REQUIRE(contains(both, "second"));
  CHECK(both.find("first") < both.find("second"));
}

TEST_CASE("commit point: disco, pings and private messages are not held behind parked output") {
  Loop l;
  l.room("a@e.com/r", "one@rooms.test", "A");
  l.join("b@e.com/r", "one@rooms.test", "B");
  l.ack_all();
  l.take();
  l.say("a@e.com/r", "one@rooms.test", "held");
  CHECK(l.take().empty());
  CHECK(l.feed("<iq from='b@e.com/r' to='one@rooms.test' type='get' id='d'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>")
            .verdict == Verdict::handled);
  CHECK(contains(l.take(), "id='d'"));
  CHECK(l.feed("<iq from='b@e.com/r' to='one@rooms.test' type='get' id='p'><ping xmlns='urn:xmpp:ping'/></iq>").verdict ==
        Verdict::handled);
  CHECK(contains(l.take(), "id='p'"));
  CHECK(l.feed("<message from='b@e.com/r' to='one@rooms.test/A' type='chat'><body>psst</body></message>").verdict ==
        Verdict::handled);
  std::string pm = l.take();
  CHECK(contains(pm, "psst"));
  CHECK_FALSE(contains(pm, "held"));
  l.ack_all();
  CHECK(contains(l.take(), "held"));
}

TEST_CASE("commit point: while the log does not accept, changes are refused with wait, a leave still goes") {
  Loop l;
  l.room("a@e.com/r", "one@rooms.test", "A");
  l.join("b@e.com/r", "one@rooms.test", "B");
  l.ack_all();
  l.take();
  const auto published = l.sink.last();
  l.sink.set_accepting(false);
  CHECK(l.feed("<presence from='c@e.com/r' to='one@rooms.test/C'>" + kMuc + "</presence>").verdict ==
        Verdict::refused_unavailable);
  std::string refused = l.take();
  CHECK(contains(refused, "<error type='wait' by='one@rooms.test'><resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"));
  CHECK(contains(refused, "to='c@e.com/r'"));
  CHECK(l.feed("<message from='a@e.com/r' to='one@rooms.test' type='groupchat'><body>no</body></message>").verdict ==
        Verdict::refused_unavailable);
  CHECK(contains(l.take(), "<resource-constraint"));
  CHECK(l.sink.last() == published);  // nothing was applied or published
  CHECK(l.h.service().find("one@rooms.test")->occupant_by_nick("C") == nullptr);
  // An admin command gets the core's resource-constraint/wait error, at once.
  bool called = false;
  core::Decision d = l.h.run(core::SetLock{core::Requester::admin("ops"), "one@rooms.test", true}, Now{1, 1},
                             [&](const core::Decision& x) {
                               called = true;
                               CHECK_FALSE(x.ok());
                             });
  CHECK(called);
  REQUIRE(d.error.has_value());
  CHECK(d.error->condition == core::ErrorCondition::resource_constraint);
  CHECK(d.error->type == core::ErrorType::wait);
  // Leaving is never refused; its output still waits for the log.
  CHECK(l.feed("<presence from='b@e.com/r' to='one@rooms.test/B' type='unavailable'/>").verdict == Verdict::handled);
  CHECK(l.sink.last() == published + 1);
  CHECK(l.take().empty());
  l.ack_all();
  CHECK(contains(l.take(), "type='unavailable'"));
  // Queries still answer.
  CHECK(l.feed("<iq from='a@e.com/r' to='one@rooms.test' type='get' id='p'><ping xmlns='urn:xmpp:ping'/></iq>").verdict ==
        Verdict::handled);
  CHECK(contains(l.take(), "type='result'"));
  l.sink.set_accepting(true);
  CHECK(l.feed("<presence from='c@e.com/r' to='one@rooms.test/C'>" + kMuc + "</presence>").verdict == Verdict::handled);
}

TEST_CASE("commit point: an admin command's done comes after its ack, with the decision") {
  Loop l;
  l.room("a@e.com/r", "one@rooms.test", "A");
  int calls = 0;
  l.h.run(core::SetLock{core::Requester::admin("ops"), "one@rooms.test", true}, Now{1, 1}, [&](const core::Decision& d) {
    ++calls;
    CHECK(d.ok());
    CHECK(d.events.size() == 1);
  });
  CHECK(calls == 0);
  CHECK(l.take().empty());
  l.ack_all();
  CHECK(calls == 1);
  CHECK(contains(l.take(), "This room is now locked"));
  // The service stopping before the ack: done hears it was not confirmed.
  core::ErrorCondition why{};
  l.h.run(core::SetLock{core::Requester::admin("ops"), "one@rooms.test", false}, Now{1, 1},
          [&](const core::Decision& d) { why = d.error ? d.error->condition : core::ErrorCondition::bad_request; });
  CHECK(l.h.drop_parked() == 1);
  CHECK(why == core::ErrorCondition::service_unavailable);
}

TEST_CASE("commit point: release immediately does not wait for the log") {
  CommitOptions c;
  c.release_immediately = true;
  Loop l(c);
  l.join("a@e.com/r", "one@rooms.test", "A");
  CHECK(contains(l.take(), "<subject/>"));
  CHECK_FALSE(l.h.all_durable());  // still tracked, for the wait before a restore
}

TEST_CASE("snapshot rounds: changed rooms at their state, gone rooms removed, a round spread over turns") {
  CommitOptions c;
  c.snapshot_interval = std::chrono::milliseconds(1000);
  c.snapshot_rooms_per_turn = 1;
  Loop l(c);
  l.room("a@e.com/r", "one@rooms.test", "A");
  l.room("b@e.com/r", "two@rooms.test", "B");
  CHECK_FALSE(l.h.tick(Now{0, 0}));  // the first round is one interval away
  CHECK(l.sink.snapshots().empty());
  CHECK(l.h.tick(Now{0, 1000}));  // begins, one room, more to come
  CHECK_FALSE(l.h.tick(Now{0, 1001}));
  auto s = l.sink.snapshots();
  REQUIRE(s.size() == 4);
  CHECK(s[0] == "begin:6");
  std::vector<std::string> rooms{s[1], s[2]};
  std::sort(rooms.begin(), rooms.end());
  CHECK(rooms == std::vector<std::string>{"room:one@rooms.test@3/1", "room:two@rooms.test@3/1"});
  CHECK(s[3] == "end");
  CHECK(l.h.snapshot_rounds() == 1);
  // Nothing changed: an empty round. Then room two empties (temporary: it goes), one changes.
  l.sink.clear_snapshots();
  l.h.tick(Now{0, 2000});
  CHECK(l.sink.snapshots() == std::vector<std::string>{"begin:6", "end"});
  l.sink.clear_snapshots();
  REQUIRE(l.feed("<presence from='b@e.com/r' to='two@rooms.test/B' type='unavailable'/>").verdict == Verdict::handled);
  l.say("a@e.com/r", "one@rooms.test", "hi");
  while (l.h.tick(Now{0, 3000})) {
  }
  s = l.sink.snapshots();
  REQUIRE(s.size() == 4);
  CHECK(s[0] == "begin:" + std::to_string(l.sink.last()));
  rooms = {s[1], s[2]};
  std::sort(rooms.begin(), rooms.end());
  CHECK(rooms == std::vector<std::string>{"removed:two@rooms.test", "room:one@rooms.test@4/1"});
  // After a restore every room is due again.
  l.sink.clear_snapshots();
  l.h.restore(l.h.service());
  while (l.h.tick(Now{0, 4000})) {
  }
  CHECK(l.sink.snapshots().size() == 3);
  CHECK(l.sink.snapshots()[1] == "room:one@rooms.test@4/1");
}

TEST_CASE("snapshot rounds: every room given at construction is in the first round") {
  Loop first;
  first.room("a@e.com/r", "one@rooms.test", "A");
  CommitOptions c;
  c.snapshot_interval = std::chrono::milliseconds(10);
  Loop l(c, first.h.service());
  l.h.tick(Now{0, 0});
  l.h.tick(Now{0, 10});
  CHECK(l.sink.snapshots() == std::vector<std::string>{"begin:0", "room:one@rooms.test@3/1", "end"});
}

TEST_CASE("ghosts: a bounce from a session's server removes it, the others see 333 after the ack") {
  Loop l;
  l.room("a@e.com/r", "one@rooms.test", "A");
  l.join("b@e.com/r", "one@rooms.test", "B");
  l.ack_all();
  l.take();
  // Conditions that do not mean "gone", IQ errors (a client's own answer) and strangers: nothing.
  CHECK(l.feed(bounce("b@e.com/r", "one@rooms.test/A", "not-acceptable")).verdict == Verdict::ignored);
  CHECK(l.feed(bounce("x@e.com/r", "one@rooms.test/A", "service-unavailable")).verdict == Verdict::ignored);
  l.feed("<iq from='b@e.com/r' to='one@rooms.test/A' type='error' id='q'><error type='cancel'><service-unavailable "
         "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>");
  CHECK(l.h.service().find("one@rooms.test")->occupant_by_nick("B") != nullptr);
  CHECK(l.sink.unacked().empty());

  CHECK(l.feed(bounce("b@e.com/r", "one@rooms.test/A", "recipient-unavailable")).verdict == Verdict::handled);
  CHECK(l.h.service().find("one@rooms.test")->occupant_by_nick("B") == nullptr);
  auto ev = l.sink.events();
  REQUIRE(ev.back().type == core::EventType::occupant_left);
  CHECK(std::get<core::data::OccupantLeft>(ev.back().data).reason == "ghost");
  CHECK(l.take().empty());
  l.ack_all();
  std::string gone = l.take();
  CHECK(contains(gone, "to='a@e.com/r' from='one@rooms.test/B' type='unavailable'"));
  CHECK(contains(gone, "status code='333'"));
  CHECK_FALSE(contains(gone, "to='b@e.com/r'"));
  CHECK(l.h.ghosts_removed() == 1);
}

TEST_CASE("ghosts: after a connect every session is pinged, no answer in time or an error means a ghost") {
  CommitOptions c;
  c.ghost_ping_timeout = std::chrono::milliseconds(5000);
  c.snapshot_interval = std::chrono::milliseconds(0);
  Loop l(c);
  l.room("a@e.com/r", "one@rooms.test", "A");
  l.join("b@e.com/r", "one@rooms.test", "B");
  l.join("c@e.com/r", "one@rooms.test", "C");
  l.ack_all();
  l.take();
  l.h.connected();
  CHECK_FALSE(l.h.tick(Now{0, 100}));
  std::string pings = l.take();
  std::map<std::string, std::string> id_of;  // full JID -> ping id
  std::regex re("<iq type='get' from='one@rooms.test' to='([^']+)' id='([^']+)'><ping xmlns='urn:xmpp:ping'/></iq>");
  for (std::sregex_iterator it(pings.begin(), pings.end(), re), end; it != end; ++it) id_of[(*it)[1]] = (*it)[2];
  REQUIRE(id_of.size() == 3);
  CHECK(l.h.pings_pending() == 3);
  // A answers, C's server says C is not there (asked twice), B says nothing.
  CHECK(l.feed("<iq from='a@e.com/r' to='one@rooms.test' type='result' id='" + id_of["a@e.com/r"] + "'/>").verdict ==
        Verdict::handled);
  // A spoofed answer for B from someone else changes nothing.
  l.feed("<iq from='x@e.com/r' to='one@rooms.test' type='result' id='" + id_of["b@e.com/r"] + "'/>");
  const auto unavailable = [&](const std::string& id) {
    return l.feed("<iq from='c@e.com/r' to='one@rooms.test' type='error' id='" + id +
                  "'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>");
  };
  CHECK(unavailable(id_of["c@e.com/r"]).verdict == Verdict::handled);
  // service-unavailable may also be a client without pings: asked again with disco#info.
  CHECK(l.h.service().find("one@rooms.test")->occupant_by_nick("C") != nullptr);
  CHECK_FALSE(l.h.tick(Now{0, 200}));
  std::smatch m;
  const std::string again = l.take();
  REQUIRE(std::regex_search(again, m, std::regex("<iq type='get' from='one@rooms.test' to='c@e.com/r' id='([^']+)'>"
                                                  "<query xmlns='http://jabber.org/protocol/disco#info'/></iq>")));
  CHECK(unavailable(m[1]).verdict == Verdict::handled);
  CHECK(l.h.service().find("one@rooms.test")->occupant_by_nick("C") == nullptr);
  l.h.tick(Now{0, 5000});  // B's ping is 4900 ms old
  CHECK(l.h.service().find("one@rooms.test")->occupant_by_nick("B") != nullptr);
  l.h.tick(Now{0, 5100});
  CHECK(l.h.service().find("one@rooms.test")->occupant_by_nick("B") == nullptr);
  CHECK(l.h.service().find("one@rooms.test")->occupant_by_nick("A") != nullptr);
  CHECK(l.h.ghosts_removed() == 2);
  l.ack_all();
  std::string out = l.take();
  CHECK(contains(out, "from='one@rooms.test/B' type='unavailable'"));
  CHECK(contains(out, "from='one@rooms.test/C' type='unavailable'"));
  CHECK(contains(out, "status code='333'"));
  int reasons = 0;
  for (const auto& e : l.sink.events())
    if (auto* left = std::get_if<core::data::OccupantLeft>(&e.data); left && left->reason == "ghost") ++reasons;
  CHECK(reasons == 2);
}

TEST_CASE("ghosts: a client without pings answers service-unavailable (RFC 6120 8.4) and stays when it answers disco#info") {
  CommitOptions c;
  c.ghost_ping_timeout = std::chrono::milliseconds(5000);
  c.snapshot_interval = std::chrono::milliseconds(0);
  Loop l(c);
  l.room("a@e.com/r", "one@rooms.test", "A");
  l.ack_all();
  l.take();
  l.h.connected();
  l.h.tick(Now{0, 100});
  std::smatch m;
  std::string out = l.take();
  REQUIRE(std::regex_search(out, m, std::regex("to='a@e.com/r' id='([^']+)'><ping")));
  CHECK(l.feed("<iq from='a@e.com/r' to='one@rooms.test' type='error' id='" + std::string(m[1]) +
               "'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>")
            .verdict == Verdict::handled);
  l.h.tick(Now{0, 200});
  out = l.take();
  REQUIRE(std::regex_search(out, m, std::regex("to='a@e.com/r' id='([^']+)'><query xmlns='http://jabber.org/protocol/disco#info'/>")));
  CHECK(l.feed("<iq from='a@e.com/r' to='one@rooms.test' type='result' id='" + std::string(m[1]) +
               "'><query xmlns='http://jabber.org/protocol/disco#info'><identity category='client' type='pc'/></query></iq>")
            .verdict == Verdict::handled);
  l.h.tick(Now{0, 10'000});  // long after the timeout: answered, nothing expires
  CHECK(l.h.service().find("one@rooms.test")->occupant_by_nick("A") != nullptr);
  CHECK(l.h.ghosts_removed() == 0);
  CHECK(l.h.pings_pending() == 0);
}
