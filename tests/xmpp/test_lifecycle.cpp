// Corrections (XEP-0308), retractions (XEP-0424) and moderation (XEP-0425) on the wire:
// decoding the forms clients send, and whole exchanges through the room handler.
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
  RoomHandler h{kDomain, Limits{}, core::ServiceConfig{}, core::Service{}, ids, crypto, sink, out};

  std::string feed(const std::string& s) {
    out.clear();
    auto t = xml(s);
    h.handle(*t, Now{1'700'000'000'000, 1'000});
    return out;
  }
  void join(const std::string& user, const std::string& nick) {
    feed("<presence from='" + user + "' to='room@rooms.test/" + nick + "'><x xmlns='http://jabber.org/protocol/muc'/></presence>");
  }
};

// The stanzas of `out` (the handler writes them back to back), parsed.
std::vector<std::unique_ptr<gloox::Tag>> stanzas(const std::string& out) {
  auto wrapped = xml("<w>" + out + "</w>");
  std::vector<std::unique_ptr<gloox::Tag>> v;
  for (const gloox::Tag* c : wrapped->children()) v.emplace_back(c->clone());
  return v;
}

std::string error_condition(const gloox::Tag& t) {
  const gloox::Tag* e = t.findChild("error");
  if (e == nullptr) return {};
  for (const gloox::Tag* c : e->children())
    if (c->xmlns() == ns::kStanzas && c->name() != "text") return c->name();
  return {};
}

const gloox::Tag* child_ns(const gloox::Tag& t, const std::string& name, const std::string& xmlns) {
  for (const gloox::Tag* c : t.children())
    if (c->name() == name && c->xmlns() == xmlns) return c;
  return nullptr;
}

}  // namespace

TEST_CASE("lifecycle decode: client id from origin-id, else the id attribute, <replace/> names the corrected id") {
  Decoded d = decode_str(
      "<message from='a@e.com/r' to='room@rooms.test' type='groupchat' id='attr-id'><body>hi</body>"
      "<origin-id xmlns='urn:xmpp:sid:0' id='origin'/></message>");
  REQUIRE(d.commands.size() == 1);
  const auto& g = std::get<core::SendGroupchat>(d.commands[0]);
  CHECK(g.client_id == std::optional<std::string>("origin"));
  CHECK_FALSE(g.replaces.has_value());
  Decoded plain = decode_str("<message from='a@e.com/r' to='room@rooms.test' type='groupchat' id='attr-id'><body>hi</body></message>");
  CHECK(std::get<core::SendGroupchat>(plain.commands[0]).client_id == std::optional<std::string>("attr-id"));
  Decoded none = decode_str("<message from='a@e.com/r' to='room@rooms.test' type='groupchat'><body>hi</body></message>");
  CHECK_FALSE(std::get<core::SendGroupchat>(none.commands[0]).client_id.has_value());
  Decoded fix = decode_str(
      "<message from='a@e.com/r' to='room@rooms.test' type='groupchat' id='c2'><body>hello</body>"
      "<replace xmlns='urn:xmpp:message-correct:0' id='c1'/></message>");
  const auto& f = std::get<core::SendGroupchat>(fix.commands[0]);
  CHECK(f.replaces == std::optional<std::string>("c1"));
  CHECK(contains(f.payload, "urn:xmpp:message-correct:0"));  // relayed: clients apply it
}

TEST_CASE("lifecycle decode: author retraction in the :1 form and the older :0 fastening form") {
  Decoded v1 = decode_str(
      "<message from='a@e.com/r' to='room@rooms.test' type='groupchat' id='r1'>"
      "<retract xmlns='urn:xmpp:message-retract:1' id='sid-1'/><body>/me retracted a message</body>"
      "<fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:message-retract:1'/></message>");
  REQUIRE(v1.commands.size() == 1);
  const auto& r = std::get<core::RetractMessage>(v1.commands[0]);
  CHECK(r.target == "sid-1");
  CHECK_FALSE(r.moderate);
  CHECK(r.by.jid.full() == "a@e.com/r");
  CHECK(contains(r.payload, "<retract"));
  CHECK(contains(r.payload, "/me retracted a message"));
  Decoded v0 = decode_str(
      "<message from='a@e.com/r' to='room@rooms.test' type='groupchat'><apply-to xmlns='urn:xmpp:fasten:0' id='sid-0'>"
      "<retract xmlns='urn:xmpp:message-retract:0'/></apply-to></message>");
  CHECK(std::get<core::RetractMessage>(v0.commands.at(0)).target == "sid-0");
}

