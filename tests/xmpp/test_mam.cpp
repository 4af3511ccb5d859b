// XEP-0313 on the wire: archive requests as clients send them, results as they receive them.
#include "tests/xmpp/util.hpp"
#include "xmpp/mam.hpp"

using namespace mucstream;
using namespace mucstream::xmpp;
using namespace mucstream::xmpp::testing;

namespace {

const char* kId1 = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";

Decoded query(const std::string& inner, const std::string& type = "set") {
  return decode_str("<iq from='alice@example.com/a' to='Room@rooms.test' type='" + type + "' id='q1'>" + inner + "</iq>");
}

std::string cond(const Decoded& d) { return d.error ? std::string(core::to_string(d.error->condition)) : "none"; }

const gloox::Tag* find(const gloox::Tag& t, const std::string& name, const std::string& xmlns) {
  for (const gloox::Tag* c : t.children())
    if (c->name() == name && c->xmlns() == xmlns) return c;
  return nullptr;
}

// The forwarded message inside a rendered result.
std::unique_ptr<gloox::Tag> result_of(const std::string& stanza) { return xml(stanza); }

const gloox::Tag& inner(const gloox::Tag& outer) {
  const gloox::Tag* r = find(outer, "result", ns::kMam);
  REQUIRE(r != nullptr);
  const gloox::Tag* f = find(*r, "forwarded", ns::kForward);
  REQUIRE(f != nullptr);
  const gloox::Tag* m = find(*f, "message", "jabber:client");
  REQUIRE(m != nullptr);
  return *m;
}

core::ArchivedMessage message(std::string body) {
  core::ArchivedMessage m;
  m.stanza_id = kId1;
  m.time_ms = 1'700'000'000'123;
  m.nick = "alice";
  m.occupant_id = "occ-1";
  m.jid = "alice@example.com/a";
  m.payload = "<body>" + body + "</body>";
  return m;
}

}  // namespace

TEST_CASE("mam decode: a query with the extended form, RSM and flip-page") {
  Decoded d = query(
      "<query xmlns='urn:xmpp:mam:2' queryid='f27'><x xmlns='jabber:x:data' type='submit'>"
      "<field var='FORM_TYPE' type='hidden'><value>urn:xmpp:mam:2</value></field>"
      "<field var='with'><value>room@rooms.test/Bob</value></field>"
      "<field var='start'><value>2023-11-14T22:13:20Z</value></field>"
      "<field var='end'><value>2023-11-14T22:13:21.5Z</value></field>"
      "<field var='after-id'><value>a-id</value></field><field var='before-id'><value>b-id</value></field>"
      "<field var='ids'><value>i1</value><value>i2</value></field></x>"
      "<set xmlns='http://jabber.org/protocol/rsm'><max>10</max><before>" + std::string(kId1) + "</before></set>"
      "<flip-page/></query>");
  REQUIRE(cond(d) == "none");
  REQUIRE(d.mam);
  CHECK(d.query == std::nullopt);
  const MamRequest& r = *d.mam;
  CHECK(r.kind == MamRequest::Kind::query);
  CHECK(r.queryid == "f27");
  CHECK(r.query.room == "room@rooms.test");
  CHECK(r.query.with_nick == std::optional<std::string>("Bob"));
  CHECK_FALSE(r.query.with_bare_jid);
  CHECK(r.query.start_ms == 1'700'000'000'000);
  CHECK(r.query.end_ms == 1'700'000'001'500);
  CHECK(r.query.after_id == std::optional<std::string>("a-id"));
  CHECK(r.query.before_id == std::optional<std::string>("b-id"));
  CHECK(r.query.ids == std::vector<std::string>{"i1", "i2"});
  CHECK(r.query.max == 10u);
  CHECK(r.query.rsm_before == std::optional<std::string>(kId1));
  CHECK_FALSE(r.query.rsm_last_page);
  CHECK(r.query.flip);
}

