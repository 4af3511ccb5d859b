// What mucstream sends: sizes measured on the wire, the ceiling on what it renders, the
// byte limits, and the outbound queue's lanes (order, fairness, bounds, partial writes).
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <map>

#include "tests/xmpp/util.hpp"
#include "xmpp/flood_control.hpp"
#include "xmpp/flow_window.hpp"
#include "xmpp/outbound.hpp"
#include "xmpp/room_handler.hpp"
#include "xmpp/wire_size.hpp"

using namespace mucstream;
using namespace mucstream::xmpp;
using namespace mucstream::xmpp::testing;

namespace {

struct Sink final : core::EventSink {
  std::vector<core::Event> events;
  core::LogPosition publish(const core::Event& e) override {
    events.push_back(e);
    return 0;
  }
};

struct Lanes final : RoomLanes {
  std::map<std::string, std::string> rooms;
  std::string busy;  // this room is congested
  void room(const std::string& r, std::string_view bytes) override { rooms[r].append(bytes); }
  bool congested(const std::string& r) const override { return r == busy; }
};

struct Room {
  core::testing::CountingIds ids;
  crypto::OpenSslCrypto crypto{1000};
  Sink sink;
  std::string out;
  RoomHandler h;
  std::int64_t mono = 1'000;

  explicit Room(Limits l = {}, core::Service s = {})
      : h(kDomain, l, core::ServiceConfig{}, std::move(s), ids, crypto, sink, out) {}
  Outcome feed(const std::string& s, std::string* sent = nullptr) {
    out.clear();
    auto t = xml(s);
    Outcome o = h.handle(*t, Now{1'700'000'000'000, mono});
    if (sent) *sent = out;
    return o;
  }
  void join(const std::string& user, const std::string& nick, std::string* sent = nullptr) {
    REQUIRE(feed("<presence from='" + user + "' to='room@rooms.test/" + nick +
                     "'><x xmlns='http://jabber.org/protocol/muc'/></presence>",
                 sent)
                .verdict == Verdict::handled);
  }
  void instant_room(const std::string& owner, const std::string& nick) {
    join(owner, nick);
    REQUIRE(feed("<iq from='" + owner + "' to='room@rooms.test' type='set' id='c'><query "
                 "xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/></query></iq>")
                .verdict == Verdict::handled);
  }
};

std::string groupchat(const std::string& from, const std::string& body, const std::string& id = "m") {
  return "<message from='" + from + "' to='room@rooms.test' type='groupchat' id='" + id + "'><body>" + body +
         "</body></message>";
}

}  // namespace

TEST_CASE("wire size: what gloox would serialise, escapes included") {
  for (const std::string s :
       {"<message from='a@e.com/r' to='room@rooms.test' type='groupchat'><body>it&apos;s &amp; &lt;b&gt; &quot;q&quot;</body></message>",
        "<presence from='a@e.com/r' to='r@rooms.test/N'><x xmlns='http://jabber.org/protocol/muc'/><status>'''</status></presence>",
        "<iq type='set' id='x&apos;y'><query xmlns='jabber:iq:x'><item a='1' b='&quot;'/><item/></query></iq>",
        "<message><body/></message>"}) {
    auto t = xml(s);
    CHECK_MESSAGE(wire_size(*t) == t->xml().size(), s);
  }
  CHECK(escaped_size("a'b\"c&d<e>f") == std::string("a&apos;b&quot;c&amp;d&lt;e&gt;f").size());
}

TEST_CASE("wire limit: 90,000 apostrophes are refused before any event, a big escaped body within it passes") {
  Room r;
  r.instant_room("a@e.com/r", "A");
  r.join("b@e.com/r", "B");
  const std::size_t before = r.sink.events.size();
  std::string sent;
  // 90 KB parsed (under limits.max_stanza_bytes), 540 KB escaped: over Prosody's 512 KiB.
  CHECK(r.feed(groupchat("a@e.com/r", std::string(90'000, '\'')), &sent).verdict == Verdict::refused_oversize);
  CHECK(contains(sent, "<policy-violation"));
  CHECK(contains(sent, "type='modify'"));
  CHECK(r.sink.events.size() == before);
  CHECK(r.h.service().find("room@rooms.test")->history.empty());
  // 60,000 apostrophes: 360 KB escaped, reflected to both.
  CHECK(r.feed(groupchat("a@e.com/r", std::string(60'000, '\'')), &sent).verdict == Verdict::handled);
  CHECK(std::count(sent.begin(), sent.end(), '\n') == 0);
  CHECK(r.sink.events.size() == before + 1);
  CHECK(r.h.oversize_skipped() == 0);
}

