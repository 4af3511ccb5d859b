// P2P stats: a party of a live P2P session reports figures; they are validated
// and stored as p2p_session_stats, and nonsense is refused with the field named.
#include "calls_support.hpp"

using namespace mucstream::core;
using namespace mucstream::core::testing;

namespace {

ReportP2PStats stats(std::string_view from, std::string sid, Value v) {
  return ReportP2PStats{jid(from), kRoom, std::move(sid), std::move(v)};
}

Value full_report() {
  Value s = Value::object();
  s.set("rtt_ms", 42);
  s.set("jitter_ms", 3.5);
  s.set("packet_loss", "0.02");  // numbers may arrive as text (XML attributes)
  s.set("bitrate_in", 1'200'000);
  s.set("bitrate_out", "800000");
  s.set("resolution", "1280x720");
  s.set("fps", 30);
  s.set("local_candidate_type", "host");
  s.set("remote_candidate_type", "relay");
  s.set("codec", "VP8");  // unknown: dropped
  return s;
}

}  // namespace

TEST_CASE("stats: a party's report becomes p2p_session_stats with the validated figures") {
  World w = in_call();
  const Service before = w.svc;
  Decision d = w.run(stats(kBob, "call1", full_report()));
  REQUIRE(d.ok());
  REQUIRE(types(d) == std::vector{EventType::p2p_session_stats});
  CHECK(d.events[0].actor == session_of(w, "bob"));
  CHECK(d.events[0].peer == session_of(w, "alice"));
  Value want = Value::object();
  want.set("rtt_ms", 42);
  want.set("jitter_ms", 3.5);
  want.set("packet_loss", 0.02);
  want.set("bitrate_in", 1'200'000);
  want.set("bitrate_out", 800'000);  // whole numbers are stored as integers
  want.set("fps", 30);
  want.set("resolution", "1280x720");
  want.set("local_candidate_type", "host");
  want.set("remote_candidate_type", "relay");
  CHECK(d.events[0].data == EventData(data::P2PSessionStats{.sid = "call1", .figures = want}));
  CHECK(d.deliveries.empty());
  CHECK(w.svc.rooms.at(kRoom).p2p == before.rooms.at(kRoom).p2p);  // stats are records, not state
  CHECK(w.svc.rooms.at(kRoom).occupants == before.rooms.at(kRoom).occupants);

  // The initiator reports too; width/height is the other way to give a resolution.
  Value s = Value::object();
  s.set("width", 640);
  s.set("height", "480");
  s.set("packet_loss", 0);
  Decision a = w.run(stats(kAlice, "call1", s));
  REQUIRE(types(a) == std::vector{EventType::p2p_session_stats});
  CHECK(a.events[0].actor == session_of(w, "alice"));
  CHECK(a.events[0].peer == session_of(w, "bob"));
  Value want_a = Value::object();
  want_a.set("packet_loss", 0);
  want_a.set("resolution", "640x480");
  CHECK(a.events[0].data == EventData(data::P2PSessionStats{.sid = "call1", .figures = want_a}));
  CHECK(w.replay() == w.svc);
}

TEST_CASE("stats: unknown sid, strangers and non-occupants are refused without an event") {
  World w = in_call();
  check_rejected(w, stats(kBob, "nope", full_report()), ErrorCondition::item_not_found);
  check_rejected(w, stats(kOwnerJid, "call1", full_report()), ErrorCondition::forbidden);
  check_rejected(w, stats("carol@example.com/c", "call1", full_report()), ErrorCondition::not_acceptable);
  ReportP2PStats elsewhere = stats(kBob, "call1", full_report());
  elsewhere.room = "nowhere@rooms.test";
  check_rejected(w, elsewhere, ErrorCondition::item_not_found);
  // An ended session takes no more stats.
  REQUIRE(w.run(terminate(kAlice, "bob", "call1")).events.size() == 1);
  check_rejected(w, stats(kBob, "call1", full_report()), ErrorCondition::item_not_found);
}

TEST_CASE("stats: nonsense values are bad-request naming the field, limits included") {
  World w = in_call();
  struct Case {
    const char* key;
    Value value;
    bool ok;
  };
  const Case cases[] = {
      {"rtt_ms", -1, false},           {"rtt_ms", 600000, true},       {"rtt_ms", 600001, false},
      {"rtt_ms", "fast", false},       {"rtt_ms", true, false},        {"rtt_ms", "nan", false},
      {"rtt_ms", "inf", false},        {"rtt_ms", "12ms", false},      {"jitter_ms", -0.5, false},
      {"packet_loss", 1, true},        {"packet_loss", 1.5, false},    {"packet_loss", 5, false},  // not percent
      {"bitrate_in", -1, false},       {"bitrate_out", 1e12, false},   {"bitrate_out", 0, true},
      {"fps", 240, true},              {"fps", 241, false},            {"fps", 29.97, true},
      {"resolution", "1920x1080", true}, {"resolution", "1920", false}, {"resolution", "0x0", false},
      {"resolution", "20000x10", false}, {"resolution", "19.5x10", false}, {"resolution", 1080, false},
      {"local_candidate_type", "relay", true}, {"local_candidate_type", "turn", false},
      {"remote_candidate_type", "srflx", true}, {"remote_candidate_type", "prflx", true},
      {"remote_candidate_type", 1, false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.key);
    CAPTURE(c.ok);
    Value s = Value::object();
    s.set(c.key, c.value);
    if (c.ok) {
      Decision d = w.run(stats(kBob, "call1", s));
      REQUIRE(types(d) == std::vector{EventType::p2p_session_stats});
      CHECK(std::get<data::P2PSessionStats>(d.events[0].data).figures.find(c.key) != nullptr);
      continue;
    }
    const Service before = w.svc;
    Decision d = w.run(stats(kBob, "call1", s));
    REQUIRE(condition(d) == ErrorCondition::bad_request);
    CHECK(d.error->text.find(c.key) != std::string::npos);  // the client learns which field
    CHECK(d.events.empty());
    CHECK(w.svc == before);
  }
  // A lone width, a report without known fields, or no object at all.
  Value lone = Value::object();
  lone.set("width", 640);
  Decision d = w.run(stats(kBob, "call1", lone));
  CHECK(condition(d) == ErrorCondition::bad_request);
  CHECK(d.error->text.find("height") != std::string::npos);
  Value unknown = Value::object();
  unknown.set("codec", "VP8");
  CHECK(condition(w.run(stats(kBob, "call1", unknown))) == ErrorCondition::bad_request);
  CHECK(condition(w.run(stats(kBob, "call1", Value::object()))) == ErrorCondition::bad_request);
  CHECK(condition(w.run(stats(kBob, "call1", Value("rtt=5")))) == ErrorCondition::bad_request);
  // One bad field spoils the whole report: nothing half-stored.
  Value mixed = full_report();
  mixed.set("fps", 1000);
  Decision m = w.run(stats(kBob, "call1", mixed));
  CHECK(condition(m) == ErrorCondition::bad_request);
  CHECK(m.events.empty());
}
