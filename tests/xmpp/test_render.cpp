// Rendering core deliveries (from real decisions) into stanza bytes, checked by parsing
// them back the way a client would.
#include "tests/xmpp/util.hpp"
#include "core/time.hpp"
#include "xmpp/renderer.hpp"

using namespace mucstream;
using namespace mucstream::xmpp;
using namespace mucstream::xmpp::testing;
using core::testing::World;

namespace {

const char* kRoom = "room@rooms.test";

std::vector<std::string> render_all(const core::Decision& d, const PresenceCache& cache = {}, std::string origin = {}) {
  Renderer r(kDomain);
  StringOutput out;
  for (const auto& x : d.deliveries) r.render(x, cache, RenderContext{origin}, out);
  return out.stanzas;
}

std::string status_of(const gloox::Tag& p) {
  std::string s;
  for (const gloox::Tag* x : p.children())
    if (x->name() == "x")
      for (const gloox::Tag* c : x->children())
        if (c->name() == "status") s += c->findAttribute("code") + ",";
  return s;
}

const gloox::Tag* muc_item(const gloox::Tag& p) {
  for (const gloox::Tag* x : p.children())
    if (x->name() == "x" && x->xmlns() == ns::kMucUser) return x->findChild("item");
  return nullptr;
}

World room_with(std::initializer_list<std::pair<const char*, const char*>> users) {
  World w;
  bool first = true;
  for (auto [jid, nick] : users) {
    REQUIRE(w.join(jid, nick, {}, kRoom).ok());
    if (first) REQUIRE(w.configure(jid, {}, kRoom).ok());
    first = false;
  }
  return w;
}

}  // namespace

TEST_CASE("join: presences with muc#user item, 110/170/201 codes, occupant-id, cached show, subject last") {
  World w;
  core::Decision d = w.join("owner@e.com/desk", "Owner", {}, kRoom);
  REQUIRE(d.ok());
  PresenceCache cache;
  const std::string sid = w.room(kRoom).occupants.at("Owner").sessions[0].id;
  cache.set(sid, "<show>chat</show>");
  auto out = render_all(d, cache);
  REQUIRE(out.size() == 2);
  auto p = xml(out[0]);
  CHECK(p->name() == "presence");
  CHECK(p->findAttribute("to") == "owner@e.com/desk");
  CHECK(p->findAttribute("from") == "room@rooms.test/Owner");
  CHECK_FALSE(p->hasAttribute("type"));
  CHECK(p->findChild("show")->cdata() == "chat");
  CHECK(status_of(*p) == "110,170,201,");
  CHECK(muc_item(*p)->findAttribute("affiliation") == "owner");
  CHECK(muc_item(*p)->findAttribute("role") == "moderator");
  CHECK(muc_item(*p)->findAttribute("jid") == "owner@e.com/desk");
  const gloox::Tag* oid = p->findChild("occupant-id");
  REQUIRE(oid != nullptr);
  CHECK(oid->xmlns() == ns::kOccupantId);
  CHECK(oid->findAttribute("id") == w.room(kRoom).occupants.at("Owner").occupant_id);
  auto s = xml(out[1]);
  CHECK(s->name() == "message");
  CHECK(s->findAttribute("type") == "groupchat");
  REQUIRE(s->findChild("subject") != nullptr);
  CHECK(s->findChild("subject")->cdata().empty());
}

TEST_CASE("groupchat fan-out: one rendering, identical bytes except 'to', payload verbatim, stanza-id by the room") {
  World w = room_with({{"a@e.com/1", "A"}, {"b@e.com/1", "B"}, {"c@e.com/1", "C"}});
  const std::string payload = "<body>x &lt; y</body><custom xmlns='urn:x'><deep a='1'>t</deep></custom>";
  core::Decision d = w.run(core::SendGroupchat{core::testing::jid("b@e.com/1"), kRoom, payload, true});
  REQUIRE(d.ok());
  auto out = render_all(d, {}, "client-id-7");
  REQUIRE(out.size() == 3);
  const std::string event_id = d.events.at(0).id;
  for (const std::string& s : out) {
    auto m = xml(s);
    CHECK(m->findAttribute("from") == "room@rooms.test/B");
    CHECK(m->findAttribute("id") == "client-id-7");
    CHECK(contains(s, payload));  // the client's bytes, unchanged
    const gloox::Tag* sid = m->findChild("stanza-id");
    REQUIRE(sid != nullptr);
    CHECK(sid->findAttribute("id") == event_id);
    CHECK(sid->findAttribute("by") == kRoom);
    CHECK(m->findChild("occupant-id") != nullptr);
  }
  // Only `to` differs.
  auto strip_to = [](std::string s) {
    auto a = s.find("to='");
    auto b = s.find('\'', a + 4);
    return s.erase(a, b - a);
  };
  CHECK(strip_to(out[0]) == strip_to(out[1]));
  CHECK(strip_to(out[1]) == strip_to(out[2]));
  CHECK(xml(out[0])->findAttribute("to") != xml(out[1])->findAttribute("to"));
}

