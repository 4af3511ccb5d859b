// Archive requests through the room handler, with an in-memory ArchiveReader that answers
// when the test says so (as the real one answers later, from another thread).
#include <functional>

#include "tests/xmpp/util.hpp"
#include "xmpp/mam.hpp"
#include "xmpp/room_handler.hpp"

using namespace mucstream;
using namespace mucstream::xmpp;
using namespace mucstream::xmpp::testing;

namespace {

struct Sink final : core::EventSink {
  core::LogPosition publish(const core::Event&) override { return 0; }
};

// Holds each request until the test answers it.
struct HeldReader final : core::ArchiveReader {
  std::vector<core::ArchiveQuery> queries;
  std::vector<std::function<void(core::ArchiveResult)>> query_done;
  std::vector<std::pair<std::string, std::int64_t>> ends_asked;
  std::vector<std::function<void(core::ArchiveEndsResult)>> ends_done;
  void query(core::ArchiveQuery q, std::function<void(core::ArchiveResult)> done) override {
    queries.push_back(std::move(q));
    query_done.push_back(std::move(done));
  }
  void ends(std::string room_id, std::int64_t min_seq, std::function<void(core::ArchiveEndsResult)> done) override {
    ends_asked.emplace_back(std::move(room_id), min_seq);
    ends_done.push_back(std::move(done));
  }
};

core::ArchivedMessage archived(int i) {
  core::ArchivedMessage m;
  char id[40];
  std::snprintf(id, sizeof id, "0190a1b2-c3d4-7e5f-8a9b-%012d", i);
  m.stanza_id = id;
  m.time_ms = 1'700'000'000'000 + i;
  m.nick = "alice";
  m.jid = "alice@example.com/a";
  m.payload = "<body>message " + std::to_string(i) + "</body>";
  return m;
}

struct Bench {
  core::testing::CountingIds ids;
  crypto::OpenSslCrypto crypto{1000};
  Sink sink;
  std::string out;
  RoomHandler h;
  HeldReader reader;
  std::vector<std::function<void()>> loop_tasks;  // what the reader handed back to the loop