TEST_CASE("lifecycle decode: moderation IQs (:1 and :0), reasons, and a moderation that is not a retraction") {
  Decoded v1 = decode_str(
      "<iq from='mod@e.com/r' to='room@rooms.test' type='set' id='m1'><moderate xmlns='urn:xmpp:message-moderate:1' id='sid-1'>"
      "<retract xmlns='urn:xmpp:message-retract:1'/><reason>Spam</reason></moderate></iq>");
  REQUIRE_FALSE(v1.error);
  const auto& m = std::get<core::RetractMessage>(v1.commands.at(0));
  CHECK(m.moderate);
  CHECK(m.target == "sid-1");
  CHECK(m.reason == "Spam");
  Decoded v0 = decode_str(
      "<iq from='mod@e.com/r' to='room@rooms.test' type='set' id='m0'><apply-to xmlns='urn:xmpp:fasten:0' id='sid-0'>"
      "<moderate xmlns='urn:xmpp:message-moderate:0'><retract xmlns='urn:xmpp:message-retract:0'/><reason>Off topic</reason>"
      "</moderate></apply-to></iq>");
  const auto& m0 = std::get<core::RetractMessage>(v0.commands.at(0));
  CHECK(m0.moderate);
  CHECK(m0.target == "sid-0");
  CHECK(m0.reason == "Off topic");
  Decoded other = decode_str(
      "<iq from='mod@e.com/r' to='room@rooms.test' type='set' id='m2'><moderate xmlns='urn:xmpp:message-moderate:1' id='x'>"
      "<edit xmlns='urn:example'/></moderate></iq>");
  REQUIRE(other.error);
  CHECK(other.error->condition == core::ErrorCondition::feature_not_implemented);
  CHECK(other.commands.empty());
}

TEST_CASE("lifecycle on the wire: correct, refuse others, moderate with the XEP-0425 broadcast, disco features") {
  Bench b;
  b.join("owner@e.com/desk", "Owner");
  b.feed("<iq from='owner@e.com/desk' to='room@rooms.test' type='set' id='c'><query xmlns='http://jabber.org/protocol/muc#owner'>"
         "<x xmlns='jabber:x:data' type='submit'/></query></iq>");
  b.join("alice@e.com/a", "alice");
  b.join("bob@e.com/b", "bob");

  b.feed("<message from='alice@e.com/a' to='room@rooms.test' type='groupchat' id='m1'><body>helo</body>"
         "<origin-id xmlns='urn:xmpp:sid:0' id='o1'/></message>");
  REQUIRE(b.sink.events.back().type == core::EventType::message_sent);
  CHECK(std::get<core::data::MessageSent>(b.sink.events.back().data).client_id == std::optional<std::string>("o1"));
  const std::string original = b.sink.events.back().id;

  // The author corrects, naming the message by the id her client knows.
  auto fixed = stanzas(b.feed("<message from='alice@e.com/a' to='room@rooms.test' type='groupchat' id='m2'><body>hello</body>"
                              "<replace xmlns='urn:xmpp:message-correct:0' id='o1'/></message>"));
  REQUIRE(fixed.size() == 3);
  REQUIRE(b.sink.events.back().type == core::EventType::message_corrected);
  CHECK(std::get<core::data::MessageCorrected>(b.sink.events.back().data).target == original);
  for (const auto& m : fixed) {
    CHECK(m->findAttribute("id") == "m2");
    CHECK(m->findAttribute("from") == "room@rooms.test/alice");
    REQUIRE(child_ns(*m, "replace", ns::kCorrect) != nullptr);
    CHECK(child_ns(*m, "replace", ns::kCorrect)->findAttribute("id") == "o1");
    CHECK(child_ns(*m, "stanza-id", ns::kSid)->findAttribute("id") == b.sink.events.back().id);
  }

  // Bob can neither correct nor retract it, nor moderate.
  const std::size_t events = b.sink.events.size();
  auto e1 = stanzas(b.feed("<message from='bob@e.com/b' to='room@rooms.test' type='groupchat' id='x1'><body>mine</body>"
                           "<replace xmlns='urn:xmpp:message-correct:0' id='" + original + "'/></message>"));
  REQUIRE(e1.size() == 1);
  CHECK(e1[0]->findAttribute("type") == "error");
  CHECK(error_condition(*e1[0]) == "forbidden");
  auto e2 = stanzas(b.feed("<message from='bob@e.com/b' to='room@rooms.test' type='groupchat' id='x2'>"
                           "<retract xmlns='urn:xmpp:message-retract:1' id='" + original + "'/></message>"));
  CHECK(error_condition(*e2.at(0)) == "forbidden");
  auto e3 = stanzas(b.feed("<iq from='bob@e.com/b' to='room@rooms.test' type='set' id='x3'><moderate "
                           "xmlns='urn:xmpp:message-moderate:1' id='" + original + "'><retract xmlns='urn:xmpp:message-retract:1'/>"
                           "</moderate></iq>"));
  CHECK(error_condition(*e3.at(0)) == "forbidden");
  auto e4 = stanzas(b.feed("<message from='alice@e.com/a' to='room@rooms.test' type='groupchat' id='x4'><body>?</body>"
                           "<replace xmlns='urn:xmpp:message-correct:0' id='nope'/></message>"));
  CHECK(error_condition(*e4.at(0)) == "item-not-found");
  CHECK(b.sink.events.size() == events);

  // The owner (a moderator) retracts it: every occupant gets the tombstone, then the IQ result.
  auto mod = stanzas(b.feed("<iq from='owner@e.com/desk' to='room@rooms.test' type='set' id='mod1'><moderate "
                            "xmlns='urn:xmpp:message-moderate:1' id='" + original + "'><retract xmlns='urn:xmpp:message-retract:1'/>"
                            "<reason>Not here</reason></moderate></iq>"));
  REQUIRE(mod.size() == 4);
  const core::Event& ev = b.sink.events.back();
  REQUIRE(ev.type == core::EventType::message_retracted);
  const auto& r = std::get<core::data::MessageRetracted>(ev.data);
  CHECK(r.target == original);
  CHECK(r.moderated);
  CHECK(r.by_nick == std::optional<std::string>("Owner"));
  CHECK(r.reason == "Not here");
  for (int i = 0; i < 3; ++i) {
    const gloox::Tag& m = *mod[i];
    CHECK(m.name() == "message");
    CHECK(m.findAttribute("from") == "room@rooms.test");
    CHECK(m.findAttribute("type") == "groupchat");
    const gloox::Tag* retract = child_ns(m, "retract", ns::kRetract);
    REQUIRE(retract != nullptr);
    CHECK(retract->findAttribute("id") == original);
    const gloox::Tag* moderated = child_ns(*retract, "moderated", ns::kModerate);
    REQUIRE(moderated != nullptr);
    CHECK(moderated->findAttribute("by") == "room@rooms.test/Owner");
    CHECK(child_ns(*moderated, "occupant-id", ns::kOccupantId) != nullptr);
    CHECK(retract->findChild("reason")->cdata() == "Not here");
    const gloox::Tag* apply_to = child_ns(m, "apply-to", ns::kFasten);  // the :0 form, for older clients
    REQUIRE(apply_to != nullptr);
    CHECK(apply_to->findAttribute("id") == original);
    CHECK(child_ns(*apply_to, "moderated", ns::kModerate0) != nullptr);
    CHECK(child_ns(m, "stanza-id", ns::kSid)->findAttribute("id") == ev.id);
  }
  CHECK(mod[3]->name() == "iq");
  CHECK(mod[3]->findAttribute("type") == "result");
  CHECK(mod[3]->findAttribute("id") == "mod1");
  // Gone: the author's retraction of it now names nothing.
  auto again = stanzas(b.feed("<message from='alice@e.com/a' to='room@rooms.test' type='groupchat' id='r2'>"
                              "<retract xmlns='urn:xmpp:message-retract:1' id='" + original + "'/></message>"));
  CHECK(error_condition(*again.at(0)) == "item-not-found");

  auto info = b.feed("<iq from='bob@e.com/b' to='room@rooms.test' type='get' id='d'><query "
                     "xmlns='http://jabber.org/protocol/disco#info'/></iq>");
  for (const char* f : {ns::kCorrect, ns::kRetract, ns::kModerate})
    CHECK(contains(info, std::string("var='") + f + "'"));
}

