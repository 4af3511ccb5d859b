// The room handler without a socket: stanzas in, verdicts and bytes out, time from the test.
#include <algorithm>

#include "tests/xmpp/util.hpp"
#include "xmpp/room_handler.hpp"

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

struct Bench {
  core::testing::CountingIds ids;
  crypto::OpenSslCrypto crypto{1000};
  Sink sink;
  std::string out;
  RoomHandler h;
  std::int64_t mono = 1'000;

  explicit Bench(Limits l = {}) : h(kDomain, l, core::ServiceConfig{}, core::Service{}, ids, crypto, sink, out) {}

  // Handles one stanza and returns its verdict; `sent` receives what it rendered.
  Outcome feed(const std::string& s, std::string* sent = nullptr) {
    out.clear();
    auto t = xml(s);
    Outcome o = h.handle(*t, Now{1'700'000'000'000, mono});
    if (sent) *sent = out;
    return o;
  }
  void join(const std::string& user, const std::string& nick) {
    REQUIRE(feed("<presence from='" + user + "' to='room@rooms.test/" + nick +
                 "'><x xmlns='http://jabber.org/protocol/muc'/></presence>")
                .verdict == Verdict::handled);
  }
  void instant_room(const std::string& owner, const std::string& nick) {
    join(owner, nick);
    REQUIRE(feed("<iq from='" + owner + "' to='room@rooms.test' type='set' id='c'><query "
                 "xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/></query></iq>")
                .verdict == Verdict::handled);
  }
};

}  // namespace

TEST_CASE("room handler: verdicts name every error reply, a query's error is one, its result is not") {
  Bench b;
  b.instant_room("a@e.com/r", "A");
  std::string sent;
  CHECK(b.feed("<iq from='a@e.com/r' to='room@rooms.test' type='get' id='p'><ping xmlns='urn:xmpp:ping'/></iq>", &sent).verdict ==
        Verdict::handled);
  CHECK(contains(sent, "type='result'"));
  CHECK(b.feed("<iq from='x@e.com/r' to='room@rooms.test' type='get' id='f'><query xmlns='http://jabber.org/protocol/muc#owner'/></iq>",
               &sent)
            .verdict == Verdict::error);
  CHECK(contains(sent, "<forbidden"));
  // A refusal by the core (not an occupant) and a decoding error are errors too.
  CHECK(b.feed("<message from='x@e.com/r' to='room@rooms.test' type='groupchat'><body>hi</body></message>", &sent).verdict ==
        Verdict::error);
  CHECK(b.feed("<message from='x@e.com/r' to='room@rooms.test' type='chat'><body>hi</body></message>", &sent).verdict ==
        Verdict::error);
  CHECK(contains(sent, "<bad-request"));
  // A relayed body that merely says type='error' is not an error reply.
  CHECK(b.feed("<message from='a@e.com/r' to='room@rooms.test' type='groupchat'><body>type='error'</body></message>", &sent)
            .verdict == Verdict::handled);
  CHECK(b.feed("<presence from='a@e.com/r' to='room@rooms.test/A' type='probe'/>").verdict == Verdict::ignored);
}

TEST_CASE("room handler: oversize and flood are refused before decoding, leaving passes every limit") {
  Limits l;
  l.max_stanza_bytes = 300;
  l.stanzas_per_second = 1;
  l.burst = 2;
  Bench b(l);
  b.join("a@e.com/r", "A");  // token 1
  std::string sent;
  CHECK(b.feed("<message from='a@e.com/r' to='room@rooms.test' type='groupchat'><body>" + std::string(400, 'x') +
               "</body></message>", &sent)
            .verdict == Verdict::refused_oversize);
  CHECK(contains(sent, "<policy-violation"));
  CHECK(b.feed("<message from='a@e.com/r' to='room@rooms.test' type='groupchat'><body>1</body></message>").verdict ==
        Verdict::handled);  // token 2
  CHECK(b.feed("<message from='a@e.com/r' to='room@rooms.test' type='groupchat'><body>2</body></message>", &sent).verdict ==
        Verdict::refused_flood);
  CHECK(contains(sent, "<resource-constraint"));
  b.mono += 1000;  // one token back
  CHECK(b.feed("<message from='a@e.com/r' to='room@rooms.test' type='groupchat'><body>3</body></message>").verdict ==
        Verdict::handled);
  CHECK(b.feed("<presence from='a@e.com/r' to='room@rooms.test/A' type='unavailable'/>").verdict == Verdict::handled);
  CHECK(std::any_of(b.sink.events.begin(), b.sink.events.end(),
                    [](const core::Event& e) { return e.type == core::EventType::occupant_left; }));
}