TEST_CASE("history on join carries XEP-0203 delay and the original stanza-id, subject after it") {
  World w = room_with({{"a@e.com/1", "A"}});
  REQUIRE(w.say("a@e.com/1", "first", kRoom).ok());
  const std::string first_id = w.log.back().id;
  const std::int64_t first_time = w.log.back().time_ms;
  REQUIRE(w.say("a@e.com/1", "second", kRoom).ok());
  const std::string second_id = w.log.back().id;
  CHECK(second_id != first_id);
  core::Join j;
  j.user = core::testing::jid("b@e.com/1");
  j.room = kRoom;
  j.nick = "B";
  j.history.max_stanzas = 1;
  auto out = render_all(w.run(j));
  // A's presence, B's presence to A, B's self-presence, one history message, subject.
  REQUIRE(out.size() == 5);
  auto h = xml(out[3]);
  CHECK(contains(out[3], "<body>second</body>"));
  REQUIRE(h->findChild("delay") != nullptr);
  CHECK(h->findChild("delay")->xmlns() == ns::kDelay);
  CHECK(h->findChild("delay")->findAttribute("from") == kRoom);
  CHECK(core::parse_time(h->findChild("delay")->findAttribute("stamp")) == first_time + 1000);
  CHECK(h->findChild("stanza-id")->findAttribute("id") == second_id);
  CHECK(xml(out[4])->findChild("subject") != nullptr);
}

TEST_CASE("kick and ban presences carry 307/301, actor and reason, nick change 303 with the new nick") {
  World w = room_with({{"o@e.com/1", "O"}, {"b@e.com/1", "B"}, {"c@e.com/1", "C"}});
  core::Decision kick = w.run(core::SetRole{core::Requester::user(core::testing::jid("o@e.com/1")), kRoom, "B",
                                            core::Role::none, "behave"});
  auto out = render_all(kick);
  REQUIRE(out.size() == 3);
  for (const auto& s : out) {
    auto p = xml(s);
    CHECK(p->findAttribute("type") == "unavailable");
    CHECK(contains(status_of(*p), "307"));
    CHECK(muc_item(*p)->findChild("reason")->cdata() == "behave");
    CHECK(muc_item(*p)->findChild("actor")->findAttribute("nick") == "O");
  }
  core::Decision ban = w.run(core::SetAffiliation{core::Requester::user(core::testing::jid("o@e.com/1")), kRoom,
                                                  core::testing::jid("c@e.com"), core::Affiliation::outcast, "gone"});
  for (const auto& s : render_all(ban)) {
    auto p = xml(s);
    CHECK(contains(status_of(*p), "301"));
    CHECK(muc_item(*p)->findAttribute("affiliation") == "outcast");
  }
  core::Decision nick = w.run(core::ChangeNick{core::testing::jid("o@e.com/1"), kRoom, "Boss"});
  auto n = render_all(nick);
  REQUIRE(n.size() == 2);
  auto gone = xml(n[0]);
  CHECK(gone->findAttribute("type") == "unavailable");
  CHECK(status_of(*gone) == "303,110,");
  CHECK(muc_item(*gone)->findAttribute("nick") == "Boss");
  CHECK(xml(n[1])->findAttribute("from") == "room@rooms.test/Boss");
}