TEST_CASE("lifecycle on the wire: the author retracts, the tombstone is her message, stamped by the room") {
  Bench b;
  b.join("owner@e.com/desk", "Owner");
  b.feed("<iq from='owner@e.com/desk' to='room@rooms.test' type='set' id='c'><query xmlns='http://jabber.org/protocol/muc#owner'>"
         "<x xmlns='jabber:x:data' type='submit'/></query></iq>");
  b.join("alice@e.com/a", "alice");
  b.feed("<message from='alice@e.com/a' to='room@rooms.test' type='groupchat' id='m1'><body>oops</body></message>");
  const std::string original = b.sink.events.back().id;
  auto out = stanzas(b.feed("<message from='alice@e.com/a' to='room@rooms.test' type='groupchat' id='r1'>"
                            "<retract xmlns='urn:xmpp:message-retract:1' id='" + original + "'/>"
                            "<body>/me retracted a previous message</body></message>"));
  REQUIRE(out.size() == 2);
  const core::Event& ev = b.sink.events.back();
  REQUIRE(ev.type == core::EventType::message_retracted);
  CHECK_FALSE(std::get<core::data::MessageRetracted>(ev.data).moderated);
  for (const auto& m : out) {
    CHECK(m->findAttribute("from") == "room@rooms.test/alice");
    CHECK(m->findAttribute("id") == "r1");
    CHECK(child_ns(*m, "retract", ns::kRetract)->findAttribute("id") == original);
    CHECK(child_ns(*m, "stanza-id", ns::kSid)->findAttribute("id") == ev.id);
  }
  // A newcomer's history does not hold it.
  std::string joined = b.feed("<presence from='carol@e.com/c' to='room@rooms.test/carol'><x xmlns='http://jabber.org/protocol/muc'/></presence>");
  CHECK_FALSE(contains(joined, "oops"));
}
