// Multicast fan-out: grouping identical renderings, splitting at the cap and the byte
// limit, and through the room handler: every recipient gets, once expanded as the service
// expands it, exactly the stanzas in exactly the order it gets without multicast.
#include <gloox/tag.h>

#include <array>
#include <map>

#include "tests/xmpp/util.hpp"
#include "xmpp/multicast_fanout.hpp"
#include "xmpp/room_handler.hpp"

using namespace mucstream;
using namespace mucstream::xmpp;
using namespace mucstream::xmpp::testing;

namespace {

std::vector<Rendering> batch_of(const std::vector<std::array<std::string, 3>>& puts, bool may = true) {
  std::vector<Rendering> out;
  FanoutBatcher b([&](Rendering& r) { out.push_back(r); });
  b.may_multicast(may);
  for (const auto& p : puts) b.put(p[0], p[1], p[2]);
  b.finish();
  return out;
}

Rendering msg(std::size_t recipients, std::string body = "hi") {
  Rendering r{"<message to='", "' from='r@rooms.test/n' type='groupchat' id='m1'><body>" + body + "</body></message>",
              {}, true};
  for (std::size_t i = 0; i < recipients; ++i) r.to.push_back("u" + std::to_string(i) + "@e.com/r");
  return r;
}

std::size_t bcc_count(const std::string& stanza) {
  std::size_t n = 0, p = 0;
  while ((p = stanza.find("<address type='bcc'", p)) != std::string::npos) ++n, ++p;
  return n;
}

}  // namespace

TEST_CASE("multicast: identical renderings are grouped, any byte of difference is a group of its own") {
  const std::string head = "<presence to='", a = "' from='r@rooms.test/x'><x/></presence>",
                    b = "' from='r@rooms.test/x'><x><status code='110'/></x></presence>";
  auto groups = batch_of({{head, "1@e/r", a}, {head, "2@e/r", a}, {head, "3@e/r", b}, {head, "4@e/r", a}});
  REQUIRE(groups.size() == 2);
  CHECK(groups[0].tail == a);
  CHECK(groups[0].to == std::vector<std::string>{"1@e/r", "2@e/r", "4@e/r"});
  CHECK(groups[1].tail == b);
  CHECK(groups[1].to == std::vector<std::string>{"3@e/r"});
}

TEST_CASE("multicast: a recipient's second stanza starts a new batch, so its order is kept") {
  const std::string head = "<presence to='", p1 = "' from='r@rooms.test/a'/>", p2 = "' from='r@rooms.test/b'/>";
  // 1 gets p1 then p2; 2 gets p1 then p2; 3 gets p2 only (in the second batch with them).
  auto groups = batch_of({{head, "1", p1}, {head, "2", p1}, {head, "1", p2}, {head, "2", p2}, {head, "3", p2}});
  REQUIRE(groups.size() == 2);
  CHECK(groups[0].tail == p1);
  CHECK(groups[0].to.size() == 2);
  CHECK(groups[1].tail == p2);
  CHECK(groups[1].to == std::vector<std::string>{"1", "2", "3"});
}

TEST_CASE("multicast: stanzas that may not be multicast are never grouped") {
  const std::string head = "<message to='", t = "' type='chat'><body>x</body></message>";
  auto groups = batch_of({{head, "1", t}, {head, "2", t}}, false);
  REQUIRE(groups.size() == 2);
  CHECK_FALSE(groups[0].may_multicast);
}

TEST_CASE("multicast: a stanza carrying addresses of its own, or not a message or presence, is not multicastable") {
  CHECK(multicastable(msg(3)));
  Rendering ofrom = msg(3, "x</body><addresses xmlns='http://jabber.org/protocol/address'/><body>");
  CHECK_FALSE(multicastable(ofrom));
  Rendering iq{"<iq to='", "' type='result'/>", {"a", "b"}, true};
  CHECK_FALSE(multicastable(iq));
}

TEST_CASE("multicast: the stanza keeps every byte but `to`, with the bcc addresses first") {
  Rendering r = msg(3);
  const std::string s = multicast_stanza(r, 1, 2, MulticastTarget{"multicast.e.com"});
  CHECK(s ==
        "<message to='multicast.e.com' from='r@rooms.test/n' type='groupchat' id='m1'>"
        "<addresses xmlns='http://jabber.org/protocol/address'><address type='bcc' jid='u1@e.com/r'/>"
        "<address type='bcc' jid='u2@e.com/r'/></addresses><body>hi</body></message>");
  CHECK(parse_xml(s) != nullptr);
  Rendering empty{"<presence to='", "' from='r@rooms.test/n' type='unavailable'/>", {"a", "b"}, true};
  const std::string e = multicast_stanza(empty, 0, 2, MulticastTarget{"svc"});
  CHECK(e ==
        "<presence to='svc' from='r@rooms.test/n' type='unavailable'><addresses "
        "xmlns='http://jabber.org/protocol/address'><address type='bcc' jid='a'/><address type='bcc' jid='b'/>"
        "</addresses></presence>");
  CHECK(start_tag_attr(r.tail, "from") == "r@rooms.test/n");
  CHECK(start_tag_attr(r.tail, "id") == "m1");
  CHECK(start_tag_attr(empty.tail, "id").empty());
}