TEST_CASE("destroy: <destroy jid> with reason, shutdown: 110 + 332") {
  World w = room_with({{"o@e.com/1", "O"}, {"b@e.com/1", "B"}});
  auto out = render_all(w.run(core::DestroyRoom{core::Requester::user(core::testing::jid("o@e.com/1")), kRoom, "moving",
                                                "new@rooms.test"}));
  REQUIRE(out.size() == 2);
  auto p = xml(out[0]);
  const gloox::Tag* x = p->findChild("x");
  REQUIRE(x->findChild("destroy") != nullptr);
  CHECK(x->findChild("destroy")->findAttribute("jid") == "new@rooms.test");
  CHECK(x->findChild("destroy")->findChild("reason")->cdata() == "moving");

  World w2 = room_with({{"o@e.com/1", "O"}});
  auto s = render_all(w2.run(core::Shutdown{}));
  REQUIRE(s.size() == 1);
  CHECK(status_of(*xml(s[0])) == "110,332,");
  CHECK(xml(s[0])->findAttribute("type") == "unavailable");
}

TEST_CASE("status 104 on configuration change, mediated invite with reason and password, private message") {
  World w = room_with({{"o@e.com/1", "O"}, {"b@e.com/1", "B"}});
  core::ConfigChange ch;
  ch.name = "New name";
  auto cfg = render_all(w.configure("o@e.com/1", ch, kRoom));
  REQUIRE(cfg.size() == 2);
  CHECK(status_of(*xml(cfg[0])) == "104,");
  CHECK(xml(cfg[0])->findAttribute("from") == kRoom);

  auto inv = render_all(w.run(core::Invite{core::testing::jid("o@e.com/1"), kRoom, core::testing::jid("carol@e.com"),
                                           "join <us>", "pw"}));
  REQUIRE(inv.size() == 1);
  auto m = xml(inv[0]);
  CHECK(m->findAttribute("to") == "carol@e.com");
  const gloox::Tag* invite = m->findChild("x", "xmlns", ns::kMucUser)->findChild("invite");
  CHECK(invite->findAttribute("from") == "o@e.com");
  CHECK(invite->findChild("reason")->cdata() == "join <us>");
  CHECK(m->findChild("x", "xmlns", ns::kMucUser)->findChild("password")->cdata() == "pw");

  auto pm = render_all(w.run(core::SendPrivate{core::testing::jid("b@e.com/1"), kRoom, "O", "<body>hi</body>"}), {}, "p1");
  REQUIRE(pm.size() == 1);
  auto pmt = xml(pm[0]);
  CHECK(pmt->findAttribute("type") == "chat");
  CHECK(pmt->findAttribute("from") == "room@rooms.test/B");
  CHECK(pmt->findAttribute("to") == "o@e.com/1");
  CHECK(pmt->findAttribute("id") == "p1");
  CHECK(pmt->findChild("x", "xmlns", ns::kMucUser) != nullptr);
}

TEST_CASE("errors: XEP-0045 condition and type, swapped addresses, same id, muc x on presence errors") {
  Decoded d = decode_str("<presence from='a@e.com/r' to='room@rooms.test/n' id='p9'><x xmlns='http://jabber.org/protocol/muc'/></presence>");
  auto e = xml(render_error(d.env, core::make_error(core::ErrorCondition::not_authorized, "password"), kRoom));
  CHECK(e->findAttribute("type") == "error");
  CHECK(e->findAttribute("to") == "a@e.com/r");
  CHECK(e->findAttribute("from") == "room@rooms.test/n");
  CHECK(e->findAttribute("id") == "p9");
  CHECK(e->findChild("x", "xmlns", ns::kMuc) != nullptr);
  const gloox::Tag* err = e->findChild("error");
  CHECK(err->findAttribute("type") == "auth");
  CHECK(err->findChild("not-authorized", "xmlns", ns::kStanzas) != nullptr);
  CHECK(err->findChild("text")->cdata() == "password");

  Decoded iq = decode_str("<iq from='a@e.com/r' to='rooms.test' type='get' id='q'><query xmlns='jabber:iq:version'/></iq>");
  auto ie = xml(render_error(iq.env, *iq.error));
  CHECK(ie->name() == "iq");
  CHECK(ie->findChild("error")->findAttribute("type") == "cancel");
  CHECK(ie->findChild("error")->findChild("service-unavailable") != nullptr);
}