TEST_CASE("mam decode: a bare query, the last page, `with` a real JID, empty fields") {
  Decoded bare = query("<query xmlns='urn:xmpp:mam:2'/>");
  REQUIRE(bare.mam);
  CHECK(bare.mam->query.max == core::ArchiveQuery{}.max);
  CHECK_FALSE(bare.mam->query.rsm_last_page);
  CHECK_FALSE(bare.mam->query.flip);

  Decoded last = query("<query xmlns='urn:xmpp:mam:2'><set xmlns='http://jabber.org/protocol/rsm'><max>5</max><before/></set></query>");
  REQUIRE(last.mam);
  CHECK(last.mam->query.rsm_last_page);
  CHECK_FALSE(last.mam->query.rsm_before);

  Decoded by_jid = query(
      "<query xmlns='urn:xmpp:mam:2'><x xmlns='jabber:x:data' type='submit'>"
      "<field var='FORM_TYPE'><value>urn:xmpp:mam:2</value></field>"
      "<field var='with'><value>Alice@Example.com/phone</value></field><field var='start'/></x></query>");
  REQUIRE(by_jid.mam);
  CHECK(by_jid.mam->query.with_bare_jid == std::optional<std::string>("alice@example.com"));
  CHECK_FALSE(by_jid.mam->query.start_ms);

  Decoded room_itself = query(
      "<query xmlns='urn:xmpp:mam:2'><x xmlns='jabber:x:data' type='submit'>"
      "<field var='FORM_TYPE'><value>urn:xmpp:mam:2</value></field>"
      "<field var='with'><value>room@rooms.test</value></field></x></query>");
  REQUIRE(room_itself.mam);
  CHECK_FALSE(room_itself.mam->query.with_nick);
  CHECK_FALSE(room_itself.mam->query.with_bare_jid);
}

TEST_CASE("mam decode: the form, the metadata, and malformed requests") {
  Decoded form = query("<query xmlns='urn:xmpp:mam:2'/>", "get");
  REQUIRE(form.mam);
  CHECK(form.mam->kind == MamRequest::Kind::form);
  Decoded meta = query("<metadata xmlns='urn:xmpp:mam:2'/>", "get");
  REQUIRE(meta.mam);
  CHECK(meta.mam->kind == MamRequest::Kind::metadata);
  CHECK(cond(query("<metadata xmlns='urn:xmpp:mam:2'/>")) == "bad-request");

  const std::string form_head = "<query xmlns='urn:xmpp:mam:2'><x xmlns='jabber:x:data' type='submit'>";
  const std::string ft = "<field var='FORM_TYPE'><value>urn:xmpp:mam:2</value></field>";
  CHECK(cond(query(form_head + "<field var='FORM_TYPE'><value>urn:xmpp:mam:1</value></field></x></query>")) == "bad-request");
  CHECK(cond(query(form_head + "<field var='with'><value>x@y</value></field></x></query>")) == "bad-request");  // no FORM_TYPE
  CHECK(cond(query(form_head + ft + "<field var='start'><value>yesterday</value></field></x></query>")) == "bad-request");
  CHECK(cond(query(form_head + ft + "<field var='with'><value>@bad</value></field></x></query>")) == "bad-request");
  CHECK(cond(query(form_head + ft + "<field var='{urn:xmpp:fulltext:0}fulltext'><value>hi</value></field></x></query>")) ==
        "feature-not-implemented");
  CHECK(cond(query("<query xmlns='urn:xmpp:mam:2'><x xmlns='jabber:x:data' type='form'>" + ft + "</x></query>")) == "bad-request");
  const std::string set = "<query xmlns='urn:xmpp:mam:2'><set xmlns='http://jabber.org/protocol/rsm'>";
  CHECK(cond(query(set + "<max>ten</max></set></query>")) == "bad-request");
  CHECK(cond(query(set + "<max>-1</max></set></query>")) == "bad-request");
  CHECK(cond(query(set + "<after/></set></query>")) == "bad-request");
  CHECK(cond(query(set + "<index>3</index></set></query>")) == "feature-not-implemented");
  // The service itself keeps no archive: not a room request.
  Decoded svc = decode_str("<iq from='a@e.com/r' to='rooms.test' type='set' id='s'><query xmlns='urn:xmpp:mam:2'/></iq>");
  CHECK_FALSE(svc.mam);
  CHECK(cond(svc) == "service-unavailable");
}