TEST_CASE("wire limit: a history entry above the ceiling is skipped on join, the join works") {
  // A room poisoned before the ceiling existed: its history holds a message that renders
  // above what this service may send.
  Room old;
  old.instant_room("a@e.com/r", "A");
  REQUIRE(old.feed(groupchat("a@e.com/r", std::string(40'000, '\''))).verdict == Verdict::handled);
  REQUIRE(old.feed(groupchat("a@e.com/r", "small")).verdict == Verdict::handled);
  Limits l;
  l.max_stanza_bytes = 100'000;
  l.max_stanza_bytes_out = 200'000;  // the 40,000 apostrophes render to 240 KB
  Room now(l, old.h.service());
  std::string sent;
  now.join("c@e.com/r", "C", &sent);
  CHECK(contains(sent, "<body>small</body>"));
  CHECK_FALSE(contains(sent, "&apos;&apos;&apos;"));
  CHECK(contains(sent, "<subject"));
  CHECK(now.h.oversize_skipped() == 1);
}

TEST_CASE("wire limit: a leave whose status would render above the ceiling still leaves, without the status") {
  Limits l;
  l.max_stanza_bytes = 100'000;
  l.max_stanza_bytes_out = 200'000;
  Room r(l);
  r.instant_room("a@e.com/r", "A");
  r.join("b@e.com/r", "B");
  std::string sent;
  const Outcome o = r.feed("<presence from='b@e.com/r' to='room@rooms.test/B' type='unavailable'><status>" +
                               std::string(40'000, '\'') + "</status></presence>",
                           &sent);
  CHECK(o.verdict == Verdict::handled);
  CHECK(r.h.service().rooms.at("room@rooms.test").occupant_by_nick("B") == nullptr);
  CHECK(contains(sent, "type='unavailable'"));
  CHECK_FALSE(contains(sent, "&apos;&apos;&apos;"));
  CHECK(r.h.oversize_skipped() == 0);  // nothing had to be skipped: every occupant saw the leave
}