TEST_CASE("multicast: as a recipient list, one JID per line, escaped, with every other byte kept") {
  Rendering r = msg(3);
  r.to[2] = "o&apos;neil@e.com/r";
  MulticastTarget t{"localhost"};
  t.recipient_list = true;
  const std::string s = multicast_stanza(r, 0, 3, t);
  CHECK(s ==
        "<message to='localhost' from='r@rooms.test/n' type='groupchat' id='m1'>"
        "<recipients xmlns='urn:xmpp:mucstream:multicast:0'>u0@e.com/r\nu1@e.com/r\no&apos;neil@e.com/r</recipients>"
        "<body>hi</body></message>");
  auto parsed = parse_xml(s);
  REQUIRE(parsed != nullptr);
  const gloox::Tag* list = parsed->findChild("recipients", "xmlns", "urn:xmpp:mucstream:multicast:0");
  REQUIRE(list != nullptr);
  CHECK(list->cdata() == "u0@e.com/r\nu1@e.com/r\no'neil@e.com/r");
  // A payload that carries a list of its own is never multicast (the service reads the first).
  Rendering sneaky{"<message to='", "' type='groupchat'><recipients xmlns='urn:xmpp:mucstream:multicast:0'>x@e.com</recipients></message>",
                   {"a", "b"}, true};
  CHECK_FALSE(multicastable(sneaky));
  // The list is shorter than the addresses, so the same byte limit takes more per stanza.
  Rendering many = msg(250);
  MulticastTarget by_bytes{"svc", 1000, 2000};
  const std::size_t as_addresses = chunk_sizes(many, by_bytes).size();
  by_bytes.recipient_list = true;
  std::size_t first = 0;
  for (std::size_t n : chunk_sizes(many, by_bytes)) {
    if (n > 1) CHECK(multicast_stanza(many, first, n, by_bytes).size() <= by_bytes.max_bytes);
    first += n;
  }
  CHECK(first == 250);
  CHECK(chunk_sizes(many, by_bytes).size() < as_addresses);
}

TEST_CASE("multicast: groups are split at the recipient cap and the byte limit, and every chunk fits") {
  Rendering r = msg(250);
  MulticastTarget t{"svc", 100, 1'000'000};
  CHECK(chunk_sizes(r, t) == std::vector<std::size_t>{100, 100, 50});
  // Bytes: each address is 28 bytes + the JID (11 here); the stanza alone about 100.
  t.max_recipients = 1000;
  t.max_bytes = 2000;
  std::size_t total = 0, first = 0;
  for (std::size_t n : chunk_sizes(r, t)) {
    CHECK(n >= 1);
    if (n > 1) CHECK(multicast_stanza(r, first, n, t).size() <= t.max_bytes);
    const std::string more = multicast_stanza(r, first, std::min(n + 1, r.to.size() - first), t);
    if (first + n < r.to.size()) CHECK(more.size() > t.max_bytes);  // the chunk takes all that fits
    total += n;
    first += n;
  }
  CHECK(total == 250);
  // A stanza near the limit: no address fits, each recipient is sent directly.
  Rendering big = msg(3, std::string(1990, 'x'));
  CHECK(chunk_sizes(big, t) == std::vector<std::size_t>{1, 1, 1});
}

