// The room lifecycle on the wire: chat states, markers and no-store decoded from messages,
// voice requests and approvals, declines, destroy with purge, the owner form's fields, and
// the voice request form and decline the room renders.
#include "tests/xmpp/util.hpp"
#include "xmpp/room_lifecycle_decode.hpp"
#include "xmpp/queries.hpp"
#include "xmpp/renderer.hpp"

using namespace mucstream;
using namespace mucstream::xmpp;
using namespace mucstream::xmpp::testing;
using core::testing::World;

namespace {
const char* kLifeRoom = "room@rooms.test";

std::vector<std::string> render_deliveries(const core::Decision& d) {
  Renderer r(kDomain);
  StringOutput out;
  for (const auto& x : d.deliveries) r.render(x, PresenceCache{}, RenderContext{}, out);
  return out.stanzas;
}

std::string field_value(const gloox::Tag& x, const std::string& var) {
  for (const gloox::Tag* f : x.children())
    if (f->name() == "field" && f->findAttribute("var") == var) return f->findChild("value")->cdata();
  return "<absent>";
}
}  // namespace

TEST_CASE("chat states and markers become observations of relayed messages, groupchat and private") {
  Decoded g = decode_str("<message from='a@e.com/r' to='room@rooms.test' type='groupchat'>"
                         "<composing xmlns='http://jabber.org/protocol/chatstates'/></message>");
  REQUIRE(g.commands.size() == 1);
  CHECK_FALSE(std::get<core::SendGroupchat>(g.commands[0]).has_body);
  REQUIRE(g.observations.size() == 1);
  const auto& cs = std::get<core::ObserveChatState>(g.observations[0]);
  CHECK(cs.state == "composing");
  CHECK_FALSE(cs.displayed);
  CHECK_FALSE(cs.to_nick);

  Decoded p = decode_str("<message from='a@e.com/r' to='room@rooms.test/Bob' type='chat'>"
                         "<active xmlns='http://jabber.org/protocol/chatstates'/>"
                         "<displayed xmlns='urn:xmpp:chat-markers:0' id='m-1'/></message>");
  REQUIRE(p.commands.size() == 1);
  CHECK_FALSE(std::get<core::SendPrivate>(p.commands[0]).has_body);
  REQUIRE(p.observations.size() == 1);
  const auto& pcs = std::get<core::ObserveChatState>(p.observations[0]);
  CHECK(pcs.state == "active");
  CHECK(pcs.displayed == std::optional<std::string>("m-1"));
  CHECK(pcs.to_nick == std::optional<std::string>("Bob"));

  Decoded plain = decode_str("<message from='a@e.com/r' to='room@rooms.test' type='groupchat'><body>hi</body>"
                             "<unknown xmlns='http://jabber.org/protocol/chatstates'/></message>");
  CHECK(plain.observations.empty());
  CHECK_FALSE(std::get<core::SendGroupchat>(plain.commands[0]).no_store);
}

TEST_CASE("no-store and no-permanent-store hints mark the groupchat command") {
  for (const char* hint : {"no-store", "no-permanent-store"}) {
    Decoded d = decode_str(std::string("<message from='a@e.com/r' to='room@rooms.test' type='groupchat'><body>x</body><") +
                           hint + " xmlns='urn:xmpp:hints'/></message>");
    REQUIRE(d.commands.size() == 1);
    CHECK(std::get<core::SendGroupchat>(d.commands[0]).no_store);
  }
}

TEST_CASE("voice request form, approval, denial and bad approvals") {
  const std::string head = "<message from='v@e.com/r' to='room@rooms.test'><x xmlns='jabber:x:data' type='submit'>"
                           "<field var='FORM_TYPE'><value>http://jabber.org/protocol/muc#request</value></field>"
                           "<field var='muc#role'><value>participant</value></field>";
  Decoded req = decode_str(head + "</x></message>");
  REQUIRE(req.commands.size() == 1);
  CHECK(std::get<core::RequestVoice>(req.commands[0]).user.full() == "v@e.com/r");

  Decoded ok = decode_str(head + "<field var='muc#roomnick'><value>Vic</value></field>"
                                 "<field var='muc#request_allow'><value>1</value></field></x></message>");
  REQUIRE(ok.commands.size() == 1);
  const auto& role = std::get<core::SetRole>(ok.commands[0]);
  CHECK(role.nick == "Vic");
  CHECK(role.role == core::Role::participant);

  Decoded no = decode_str(head + "<field var='muc#roomnick'><value>Vic</value></field>"
                                 "<field var='muc#request_allow'><value>false</value></field></x></message>");
  CHECK(no.ignore);
  CHECK(no.commands.empty());
  CHECK(decode_str(head + "<field var='muc#request_allow'><value>maybe</value></field></x></message>").error->condition ==
        core::ErrorCondition::bad_request);
  CHECK(decode_str(head + "<field var='muc#request_allow'><value>1</value></field></x></message>").error->condition ==
        core::ErrorCondition::bad_request);
}