TEST_CASE("byte limits: per sender on input bytes, per room on bytes times recipients, leaving passes") {
  Limits l;
  l.sender_bytes_per_second = 1'000;
  l.sender_bytes_burst = 10'000;
  l.room_bytes_per_second = 0;  // this part: the sender only
  Room r(l);
  r.instant_room("a@e.com/r", "A");
  const std::string body(3'000, 'x');
  std::string sent;
  int passed = 0;
  for (int i = 0; i < 5; ++i)
    if (r.feed(groupchat("a@e.com/r", body), &sent).verdict == Verdict::handled) ++passed;
  CHECK(passed == 3);  // 3 x ~3.1 KB in a 10 KB burst
  CHECK(contains(sent, "<resource-constraint"));
  CHECK(contains(sent, "type='wait'"));
  r.mono += 4'000;  // 4 KB refilled
  CHECK(r.feed(groupchat("a@e.com/r", body)).verdict == Verdict::handled);
  CHECK(r.feed("<presence from='a@e.com/r' to='room@rooms.test/A' type='unavailable'/>").verdict == Verdict::handled);

  Limits rl;
  rl.room_bytes_per_second = 1'000;
  rl.room_bytes_burst = 60'000;
  Room q(rl);
  q.instant_room("a@e.com/r", "A");
  for (int i = 0; i < 9; ++i) q.join("u" + std::to_string(i) + "@e.com/r", "U" + std::to_string(i));
  // 10 occupants: a 2 KB message costs ~23 KB of the room's 60 KB burst (the joins took ~6 KB); the next sender is
  // refused too (the room's bucket, not the sender's).
  const std::string two_k(2'000, 'y');
  CHECK(q.feed(groupchat("a@e.com/r", two_k)).verdict == Verdict::handled);
  CHECK(q.feed(groupchat("u1@e.com/r", two_k)).verdict == Verdict::handled);
  CHECK(q.feed(groupchat("u2@e.com/r", two_k), &sent).verdict == Verdict::refused_flood);
  CHECK(contains(sent, "<resource-constraint"));
  CHECK(q.feed(groupchat("u3@e.com/r", "hi")).verdict == Verdict::handled);  // small still fits
}

TEST_CASE("token buckets with a cost: within the burst as usual, above it only from a full bucket, leaving a debt") {
  TokenBuckets b(100, 1'000);
  using V = TokenBuckets::Verdict;
  CHECK(b.take("k", 0, 600) == V::pass);
  CHECK(b.take("k", 0, 600) == V::refuse);
  CHECK(b.take("k", 5'000, 5'000) == V::refuse);  // 900: not full, a 5x-burst item waits
  CHECK(b.take("k", 10'000, 5'000) == V::pass);    // full again: it passes ...
  CHECK(b.take("k", 10'000, 1) == V::refuse);      // ... and leaves a debt of 4,000
  CHECK(b.take("k", 49'000, 1) == V::refuse);      // 3,900 refilled: still in debt
  CHECK(b.take("k", 51'000, 1) == V::pass);
}

TEST_CASE("room lanes: a congested room refuses changes with resource-constraint (wait), others and leaving pass") {
  Room r;
  Lanes lanes;
  r.h.set_lanes(&lanes);
  r.instant_room("a@e.com/r", "A");
  r.join("b@e.com/r", "B");
  CHECK(contains(lanes.rooms["room@rooms.test"], "to='b@e.com/r'"));  // the room's output went to its lane
  lanes.busy = "room@rooms.test";
  std::string sent;
  CHECK(r.feed(groupchat("a@e.com/r", "hi"), &sent).verdict == Verdict::refused_backlog);
  // the refusal keeps its place in the room's lane, behind what the room already sent
  CHECK(contains(lanes.rooms["room@rooms.test"], "<resource-constraint"));
  CHECK(r.feed("<presence from='b@e.com/r' to='room@rooms.test/B' type='unavailable'/>").verdict == Verdict::handled);
  CHECK(r.feed("<presence from='c@e.com/r' to='other@rooms.test/C'><x xmlns='http://jabber.org/protocol/muc'/></presence>")
            .verdict == Verdict::handled);
}

TEST_CASE("outbound: control first, rooms round robin by chunk, bounds per lane and in total") {
  Outbound q({.lane_bytes = 100, .total_bytes = 250});
  const std::string big(Outbound::kChunk, 'a');
  q.room("flood", big);
  q.room("flood", big);
  q.room("flood", big);
  q.room("quiet", "<q/>");
  q.control("<c/>");
  CHECK(q.congested("flood"));
  CHECK(q.congested("quiet"));  // over the total: every room with a backlog waits ...
  CHECK_FALSE(q.congested("idle"));  // ... a room without one does not
  CHECK(q.bytes() == 3 * big.size() + 8);
  CHECK(q.take_next() == "<c/>");
  CHECK(q.take_next() == big);
  CHECK(q.take_next() == "<q/>");  // after one flood chunk, not after three
  CHECK(q.congested("flood"));
  CHECK(q.take_next() == big);
  CHECK(q.take_next() == big);
  CHECK(q.empty());
  CHECK_FALSE(q.congested("flood"));
  CHECK(q.rooms_waiting() == 0);
  // Small appends share a chunk.
  q.room("r", "<a/>");
  q.room("r", "<b/>");
  CHECK(q.take_next() == "<a/><b/>");
}

TEST_CASE("outbound: writes what the socket takes without waiting, resumes partial writes, keeps stanzas whole") {
  int sv[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  int small = 4096;
  ::setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  Outbound q({});
  std::string expected_flood, expected_quiet;
  for (int i = 0; i < 50; ++i) {
    const std::string s = "<m n='" + std::to_string(i) + "'>" + std::string(10'000, 'f') + "</m>";
    q.room("flood", s);
    expected_flood += s;
  }
  q.room("quiet", "<quiet/>");
  std::size_t written = 0;
  CHECK(q.write(sv[0], written) == Outbound::Write::ok);  // returns at once: the socket is full
  CHECK(written > 0);
  CHECK_FALSE(q.empty());
  std::string got;
  char buf[65536];
  while (!q.empty()) {
    const ssize_t n = ::read(sv[1], buf, sizeof buf);
    REQUIRE(n > 0);
    got.append(buf, static_cast<std::size_t>(n));
    REQUIRE(q.write(sv[0], written) == Outbound::Write::ok);
  }
  ::shutdown(sv[0], SHUT_WR);
  for (ssize_t n; (n = ::read(sv[1], buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(n));
  CHECK(written == got.size());
  const auto quiet = got.find("<quiet/>");
  REQUIRE(quiet != std::string::npos);
  CHECK(quiet < got.size() / 2);  // did not wait for the whole flood
  got.erase(quiet, 8);
  CHECK(got == expected_flood);  // in order, no stanza cut by another
  ::close(sv[0]);
  ::close(sv[1]);
  Outbound dead({});
  dead.control("<x/>");
  std::size_t w = 0;
  CHECK(dead.write(sv[0], w) == Outbound::Write::error);  // closed fd
}

TEST_CASE("flow window: none until the server routes a marker back, then writes stop a window beyond the last marker") {
  FlowWindow w(1000, "flow-", 3000);
  CHECK(w.budget() == static_cast<std::size_t>(-1));
  CHECK_FALSE(w.marker("rooms.test", 0));  // nothing written yet: no probe
  w.wrote(250);
  auto probe = w.marker("rooms.test", 0);
  REQUIRE(probe);
  CHECK(contains(*probe, "id='flow-1' from='rooms.test' to='rooms.test'"));
  CHECK_FALSE(w.marker("rooms.test", 0));  // one probe per connection
  w.wrote(4'750);                          // unconfirmed: no limit
  CHECK(w.returned("flow-1", 10));
  CHECK_FALSE(w.returned("other", 10));
  CHECK(w.active());
  CHECK(w.budget() == 0);  // 4,750 written after the probe, none known processed
  auto m = w.marker("rooms.test", 20);
  REQUIRE(m);
  CHECK(contains(*m, "id='flow-2'"));
  CHECK(w.returned("flow-2", 30));
  CHECK(w.budget() == 1000);
  w.wrote(600);
  CHECK(w.budget() == 400);
  auto m3 = w.marker("rooms.test", 40);  // a quarter window written: due
  REQUIRE(m3);
  w.wrote(400);
  CHECK(w.budget() == 0);
  w.tick(3'041);  // not back within the timeout: counted as back
  CHECK(w.timeouts() == 1);
  CHECK(w.budget() == 600);  // what was written before that marker counts as processed
  w.reset();
  CHECK_FALSE(w.active());
  w.wrote(300);
  CHECK(w.marker("rooms.test", 5'000));  // a new connection probes again
}

TEST_CASE("outbound: the room budget holds room chunks back, never the control lane") {
  Outbound q({});
  q.room("r", "<a/>");
  q.control("<c/>");
  int sv[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  std::size_t w = 0;
  CHECK(q.ready(0));
  CHECK(q.write(sv[0], w, 0) == Outbound::Write::ok);
  CHECK(w == 4);
  CHECK_FALSE(q.ready(0));
  CHECK(q.ready(1));
  CHECK(q.write(sv[0], w, 1) == Outbound::Write::ok);
  CHECK(w == 8);
  char buf[16] = {};
  CHECK(::read(sv[1], buf, sizeof buf) == 8);
  CHECK(std::string(buf, 8) == "<c/><a/>");
  ::close(sv[0]);
  ::close(sv[1]);
}

TEST_CASE("outbound: a decision's output is split at stanza ends, so another room goes between two big stanzas") {
  Outbound q({});
  const std::string big(Outbound::kChunk + 1, 'b');
  std::string unit = big + kStanzaEnd + big + kStanzaEnd;  // as RoomHandler marks stanzas of kChunk and more
  q.room("flood", unit);
  q.room("quiet", "<q/><r/>");
  CHECK(q.bytes() == 2 * big.size() + 8);
  CHECK(q.take_next() == big);
  CHECK(q.take_next() == "<q/><r/>");  // small stanzas share a chunk
  CHECK(q.take_next() == big);
  CHECK(q.empty());
}