namespace {

struct Sink final : core::EventSink {
  core::LogPosition publish(const core::Event&) override { return 0; }
};

// One room handler; multicast through "mc.e.com" or not.
struct Bench {
  core::testing::CountingIds ids;
  crypto::OpenSslCrypto crypto{1000};
  Sink sink;
  std::string out;
  RoomHandler h;
  explicit Bench(bool multicast, std::size_t cap = 100)
      : h(kDomain, Limits{}, core::ServiceConfig{}, core::Service{}, ids, crypto, sink, out) {
    if (multicast) h.set_multicast("mc.e.com", cap);
  }
  void feed(const std::string& s) {
    auto t = xml(s);
    h.handle(*t, Now{1'700'000'000'000, 5'000});
  }
};

// What each recipient receives, in order, once the service has expanded the multicast
// stanzas: `to` set to the recipient and <addresses/> removed, as XEP-0033 prescribes.
std::map<std::string, std::vector<std::string>> received(const std::string& out, std::size_t* multicast = nullptr) {
  std::map<std::string, std::vector<std::string>> by;
  auto all = xml("<all>" + out + "</all>");
  for (const gloox::Tag* s : all->children()) {
    const gloox::Tag* a = child(*s, "addresses", ns::kAddress);
    if (a == nullptr) {
      by[s->findAttribute("to")].push_back(s->xml());
      continue;
    }
    CHECK(s->findAttribute("to") == "mc.e.com");
    if (multicast) ++*multicast;
    std::unique_ptr<gloox::Tag> copy(s->clone());
    copy->removeChild("addresses", ns::kAddress);
    for (const gloox::Tag* addr : a->children()) {
      CHECK(addr->findAttribute("type") == "bcc");
      copy->addAttribute("to", addr->findAttribute("jid"));
      by[addr->findAttribute("jid")].push_back(copy->xml());
    }
  }
  return by;
}

// The same stanzas through two handlers, one multicasting: the same deliveries per recipient.
void same_deliveries(Bench& direct, Bench& multi, const std::string& stanza, std::size_t* multicast = nullptr) {
  direct.out.clear();
  multi.out.clear();
  direct.feed(stanza);
  multi.feed(stanza);
  const auto expected = received(direct.out);
  const auto got = received(multi.out, multicast);
  CHECK(got == expected);
  CHECK(direct.out.find("<addresses") == std::string::npos);
}

std::string join(const std::string& user, const std::string& nick) {
  return "<presence from='" + user + "' to='room@rooms.test/" + nick + "'><x xmlns='http://jabber.org/protocol/muc'/></presence>";
}

}  // namespace

TEST_CASE("multicast: through the room handler every recipient gets what it gets directly, in the same order") {
  Bench direct(false), multi(true);
  std::size_t multicast = 0;
  same_deliveries(direct, multi, join("owner@e.com/r", "Owner"));
  same_deliveries(direct, multi,
                  "<iq from='owner@e.com/r' to='room@rooms.test' type='set' id='c'><query "
                  "xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/></query></iq>");
  for (int i = 0; i < 6; ++i)  // a semi-anonymous room: only the owner sees real JIDs
    same_deliveries(direct, multi, join("u" + std::to_string(i) + "@e.com/r", "U" + std::to_string(i)), &multicast);
  CHECK(multicast > 0);
  multicast = 0;
  same_deliveries(direct, multi,
                  "<message from='u1@e.com/r' to='room@rooms.test' type='groupchat' id='m&amp;1'><body>hello 'all'</body></message>",
                  &multicast);
  CHECK(multicast == 1);  // the sender's reflection is the same bytes: in the one stanza
  same_deliveries(direct, multi, "<presence from='u2@e.com/r' to='room@rooms.test/U2'><show>away</show></presence>");
  same_deliveries(direct, multi, "<presence from='u3@e.com/r' to='room@rooms.test/Three'/>");  // nick change
  same_deliveries(direct, multi,  // a private message: directly, never through the service
                  "<message from='u1@e.com/r' to='room@rooms.test/U2' type='chat' id='p'><body>psst</body></message>");
  same_deliveries(direct, multi, "<presence from='u4@e.com/r' to='room@rooms.test/U4' type='unavailable'/>");
  same_deliveries(direct, multi,
                  "<iq from='owner@e.com/r' to='room@rooms.test' type='set' id='k'><query "
                  "xmlns='http://jabber.org/protocol/muc#admin'><item nick='U5' role='none'/></query></iq>");
}

TEST_CASE("multicast: a stanza to many is one stanza, self-presence and real JIDs for the moderator stay apart") {
  Bench b(true);
  b.feed(join("owner@e.com/r", "Owner"));
  b.feed("<iq from='owner@e.com/r' to='room@rooms.test' type='set' id='c'><query "
         "xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/></query></iq>");
  for (int i = 0; i < 4; ++i) b.feed(join("u" + std::to_string(i) + "@e.com/r", "U" + std::to_string(i)));
  b.out.clear();
  b.feed(join("new@e.com/r", "New"));
  auto all = xml("<all>" + b.out + "</all>");
  std::size_t to_service = 0;
  for (const gloox::Tag* s : all->children()) {
    if (s->findAttribute("to") != "mc.e.com") continue;
    ++to_service;
    // the new occupant's presence for the four participants: no real JID in it
    CHECK(s->findAttribute("from") == "room@rooms.test/New");
    CHECK(bcc_count(s->xml()) == 4);
    CHECK(s->xml().find("new@e.com") == std::string::npos);
  }
  CHECK(to_service == 1);
  CHECK(contains(b.out, "<presence to='owner@e.com/r' from='room@rooms.test/New'"));  // with jid=, alone
  CHECK(b.h.multicast_stanzas() >= 1);
  b.out.clear();
  b.feed("<message from='u0@e.com/r' to='room@rooms.test' type='groupchat' id='m'><body>x</body></message>");
  CHECK(bcc_count(b.out) == 6);
  CHECK(b.h.multicast_recipients() >= 10);
}

TEST_CASE("multicast: a cap splits a room's message into several stanzas that together reach everyone once") {
  Bench b(true, 3);
  b.feed(join("owner@e.com/r", "Owner"));
  b.feed("<iq from='owner@e.com/r' to='room@rooms.test' type='set' id='c'><query "
         "xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/></query></iq>");
  for (int i = 0; i < 7; ++i) b.feed(join("u" + std::to_string(i) + "@e.com/r", "U" + std::to_string(i)));
  b.out.clear();
  b.feed("<message from='u0@e.com/r' to='room@rooms.test' type='groupchat' id='m'><body>x</body></message>");
  std::size_t multicast = 0;
  const auto got = received(b.out, &multicast);
  CHECK(multicast == 3);  // 8 recipients: 3 + 3 + 2
  CHECK(got.size() == 8);
  for (const auto& [to, stanzas] : got) CHECK(stanzas.size() == 1);
}
