// The wire envelope: what goes out decodes to the same event; what is wrong is refused
// with a reason a person can act on; nothing crashes the decoder.
#include <random>

#include "events/envelope.hpp"
#include "tests/events/scenario.hpp"

using namespace mucstream;
using namespace mucstream::events;

namespace {
core::Event sample() {
  core::Event e;
  e.id = "019a8f2e-1c2d-7abc-8def-0123456789ab";
  e.room = "chat@rooms.example.org";
  e.room_id = "019a8f2e-1c2d-7000-8000-000000000001";
  e.seq = 7;
  e.actor = "019a8f2e-1c2d-7000-8000-000000000002";
  e.time_ms = 1763780645123;  // 2025-11-22T03:04:05.123Z
  core::data::OccupantJoined j;
  j.nick = "ann";
  j.jid = "ann@example.org/web";
  j.bare_jid = "ann@example.org";
  j.occupant_id = "0a1b";
  j.client.set("type", "browser");
  e.set_data(std::move(j));
  return e;
}

// A client-reported type: its data is stored as reported, every JSON type included.
core::Event open_sample() {
  core::Event e = sample();
  core::Value v = core::Value::object();
  v.set("nick", "ann");
  v.set("n", 42);
  v.set("x", 1.5);
  v.set("ok", true);
  v.set("none", nullptr);
  v.set("list", core::Value::Array{core::Value("a"), core::Value(2)});
  e.set_data(core::client_data(core::EventType::peer_session_stats, std::move(v)));
  return e;
}
}  // namespace

TEST_CASE("envelope: the wire form is the documented JSON") {
  CHECK(encode(sample()) ==
        R"({"v":1,"id":"019a8f2e-1c2d-7abc-8def-0123456789ab","type":"occupant_joined",)"
        R"("room":"chat@rooms.example.org","room_id":"019a8f2e-1c2d-7000-8000-000000000001","seq":7,)"
        R"("actor":"019a8f2e-1c2d-7000-8000-000000000002","peer":null,"time":"2025-11-22T03:04:05.123Z",)"
        R"("data":{"nick":"ann","jid":"ann@example.org/web","bare_jid":"ann@example.org","role":"participant",)"
        R"("affiliation":"none","occupant_id":"0a1b","client":{"type":"browser"}}})");
  CHECK(encode(open_sample()) ==
        R"({"v":1,"id":"019a8f2e-1c2d-7abc-8def-0123456789ab","type":"peer_session_stats",)"
        R"("room":"chat@rooms.example.org","room_id":"019a8f2e-1c2d-7000-8000-000000000001","seq":7,)"
        R"("actor":"019a8f2e-1c2d-7000-8000-000000000002","peer":null,"time":"2025-11-22T03:04:05.123Z",)"
        R"("data":{"nick":"ann","n":42,"x":1.5,"ok":true,"none":null,"list":["a",2]}})");
}

TEST_CASE("envelope: every event of a realistic session round-trips exactly") {
  testing::World w;
  testing::run_scenario(w, 4, 300, 7);
  REQUIRE(w.log.size() > 100);
  for (const core::Event& e : w.log) {
    const std::string json = encode(e);
    Decoded d = decode(json);
    REQUIRE_MESSAGE(d, d.error, " in ", json);
    CHECK(*d.event == e);
  }
  core::Event p = open_sample();
  p.peer = "019a8f2e-1c2d-7000-8000-000000000003";
  auto& fields = std::get<core::data::PeerSessionStats>(p.data).fields;
  fields.set("pi", 3.141592653589793);
  fields.set("big", std::int64_t{9007199254740993});
  Decoded d = decode(encode(p));
  REQUIRE(d);
  CHECK(*d.event == p);
}