  explicit Bench(bool with_reader = true)
      : h(kDomain, Limits{}, core::ServiceConfig{}, core::Service{}, ids, crypto, sink, out) {
    if (with_reader) h.set_archive_reader(&reader, [this](std::function<void()> t) { loop_tasks.push_back(std::move(t)); });
  }
  std::string feed(const std::string& s, Verdict* v = nullptr) {
    out.clear();
    auto t = xml(s);
    Outcome o = h.handle(*t, Now{1'700'000'000'000, 1'000});
    if (v) *v = o.verdict;
    return out;
  }
  // Runs what the reader handed back, as the loop does on its next turn.
  std::string run_loop() {
    out.clear();
    auto tasks = std::move(loop_tasks);
    loop_tasks.clear();
    for (auto& t : tasks) t();
    return out;
  }
  void join(const std::string& user, const std::string& nick) {
    Verdict v;
    feed("<presence from='" + user + "' to='room@rooms.test/" + nick + "'><x xmlns='http://jabber.org/protocol/muc'/></presence>", &v);
    REQUIRE(v == Verdict::handled);
  }
  void configure(const std::string& owner, const std::string& fields) {
    Verdict v;
    feed("<iq from='" + owner + "' to='room@rooms.test' type='set' id='c'><query xmlns='http://jabber.org/protocol/muc#owner'>"
         "<x xmlns='jabber:x:data' type='submit'>" + fields + "</x></query></iq>", &v);
    REQUIRE(v == Verdict::handled);
  }
  void room_with_talk() {
    join("owner@example.com/o", "owner");
    configure("owner@example.com/o", "");
    join("alice@example.com/a", "alice");
    Verdict v;
    feed("<message from='alice@example.com/a' to='room@rooms.test' type='groupchat'><body>words-said-inside</body></message>", &v);
    REQUIRE(v == Verdict::handled);
  }
  std::string mam_query(const std::string& from, const std::string& inner = "", Verdict* v = nullptr) {
    return feed("<iq from='" + from + "' to='room@rooms.test' type='set' id='mq'><query xmlns='urn:xmpp:mam:2' queryid='qid'>" +
                    inner + "</query></iq>",
                v);
  }
};

std::vector<std::unique_ptr<gloox::Tag>> stanzas(const std::string& out) {
  // The output is a run of stanzas; wrap it to parse them all at once.
  auto wrapper = xml("<all>" + out + "</all>");
  std::vector<std::unique_ptr<gloox::Tag>> v;
  for (const gloox::Tag* c : wrapper->children()) v.emplace_back(c->clone());
  return v;
}

std::string error_of(const std::string& out) {
  auto t = xml(out);
  const gloox::Tag* e = t->findChild("error");
  if (e == nullptr) return "none";
  for (const gloox::Tag* c : e->children())
    if (c->name() != "text") return c->name() + "/" + e->findAttribute("type");
  return "?";
}

bool advertises_mam(Bench& b) {
  const std::string r = b.feed(
      "<iq from='alice@example.com/a' to='room@rooms.test' type='get' id='d'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
  REQUIRE(contains(r, "type='result'"));
  return contains(r, "var='urn:xmpp:mam:2'") && contains(r, "var='urn:xmpp:mam:2#extended'");
}

}  // namespace

TEST_CASE("archive requests: without a reader nothing is advertised and every request is service-unavailable") {
  Bench b(false);
  b.room_with_talk();
  CHECK_FALSE(advertises_mam(b));
  Verdict v;
  CHECK(error_of(b.mam_query("alice@example.com/a", "", &v)) == "service-unavailable/cancel");
  CHECK(v == Verdict::error);
  CHECK(error_of(b.feed("<iq from='alice@example.com/a' to='room@rooms.test' type='get' id='f'><query xmlns='urn:xmpp:mam:2'/></iq>")) ==
        "service-unavailable/cancel");
}

TEST_CASE("archive requests: advertised on rooms that archive (with stable ids), not once the owner turns it off") {
  Bench b;
  b.room_with_talk();
  CHECK(advertises_mam(b));
  const std::string info = b.feed(
      "<iq from='alice@example.com/a' to='room@rooms.test' type='get' id='d'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
  CHECK(contains(info, "var='urn:xmpp:sid:0'"));
  CHECK(contains(info, "var='http://jabber.org/protocol/muc#stable_id'"));
  const std::string form =
      b.feed("<iq from='owner@example.com/o' to='room@rooms.test' type='get' id='f'><query xmlns='http://jabber.org/protocol/muc#owner'/></iq>");
  CHECK(contains(form, "var='muc#roomconfig_enablearchiving'"));
  b.configure("owner@example.com/o", "<field var='muc#roomconfig_enablearchiving'><value>0</value></field>");
  CHECK_FALSE(advertises_mam(b));
  CHECK(b.h.service().find("room@rooms.test")->config.enable_archiving == false);
}

TEST_CASE("archive requests: a query reaches the reader off the loop with the room's id and seq, its page comes back as results then fin") {
  Bench b;
  b.room_with_talk();
  Verdict v;
  const std::string now = b.mam_query("bob@example.com/b",
                                      "<set xmlns='http://jabber.org/protocol/rsm'><max>3</max><before/></set>", &v);
  CHECK(v == Verdict::handled);
  CHECK(now.empty());  // nothing until the reader answers
  REQUIRE(b.reader.queries.size() == 1);
  const core::ArchiveQuery& q = b.reader.queries[0];
  const core::Room* room = b.h.service().find("room@rooms.test");
  CHECK(q.room == "room@rooms.test");
  CHECK(q.room_id == room->room_id);
  CHECK(q.min_seq == static_cast<std::int64_t>(room->seq));
  CHECK(q.max == 3u);
  CHECK(q.rsm_last_page);

  core::ArchivePage page;
  page.messages = {archived(1), archived(2), archived(3)};  // archive order, as the reader pages
  page.complete = false;
  page.count = 10;
  page.first_index = 7;
  b.reader.query_done[0](page);
  CHECK(b.out.empty());  // handed to the loop, not written from the reader's thread
  const std::string out = b.run_loop();
  auto all = stanzas(out);
  REQUIRE(all.size() == 4);
  for (int i = 0; i < 3; ++i) {
    CAPTURE(i);
    CHECK(all[i]->name() == "message");
    CHECK(all[i]->findAttribute("to") == "bob@example.com/b");
    const gloox::Tag* r = all[i]->findChild("result");
    REQUIRE(r != nullptr);
    CHECK(r->findAttribute("queryid") == "qid");
    CHECK(r->findAttribute("id") == archived(i + 1).stanza_id);  // oldest first
  }
  CHECK_FALSE(contains(out, "alice@example.com"));  // bob may not see real JIDs
  const gloox::Tag& fin_iq = *all[3];
  CHECK(fin_iq.name() == "iq");
  CHECK(fin_iq.findAttribute("type") == "result");
  CHECK(fin_iq.findAttribute("id") == "mq");
  CHECK(fin_iq.findAttribute("to") == "bob@example.com/b");
  const gloox::Tag* fin = fin_iq.findChild("fin");
  REQUIRE(fin != nullptr);
  CHECK_FALSE(fin->hasAttribute("complete"));
  const gloox::Tag* set = fin->findChild("set");
  CHECK(set->findChild("first")->cdata() == archived(1).stanza_id);
  CHECK(set->findChild("first")->findAttribute("index") == "7");
  CHECK(set->findChild("last")->cdata() == archived(3).stanza_id);
  CHECK(set->findChild("count")->cdata() == "10");
  CHECK(b.h.archive_requests_in_flight() == 0);
  CHECK(b.h.archive_requests() == 1);
  CHECK(b.h.archive_failures() == 0);
}

TEST_CASE("archive requests: flip-page sends the page newest first, first and last still name the oldest and newest") {
  Bench b;
  b.room_with_talk();
  b.mam_query("owner@example.com/o", "<flip-page/>");
  REQUIRE(b.reader.queries.size() == 1);
  CHECK(b.reader.queries[0].flip);
  core::ArchivePage page;
  page.messages = {archived(2), archived(1)};  // a reader may flip the page itself ...
  page.complete = true;
  page.first_index = 8;  // ... and index its front, the newest
  b.reader.query_done[0](page);
  const std::string out = b.run_loop();
  auto all = stanzas(out);
  REQUIRE(all.size() == 3);
  CHECK(all[0]->findChild("result")->findAttribute("id") == archived(2).stanza_id);
  CHECK(all[1]->findChild("result")->findAttribute("id") == archived(1).stanza_id);
  CHECK(all[2]->findChild("fin")->findAttribute("complete") == "true");
  CHECK(all[2]->findChild("fin")->findChild("set")->findChild("first")->cdata() == archived(1).stanza_id);
  CHECK(all[2]->findChild("fin")->findChild("set")->findChild("first")->findAttribute("index") == "7");
  CHECK(contains(out, "jid='alice@example.com/a'"));  // the owner is a moderator: real JIDs
}

TEST_CASE("archive requests: a members-only room refuses strangers before the reader is asked, and leaks nothing") {
  Bench b;
  b.room_with_talk();
  b.configure("owner@example.com/o", "<field var='muc#roomconfig_membersonly'><value>1</value></field>");
  Verdict v;
  const std::string out = b.mam_query("stranger@example.com/s", "", &v);
  CHECK(error_of(out) == "forbidden/auth");
  CHECK(v == Verdict::error);
  CHECK_FALSE(contains(out, "words-said-inside"));
  const std::string meta = b.feed(
      "<iq from='stranger@example.com/s' to='room@rooms.test' type='get' id='m'><metadata xmlns='urn:xmpp:mam:2'/></iq>");
  CHECK(error_of(meta) == "forbidden/auth");
  CHECK(b.reader.queries.empty());
  CHECK(b.reader.ends_asked.empty());
  CHECK(error_of(b.mam_query("owner@example.com/o",
                             "<set xmlns='http://jabber.org/protocol/rsm'><after>not-an-id</after></set>")) ==
        "item-not-found/cancel");
  CHECK(error_of(b.feed("<iq from='alice@example.com/a' to='nowhere@rooms.test' type='set' id='n'><query xmlns='urn:xmpp:mam:2'/></iq>")) ==
        "item-not-found/cancel");
  CHECK(b.reader.queries.empty());
}

TEST_CASE("archive requests: the reader's failures become errors, the form is answered at once") {
  Bench b;
  b.room_with_talk();
  for (auto [failure, expected] : {std::pair{core::ArchiveFailure::item_not_found, "item-not-found/cancel"},
                                   std::pair{core::ArchiveFailure::not_caught_up, "resource-constraint/wait"},
                                   std::pair{core::ArchiveFailure::unavailable, "service-unavailable/wait"}}) {
    CAPTURE(expected);
    b.reader.query_done.clear();
    b.mam_query("alice@example.com/a");
    REQUIRE(b.reader.query_done.size() == 1);
    b.reader.query_done[0](failure);
    const std::string out = b.run_loop();
    CHECK(error_of(out) == expected);
    CHECK(contains(out, "id='mq'"));
  }
  CHECK(b.h.archive_failures() == 3);
  const std::string form =
      b.feed("<iq from='alice@example.com/a' to='room@rooms.test' type='get' id='f'><query xmlns='urn:xmpp:mam:2'/></iq>");
  CHECK(contains(form, "type='result'"));
  CHECK(contains(form, "var='after-id'"));
}

TEST_CASE("archive requests: metadata asks the reader for the room's ends up to its current seq") {
  Bench b;
  b.room_with_talk();
  b.feed("<iq from='alice@example.com/a' to='room@rooms.test' type='get' id='m'><metadata xmlns='urn:xmpp:mam:2'/></iq>");
  REQUIRE(b.reader.ends_asked.size() == 1);
  const core::Room* room = b.h.service().find("room@rooms.test");
  CHECK(b.reader.ends_asked[0].first == room->room_id);
  CHECK(b.reader.ends_asked[0].second == static_cast<std::int64_t>(room->seq));
  b.reader.ends_done[0](core::ArchiveEnds{archived(1).stanza_id, 1, archived(9).stanza_id, 9});
  auto reply = xml(b.run_loop());
  CHECK(reply->findAttribute("type") == "result");
  CHECK(reply->findAttribute("id") == "m");
  CHECK(reply->findChild("metadata")->findChild("end")->findAttribute("id") == archived(9).stanza_id);
}

TEST_CASE("archive requests: one asker may have a few requests in flight, not more") {
  Bench b;
  b.room_with_talk();
  for (std::size_t i = 0; i < ArchiveRequests::kMaxInFlightPerAsker; ++i) {
    Verdict v;
    b.mam_query("alice@example.com/a", "", &v);
    CHECK(v == Verdict::handled);
  }
  CHECK(error_of(b.mam_query("alice@example.com/a")) == "resource-constraint/wait");
  Verdict other;
  b.mam_query("owner@example.com/o", "", &other);  // someone else is not held up
  CHECK(other == Verdict::handled);
  b.reader.query_done[0](core::ArchivePage{});
  b.run_loop();
  Verdict again;
  b.mam_query("alice@example.com/a", "", &again);
  CHECK(again == Verdict::handled);
}