TEST_CASE("mam render: the form lists every field a query may use") {
  auto q = xml(mam_form());
  const gloox::Tag* x = find(*q, "x", "jabber:x:data");
  REQUIRE(x != nullptr);
  std::vector<std::string> vars;
  for (const gloox::Tag* f : x->children()) vars.push_back(f->findAttribute("var"));
  CHECK(vars == std::vector<std::string>{"FORM_TYPE", "with", "start", "end", "before-id", "after-id", "ids"});
}

TEST_CASE("mam render: a result forwards the message with its delay, stanza-id, occupant-id, and real JID when allowed") {
  core::ArchivedMessage m = message("it's <b>&amp;");
  m.payload = "<body>it&apos;s &lt;b&gt;&amp;amp;</body><origin-id xmlns='urn:xmpp:sid:0' id='c1'/>";
  auto out = result_of(render_mam_result("bob@example.com/b", "room@rooms.test", "f27", m, false));
  CHECK(out->findAttribute("to") == "bob@example.com/b");
  CHECK(out->findAttribute("from") == "room@rooms.test");
  const gloox::Tag* r = find(*out, "result", ns::kMam);
  REQUIRE(r != nullptr);
  CHECK(r->findAttribute("queryid") == "f27");
  CHECK(r->findAttribute("id") == kId1);
  const gloox::Tag* delay = find(*find(*r, "forwarded", ns::kForward), "delay", "urn:xmpp:delay");
  REQUIRE(delay != nullptr);
  CHECK(delay->findAttribute("stamp") == "2023-11-14T22:13:20.123Z");
  const gloox::Tag& msg = inner(*out);
  CHECK(msg.findAttribute("type") == "groupchat");
  CHECK(msg.findAttribute("from") == "room@rooms.test/alice");
  CHECK(msg.findChild("body")->cdata() == "it's <b>&amp;");
  CHECK(find(msg, "origin-id", "urn:xmpp:sid:0") != nullptr);
  CHECK(find(msg, "stanza-id", "urn:xmpp:sid:0")->findAttribute("id") == kId1);
  CHECK(find(msg, "occupant-id", "urn:xmpp:occupant-id:0")->findAttribute("id") == "occ-1");
  CHECK(find(msg, "x", "http://jabber.org/protocol/muc#user") == nullptr);  // semi-anonymous: no real JID
  CHECK_FALSE(contains(render_mam_result("b", "room@rooms.test", "", m, false), "alice@example.com"));

  auto seen = result_of(render_mam_result("mod@example.com/m", "room@rooms.test", "", m, true));
  const gloox::Tag* x = find(inner(*seen), "x", "http://jabber.org/protocol/muc#user");
  REQUIRE(x != nullptr);
  CHECK(x->findChild("item")->findAttribute("jid") == "alice@example.com/a");
  CHECK_FALSE(find(*seen, "result", ns::kMam)->hasAttribute("queryid"));  // none asked, none echoed

  core::ArchivedMessage from_room = message("system");
  from_room.nick.clear();
  CHECK(inner(*result_of(render_mam_result("b", "room@rooms.test", "", from_room, false))).findAttribute("from") ==
        "room@rooms.test");
}

TEST_CASE("mam render: a corrected message shows its current text and a replace naming its own archive id") {
  core::ArchivedMessage m = message("fixed text");
  m.payload = "<body>fixed text</body><replace xmlns='urn:xmpp:message-correct:0' id='client-id-1'/>";
  m.edited_ms = 1'700'000'005'000;
  m.edited_by_id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a60";
  auto out = result_of(render_mam_result("b", "room@rooms.test", "", m, false));
  const gloox::Tag& msg = inner(*out);
  CHECK(msg.findChild("body")->cdata() == "fixed text");
  int replaces = 0;
  for (const gloox::Tag* c : msg.children())
    if (c->name() == "replace" && c->xmlns() == ns::kCorrect) {
      ++replaces;
      CHECK(c->findAttribute("id") == kId1);
    }
  CHECK(replaces == 1);
}