TEST_CASE("room handler: presence payloads relayed from the cache, last words once, then forgotten") {
  Bench b;
  b.instant_room("a@e.com/r", "A");
  b.join("b@e.com/r", "B");
  std::string sent;
  REQUIRE(b.feed("<presence from='b@e.com/r' to='room@rooms.test/B'><show>dnd</show></presence>", &sent).verdict ==
          Verdict::handled);
  CHECK(b.sink.events.size() == 4);  // created, A joined, configured, B joined: no event for an update
  CHECK(contains(sent, "to='a@e.com/r' from='room@rooms.test/B'"));
  CHECK(contains(sent, "<show>dnd</show>"));
  // A nick change relays the cached payload under the new nick.
  REQUIRE(b.feed("<presence from='b@e.com/r' to='room@rooms.test/Bee'><show>dnd</show></presence>", &sent).verdict ==
          Verdict::handled);
  CHECK(contains(sent, "status code='303'"));
  CHECK(b.sink.events.back().type == core::EventType::nick_changed);
  REQUIRE(b.feed("<presence from='b@e.com/r' to='room@rooms.test/Bee' type='unavailable'><status>bye</status></presence>",
                 &sent)
              .verdict == Verdict::handled);
  CHECK(contains(sent, "<status>bye</status>"));
  // Joining again starts from an empty payload: the old session's was forgotten.
  b.join("b@e.com/r", "Bee");
  b.feed("<presence from='a@e.com/r' to='room@rooms.test/A'/>", &sent);
  CHECK_FALSE(contains(sent, "bye"));
  CHECK_FALSE(contains(sent, "dnd"));
}

TEST_CASE("room handler: occupant IQs routed, Jingle contents kept per session, observed after routing") {
  Bench b;
  b.instant_room("a@e.com/r", "A");
  b.join("b@e.com/r", "B");
  std::string sent;
  const std::string screen = "<content creator='initiator' name='scr'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='video'/>"
                             "</content>";
  REQUIRE(b.feed("<iq from='a@e.com/r' to='room@rooms.test/B' type='set' id='j1'><jingle xmlns='urn:xmpp:jingle:1' "
                 "action='session-accept' sid='s1'>" + screen + "</jingle></iq>", &sent)
              .verdict == Verdict::handled);
  CHECK(contains(sent, "<iq type='set' from='room@rooms.test/A' to='b@e.com/r' id='mucstream-"));
  const std::size_t after_accept = b.sink.events.size();
  // A mute naming only the content is resolved through what the accept declared.
  REQUIRE(b.feed("<iq from='a@e.com/r' to='room@rooms.test/B' type='set' id='j2'><jingle xmlns='urn:xmpp:jingle:1' "
                 "action='session-info' sid='s1'><mute xmlns='urn:xmpp:jingle:apps:rtp:info:1' creator='initiator' "
                 "name='scr'/></jingle></iq>", &sent)
              .verdict == Verdict::handled);
  REQUIRE(b.sink.events.size() == after_accept + 1);
  CHECK(b.sink.events.back().type == core::EventType::video_paused);
  // The answer goes back to A under A's id.
  const std::size_t id_at = sent.find("id='mucstream-");
  REQUIRE(id_at != std::string::npos);
  const std::string ours = sent.substr(id_at + 4, sent.find('\'', id_at + 4) - id_at - 4);
  REQUIRE(b.feed("<iq from='b@e.com/r' to='room@rooms.test/A' type='result' id='" + ours + "'/>", &sent).verdict ==
          Verdict::handled);
  CHECK(sent == "<iq type='result' from='room@rooms.test/B' to='a@e.com/r' id='j2'></iq>");
}

TEST_CASE("room handler: admin commands rendered like stanzas, shutdown counts its presences") {
  Bench b;
  b.instant_room("a@e.com/r", "A");
  b.join("b@e.com/r", "B");
  b.out.clear();
  core::Decision d = b.h.run(core::SetLock{core::Requester::admin("ops"), "room@rooms.test", true}, Now{1'700'000'000'000, 0});
  REQUIRE(d.ok());
  CHECK(contains(b.out, "This room is now locked"));
  b.out.clear();
  CHECK(b.h.shutdown(Now{1'700'000'000'000, 0}) == 2);
  CHECK(contains(b.out, "status code='332'"));
  CHECK(b.h.service().rooms.empty());
  CHECK(b.h.stanzas_out() > 0);
  CHECK(b.h.events() == b.sink.events.size());
}