TEST_CASE("envelope: refused input says why") {
  const std::string good = encode(open_sample());
  auto with = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    const auto at = s.find(from);
    REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
  };
  struct Case {
    std::string input, reason;
  };
  const Case cases[] = {
      {"", "malformed JSON"},
      {"{\"v\":1,", "malformed JSON"},
      {good + "x", "malformed JSON"},
      {"[1,2]", "envelope is an array, not an object"},
      {with("\"v\":1,", ""), "missing field 'v'"},
      {with("\"v\":1", "\"v\":2"), "unsupported schema version 2"},
      {with("\"v\":1", "\"v\":\"1\""), "field 'v' is a string, expected an integer"},
      {with("\"id\":\"019a8f2e-1c2d-7abc-8def-0123456789ab\"", "\"id\":\"nope\""), "field 'id' is not a UUID"},
      {with("\"id\":\"019a8f2e-1c2d-7abc-8def-0123456789ab\"", "\"id\":5"), "field 'id' is a number, expected a string"},
      {with("peer_session_stats", "peer_session_danced"), "unknown event type 'peer_session_danced'"},
      {with("\"room\":\"chat@rooms.example.org\"", "\"room\":\"\""), "field 'room' is empty"},
      {with("\"seq\":7", "\"seq\":0"), "field 'seq' must be a positive integer"},
      {with("\"seq\":7", "\"seq\":\"7\""), "field 'seq' must be a positive integer"},
      {with("\"seq\":7", "\"seq\":-3"), "field 'seq' must be a positive integer"},
      {with("\"actor\":\"019a8f2e-1c2d-7000-8000-000000000002\"", "\"actor\":\"ann\""), "field 'actor' is neither"},
      {with("\"peer\":null", "\"peer\":7"), "field 'peer' is a number"},
      {with("2025-11-22T03:04:05.123Z", "yesterday"), "field 'time' is not an RFC 3339"},
      {with("2025-11-22T03:04:05.123Z", "2025-02-30T03:04:05.123Z"), "field 'time' is not an RFC 3339"},
      {with("\"data\":{", "\"data\":[{"), "malformed JSON"},
      {with("\"data\":{\"nick\":\"ann\",\"n\":42,\"x\":1.5,\"ok\":true,\"none\":null,\"list\":[\"a\",2]}", "\"data\":[]"),
       "field 'data' is an array, expected an object"},
      {with("\"nick\":\"ann\"", "\"nick\":\"a\\u0000n\""), "string with a NUL character at data.nick"},
      {with("\"nick\":\"ann\"", "\"nick\":\"\xff\xfe\""), "malformed JSON"},
      {with("\"nick\":\"ann\"", "\"nick\":" + std::string(100, '[') + std::string(100, ']')), "nested deeper than 64"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.input);
    Decoded d = decode(c.input);
    CHECK_FALSE(d);
    CHECK_MESSAGE(d.error.find(c.reason) != std::string::npos, "got: ", d.error);
  }
}

TEST_CASE("envelope: fuzzed input never crashes and what is accepted re-encodes consistently") {
  testing::World w;
  testing::run_scenario(w, 2, 60, 11);
  std::mt19937 rng(20261122);
  std::size_t accepted = 0, refused = 0;
  const char noise[] = "{}[]\":,0123456789-.eE+tfnul\\\x00\x01\xc3\xa9\xff ";
  for (int i = 0; i < 30000; ++i) {
    std::string s = encode(w.log[rng() % w.log.size()]);
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits; ++k) {
      const std::size_t at = rng() % (s.size() + 1);
      switch (rng() % 4) {
        case 0: if (at < s.size()) s[at] = noise[rng() % (sizeof noise - 1)]; break;
        case 1: s.insert(at, 1, noise[rng() % (sizeof noise - 1)]); break;
        case 2: if (at < s.size()) s.erase(at, 1 + rng() % 8); break;
        default: s.resize(at); break;
      }
    }
    Decoded d = decode(s);
    if (d) {
      ++accepted;
      Decoded again = decode(encode(*d.event));
      REQUIRE(again);
      CHECK(*again.event == *d.event);
    } else {
      ++refused;
      CHECK_FALSE(d.error.empty());
    }
  }
  MESSAGE("fuzz: accepted ", accepted, " refused ", refused);
  CHECK(refused > 10000);
}

TEST_CASE("envelope: RFC 3339 times") {
  CHECK(format_time(0) == "1970-01-01T00:00:00.000Z");
  CHECK(format_time(951782400000) == "2000-02-29T00:00:00.000Z");
  CHECK(format_time(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(parse_time("2000-02-29T00:00:00.000Z") == 951782400000);
  CHECK(parse_time("2000-02-29T01:30:00.5+01:30") == 951782400500);
  CHECK(parse_time("1970-01-01T00:00:00Z") == 0);
  CHECK_FALSE(parse_time("2001-02-29T00:00:00Z"));
  CHECK_FALSE(parse_time("2001-01-01T24:00:00Z"));
  CHECK_FALSE(parse_time("2001-01-01T00:00:00"));
  CHECK_FALSE(parse_time("2001-01-01T00:00:00.Z"));
  for (std::int64_t t : {std::int64_t{1763780645123}, std::int64_t{-62135596800000}, std::int64_t{253402300799999}})
    CHECK(parse_time(format_time(t)) == t);
}