TEST_CASE("mam render: retracted messages are tombstones without their body, moderated ones say who and why") {
  core::ArchivedMessage m = message("");
  m.payload.clear();
  m.retracted_ms = 1'700'000'009'000;
  auto own = result_of(render_mam_result("b", "room@rooms.test", "", m, false));
  const gloox::Tag& t = inner(*own);
  CHECK(t.findChild("body") == nullptr);
  const gloox::Tag* retracted = find(t, "retracted", ns::kRetract);
  REQUIRE(retracted != nullptr);
  CHECK(retracted->findAttribute("stamp") == "2023-11-14T22:13:29.000Z");
  CHECK(find(*retracted, "moderated", ns::kModerate) == nullptr);

  m.moderated = true;
  m.retracted_by = "mod";
  m.retract_reason = "spam & <worse>";
  auto mod = result_of(render_mam_result("b", "room@rooms.test", "", m, false));
  const gloox::Tag* r2 = find(inner(*mod), "retracted", ns::kRetract);
  REQUIRE(r2 != nullptr);
  const gloox::Tag* by = find(*r2, "moderated", ns::kModerate);
  REQUIRE(by != nullptr);
  CHECK(by->findAttribute("by") == "room@rooms.test/mod");
  CHECK(r2->findChild("reason")->cdata() == "spam & <worse>");
  // Even a payload left behind by mistake is not shown for a tombstone.
  m.payload = "<body>secret</body>";
  CHECK_FALSE(contains(render_mam_result("b", "room@rooms.test", "", m, false), "secret"));
}

TEST_CASE("mam render: fin with complete, first (index), last and count, an empty page has only the count") {
  core::ArchivePage p;
  p.messages = {message("1"), message("2")};
  p.messages[1].stanza_id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a60";
  p.complete = true;
  p.count = 42;
  p.first_index = 40;
  auto fin = xml(render_mam_fin(p));
  CHECK(fin->name() == "fin");
  CHECK(fin->findAttribute("complete") == "true");
  const gloox::Tag* set = find(*fin, "set", ns::kRsm);
  REQUIRE(set != nullptr);
  CHECK(set->findChild("first")->cdata() == kId1);
  CHECK(set->findChild("first")->findAttribute("index") == "40");
  CHECK(set->findChild("last")->cdata() == "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a60");
  CHECK(set->findChild("count")->cdata() == "42");

  core::ArchivePage empty;
  empty.count = 0;
  auto e = xml(render_mam_fin(empty));
  CHECK_FALSE(e->hasAttribute("complete"));
  CHECK(find(*e, "set", ns::kRsm)->findChild("first") == nullptr);
  CHECK(find(*e, "set", ns::kRsm)->findChild("count")->cdata() == "0");
}

TEST_CASE("mam render: metadata names the first and last message, or nothing for an empty archive") {
  core::ArchiveEnds ends{kId1, 1'700'000'000'000, "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a60", 1'700'000'001'000};
  auto m = xml(render_mam_metadata(ends));
  CHECK(m->findChild("start")->findAttribute("id") == kId1);
  CHECK(m->findChild("start")->findAttribute("timestamp") == "2023-11-14T22:13:20.000Z");
  CHECK(m->findChild("end")->findAttribute("id") == "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a60");
  auto none = xml(render_mam_metadata({}));
  CHECK(none->children().empty());
}

TEST_CASE("room config form: archiving is offered and read as Prosody names it") {
  auto x = xml("<x xmlns='jabber:x:data' type='submit'><field var='muc#roomconfig_enablearchiving'><value>0</value></field></x>");
  core::ConfigChange c;
  REQUIRE_FALSE(decode_config_form(*x, c));
  CHECK(c.enable_archiving == std::optional<bool>(false));
  auto bad = xml("<x xmlns='jabber:x:data' type='submit'><field var='muc#roomconfig_enablearchiving'><value>maybe</value></field></x>");
  core::ConfigChange c2;
  CHECK(decode_config_form(*bad, c2));
}
