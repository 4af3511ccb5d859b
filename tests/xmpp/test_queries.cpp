// Queries answered from room state: disco, pings, lists, the owner form.
#include "tests/xmpp/util.hpp"
#include "xmpp/queries.hpp"

#include <set>

using namespace mucstream;
using namespace mucstream::xmpp;
using namespace mucstream::xmpp::testing;
using core::testing::World;

namespace {
const char* kRoom = "room@rooms.test";

std::unique_ptr<gloox::Tag> ask(const World& w, const std::string& stanza) {
  static const std::string domain = kDomain;
  auto t = xml(stanza);
  Decoded d = decode(*t, DecodeContext{domain, w.svc});
  REQUIRE(d.query);
  return xml(answer_query(d, w.svc, w.cfg));
}

std::string cond(const gloox::Tag& reply) {
  const gloox::Tag* e = reply.findChild("error");
  if (e == nullptr) return "";
  for (const gloox::Tag* c : e->children())
    if (c->name() != "text") return c->name() + "/" + e->findAttribute("type");
  return "?";
}

std::string field(const gloox::Tag& form, const std::string& var) {
  for (const gloox::Tag* f : form.children())
    if (f->name() == "field" && f->findAttribute("var") == var) return f->findChild("value") ? f->findChild("value")->cdata() : "";
  return "<absent>";
}

World configured_room() {
  World w;
  REQUIRE(w.join("o@e.com/1", "O", {}, kRoom).ok());
  core::ConfigChange ch;
  ch.name = "Planning";
  ch.description = "Where we plan";
  ch.persistent = true;
  REQUIRE(w.configure("o@e.com/1", ch, kRoom).ok());
  REQUIRE(w.join("b@e.com/1", "B", {}, kRoom).ok());
  return w;
}
}  // namespace