TEST_CASE("declines: to the inviter (or the older from), malformed is jid-malformed") {
  Decoded d = decode_str("<message from='c@e.com/r' to='room@rooms.test'><x xmlns='http://jabber.org/protocol/muc#user'>"
                         "<decline to='a@e.com/home'><reason>Busy</reason></decline></x></message>");
  REQUIRE(d.commands.size() == 1);
  const auto& dec = std::get<core::DeclineInvitation>(d.commands[0]);
  CHECK(dec.inviter.full() == "a@e.com/home");
  CHECK(dec.reason == "Busy");
  Decoded old = decode_str("<message from='c@e.com/r' to='room@rooms.test'><x xmlns='http://jabber.org/protocol/muc#user'>"
                           "<decline from='a@e.com'/></x></message>");
  CHECK(std::get<core::DeclineInvitation>(old.commands.at(0)).inviter.full() == "a@e.com");
  CHECK(decode_str("<message from='c@e.com/r' to='room@rooms.test'><x xmlns='http://jabber.org/protocol/muc#user'>"
                   "<decline/></x></message>")
            .error->condition == core::ErrorCondition::jid_malformed);
}

TEST_CASE("destroy with the mucstream purge element, and without") {
  Decoded p = decode_str("<iq from='o@e.com/r' to='room@rooms.test' type='set' id='d'>"
                         "<query xmlns='http://jabber.org/protocol/muc#owner'><destroy><reason>bye</reason>"
                         "<purge xmlns='urn:xmpp:mucstream:0'/></destroy></query></iq>");
  CHECK(std::get<core::DestroyRoom>(p.commands.at(0)).purge);
  Decoded n = decode_str("<iq from='o@e.com/r' to='room@rooms.test' type='set' id='d'>"
                         "<query xmlns='http://jabber.org/protocol/muc#owner'><destroy><purge/></destroy></query></iq>");
  CHECK_FALSE(std::get<core::DestroyRoom>(n.commands.at(0)).purge);  // not our namespace
}

TEST_CASE("owner form offers and reads the lifecycle fields") {
  World w;
  w.cfg.domain = kDomain;
  w.instant_room("o@e.com/r", "O", {});
  const std::string form = config_form(*w.svc.find(kLifeRoom), w.cfg);
  CHECK(contains(form, "mucstream#roomconfig_recordchatstates"));
  CHECK(contains(form, "mucstream#roomconfig_invitegrantsmembership"));
  auto x = xml("<x xmlns='jabber:x:data' type='submit'>"
               "<field var='mucstream#roomconfig_recordchatstates'><value>1</value></field>"
               "<field var='mucstream#roomconfig_invitegrantsmembership'><value>0</value></field></x>");
  core::ConfigChange c;
  REQUIRE_FALSE(decode_config_form(*x, c));
  CHECK(c.record_chat_states == std::optional<bool>(true));
  CHECK(c.invite_grants_membership == std::optional<bool>(false));
  auto bad = xml("<x xmlns='jabber:x:data' type='submit'>"
                 "<field var='mucstream#roomconfig_recordchatstates'><value>yes</value></field></x>");
  CHECK(decode_config_form(*bad, c)->condition == core::ErrorCondition::bad_request);
}

TEST_CASE("the voice request form to moderators and the decline to the inviter, as rendered") {
  World w;
  w.cfg.domain = kDomain;
  core::ConfigChange mod;
  mod.moderated = true;
  w.instant_room("o@e.com/r", "O", mod);
  REQUIRE(w.join("v@e.com/r", "Vic <3", {}, kLifeRoom).ok());
  auto form = render_deliveries(w.run(core::RequestVoice{core::testing::jid("v@e.com/r"), kLifeRoom}));
  REQUIRE(form.size() == 1);
  auto m = xml(form[0]);
  REQUIRE(m != nullptr);
  CHECK(m->findAttribute("to") == "o@e.com/r");
  CHECK(m->findAttribute("from") == kLifeRoom);
  const gloox::Tag* x = m->findChild("x", "xmlns", "jabber:x:data");
  REQUIRE(x != nullptr);
  CHECK(x->findAttribute("type") == "form");
  CHECK(field_value(*x, "FORM_TYPE") == "http://jabber.org/protocol/muc#request");
  CHECK(field_value(*x, "muc#roomnick") == "Vic <3");
  CHECK(field_value(*x, "muc#jid") == "v@e.com/r");
  CHECK(field_value(*x, "muc#request_allow") == "false");

  auto dec = render_deliveries(
      w.run(core::DeclineInvitation{core::testing::jid("c@e.com/p"), kLifeRoom, core::testing::jid("o@e.com/r"), "no & no"}));
  REQUIRE(dec.size() == 1);
  auto d = xml(dec[0]);
  REQUIRE(d != nullptr);
  CHECK(d->findAttribute("to") == "o@e.com/r");
  const gloox::Tag* decline = d->findChild("x", "xmlns", ns::kMucUser)->findChild("decline");
  CHECK(decline->findAttribute("from") == "c@e.com");
  CHECK(decline->findChild("reason")->cdata() == "no & no");
}