TEST_CASE("disco#info on a room: conference identity, muc features, roominfo form with count and description") {
  World w = configured_room();
  auto r = ask(w, "<iq from='x@e.com/1' to='room@rooms.test' type='get' id='d'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
  CHECK(r->findAttribute("type") == "result");
  CHECK(r->findAttribute("from") == kRoom);
  const gloox::Tag* q = r->findChild("query");
  const gloox::Tag* id = q->findChild("identity");
  CHECK(id->findAttribute("category") == "conference");
  CHECK(id->findAttribute("type") == "text");
  CHECK(id->findAttribute("name") == "Planning");
  std::set<std::string> features;
  for (const gloox::Tag* f : q->findChildren("feature")) features.insert(f->findAttribute("var"));
  for (const char* f : {"http://jabber.org/protocol/muc", "muc_persistent", "muc_public", "muc_open", "muc_unmoderated",
                        "muc_semianonymous", "muc_unsecured", "urn:xmpp:sid:0", "urn:xmpp:occupant-id:0", "urn:xmpp:ping"})
    CHECK_MESSAGE(features.count(f) == 1, f);
  const gloox::Tag* form = q->findChild("x");
  CHECK(field(*form, "FORM_TYPE") == ns::kRoomInfo);
  CHECK(field(*form, "muc#roominfo_occupants") == "2");
  CHECK(field(*form, "muc#roominfo_description") == "Where we plan");

  auto missing = ask(w, "<iq from='x@e.com/1' to='nope@rooms.test' type='get' id='d'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
  CHECK(cond(*missing) == "item-not-found/cancel");
}

TEST_CASE("disco on the service: identity, and items list public configured rooms only") {
  World w = configured_room();
  REQUIRE(w.join("h@e.com/1", "H", {}, "hidden@rooms.test").ok());
  core::ConfigChange ch;
  ch.is_public = false;
  REQUIRE(w.configure("h@e.com/1", ch, "hidden@rooms.test").ok());
  REQUIRE(w.join("n@e.com/1", "N", {}, "unconfigured@rooms.test").ok());
  auto info = ask(w, "<iq from='x@e.com/1' to='rooms.test' type='get' id='d'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
  CHECK(info->findChild("query")->findChild("identity")->findAttribute("category") == "conference");
  auto items = ask(w, "<iq from='x@e.com/1' to='rooms.test' type='get' id='d'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>");
  auto list = items->findChild("query")->findChildren("item");
  REQUIRE(list.size() == 1);
  CHECK(list.front()->findAttribute("jid") == kRoom);
  CHECK(list.front()->findAttribute("name") == "Planning");
}

TEST_CASE("pings: service and room answer, self-ping tells joined from not joined (XEP-0410)") {
  World w = configured_room();
  CHECK(ask(w, "<iq from='x@e.com/1' to='rooms.test' type='get' id='p'><ping xmlns='urn:xmpp:ping'/></iq>")->findAttribute("type") == "result");
  CHECK(ask(w, "<iq from='x@e.com/1' to='room@rooms.test' type='get' id='p'><ping xmlns='urn:xmpp:ping'/></iq>")->findAttribute("type") == "result");
  CHECK(ask(w, "<iq from='b@e.com/1' to='room@rooms.test/B' type='get' id='p'><ping xmlns='urn:xmpp:ping'/></iq>")->findAttribute("type") == "result");
  CHECK(cond(*ask(w, "<iq from='b@e.com/2' to='room@rooms.test/B' type='get' id='p'><ping xmlns='urn:xmpp:ping'/></iq>")) ==
        "not-acceptable/modify");
  CHECK(cond(*ask(w, "<iq from='x@e.com/1' to='room@rooms.test/X' type='get' id='p'><ping xmlns='urn:xmpp:ping'/></iq>")) ==
        "not-acceptable/modify");
  // A room that is gone (ended while the client was away): "not joined", never item-not-found,
  // which XEP-0410 reads as "still joined under another nick".
  CHECK(cond(*ask(w, "<iq from='b@e.com/1' to='gone@rooms.test/B' type='get' id='p'><ping xmlns='urn:xmpp:ping'/></iq>")) ==
        "not-acceptable/modify");
  // Joined, pinging a nick nobody has: item-not-found (XEP-0410: joined, the nick changed).
  CHECK(cond(*ask(w, "<iq from='b@e.com/1' to='room@rooms.test/Nobody' type='get' id='p'><ping xmlns='urn:xmpp:ping'/></iq>")) ==
        "item-not-found/cancel");
}

TEST_CASE("affiliation lists for admins and owners only, role lists for moderators") {
  World w = configured_room();
  REQUIRE(w.run(core::SetAffiliation{core::Requester::user(core::testing::jid("o@e.com/1")), kRoom,
                                     core::testing::jid("m@e.com"), core::Affiliation::member, ""})
              .ok());
  REQUIRE(w.run(core::SetAffiliation{core::Requester::user(core::testing::jid("o@e.com/1")), kRoom,
                                     core::testing::jid("z@e.com"), core::Affiliation::outcast, "spam"})
              .ok());
  auto members = ask(w, "<iq from='o@e.com/1' to='room@rooms.test' type='get' id='l'><query xmlns='http://jabber.org/protocol/muc#admin'><item affiliation='member'/></query></iq>");
  auto items = members->findChild("query")->findChildren("item");
  REQUIRE(items.size() == 1);
  CHECK(items.front()->findAttribute("jid") == "m@e.com");
  auto outcasts = ask(w, "<iq from='o@e.com/1' to='room@rooms.test' type='get' id='l'><query xmlns='http://jabber.org/protocol/muc#admin'><item affiliation='outcast'/></query></iq>");
  CHECK(outcasts->findChild("query")->findChild("item")->findChild("reason")->cdata() == "spam");
  auto owners = ask(w, "<iq from='o@e.com/1' to='room@rooms.test' type='get' id='l'><query xmlns='http://jabber.org/protocol/muc#admin'><item affiliation='owner'/></query></iq>");
  CHECK(owners->findChild("query")->findChild("item")->findAttribute("jid") == "o@e.com");
  CHECK(cond(*ask(w, "<iq from='b@e.com/1' to='room@rooms.test' type='get' id='l'><query xmlns='http://jabber.org/protocol/muc#admin'><item affiliation='member'/></query></iq>")) ==
        "forbidden/auth");
  auto mods = ask(w, "<iq from='o@e.com/1' to='room@rooms.test' type='get' id='l'><query xmlns='http://jabber.org/protocol/muc#admin'><item role='participant'/></query></iq>");
  CHECK(mods->findChild("query")->findChild("item")->findAttribute("nick") == "B");
  CHECK(cond(*ask(w, "<iq from='b@e.com/1' to='room@rooms.test' type='get' id='l'><query xmlns='http://jabber.org/protocol/muc#admin'><item role='moderator'/></query></iq>")) ==
        "forbidden/auth");
}

TEST_CASE("owner form: current values, lock field, never the password, forbidden for non-owners") {
  World w = configured_room();
  core::ConfigChange ch;
  ch.password_protected = true;
  ch.password = "hunter2";
  ch.locked = true;
  REQUIRE(w.configure("o@e.com/1", ch, kRoom).ok());
  auto r = ask(w, "<iq from='o@e.com/1' to='room@rooms.test' type='get' id='f'><query xmlns='http://jabber.org/protocol/muc#owner'/></iq>");
  const gloox::Tag* form = r->findChild("query")->findChild("x");
  REQUIRE(form != nullptr);
  CHECK(form->findAttribute("type") == "form");
  CHECK(field(*form, "FORM_TYPE") == ns::kRoomConfig);
  CHECK(field(*form, "muc#roomconfig_roomname") == "Planning");
  CHECK(field(*form, "muc#roomconfig_persistentroom") == "1");
  CHECK(field(*form, "muc#roomconfig_passwordprotectedroom") == "1");
  CHECK(field(*form, "muc#roomconfig_locked") == "1");
  CHECK(field(*form, "muc#roomconfig_roomsecret").empty());
  CHECK_FALSE(contains(answer_query(decode_str("<iq from='o@e.com/1' to='room@rooms.test' type='get' id='f'><query xmlns='http://jabber.org/protocol/muc#owner'/></iq>", w.svc), w.svc, w.cfg),
                       "hunter2"));
  CHECK(cond(*ask(w, "<iq from='b@e.com/1' to='room@rooms.test' type='get' id='f'><query xmlns='http://jabber.org/protocol/muc#owner'/></iq>")) ==
        "forbidden/auth");
}
