// Room snapshots (events/room_snapshot): every room the real core builds from random commands
// reads back equal to itself, derived indexes included; malformed snapshots are refused with
// a message saying where.
#include <doctest/doctest.h>

#include <random>
#include <stdexcept>

#include "events/room_snapshot.hpp"
#include "tests/events/random_rooms.hpp"

using namespace mucstream;
using core::testing::jid;
using core::testing::World;

namespace {

// What the random rooms must have covered, so the round trip is not checked on trivia only.
struct Seen {
  bool p2p = false, media = false, client = false, two_sessions = false, password = false, history = false,
       affiliation_reason = false, subject = false, awaiting = false, locked = false;
  void note(const core::Room& r) {
    p2p |= !r.p2p.empty();
    password |= r.config.password_protected();
    history |= !r.history.empty();
    subject |= !r.subject_nick.empty();
    awaiting |= r.awaiting_configuration;
    locked |= r.locked;
    for (const auto& [j, a] : r.affiliations) affiliation_reason |= !a.reason.empty();
    for (const auto& [n, o] : r.occupants) {
      two_sessions |= o.sessions.size() > 1;
      for (const auto& s : o.sessions) {
        client |= s.client.is_object() && !s.client.as_object().empty();
        media |= s.media != core::MediaState{};
      }
    }
  }
};

}  // namespace

TEST_CASE("room snapshot: decode(encode(room)) == room for rooms built by random commands") {
  Seen seen;
  std::size_t checked = 0;
  for (unsigned seed = 1; seed <= 60; ++seed) {
    CAPTURE(seed);
    testing::RoomGen g{std::mt19937(seed)};
    World w;
    w.cfg.max_history_length = 5;
    for (int step = 0; step < 120; ++step) {
      w.run(g.command(w.svc));
      for (const auto& [rj, r] : w.svc.rooms) {
        CAPTURE(rj);
        const std::string json = events::encode_room(r);
        const core::Room back = events::decode_room(json);
        REQUIRE(back == r);  // nick_by_session_jid included
        CHECK(events::encode_room(back) == json);
        seen.note(r);
        ++checked;
      }
    }
  }
  MESSAGE("rooms checked: ", checked);
  CHECK(seen.p2p);
  CHECK(seen.media);
  CHECK(seen.client);
  CHECK(seen.two_sessions);
  CHECK(seen.password);
  CHECK(seen.history);
  CHECK(seen.affiliation_reason);
  CHECK(seen.subject);
  CHECK(seen.awaiting);
  CHECK(seen.locked);
}

TEST_CASE("room snapshot: a restored service equals the live one, rooms by room id found") {
  World w;
  testing::run_scenario(w, 6, 400, 7);
  core::Service restored;
  for (const auto& [rj, r] : w.svc.rooms) {
    core::Room back = events::decode_room(events::encode_room(r));
    restored.jid_by_room_id[back.room_id] = rj;
    restored.rooms.emplace(rj, std::move(back));
  }
  CHECK(restored == w.svc);
}

TEST_CASE("room snapshot: bad input is refused with where and what") {
  World w = World::with_alice_and_bob();
  const std::string good = events::encode_room(*w.svc.find(core::testing::kRoom));
  auto refused = [](std::string_view json) -> std::string {
    try {
      events::decode_room(json);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "accepted";
  };
  CHECK(refused("").find("malformed JSON") != std::string::npos);
  CHECK(refused(good.substr(0, good.size() / 2)).find("malformed JSON") != std::string::npos);
  CHECK(refused("[]") == "room snapshot: $ is an array, expected an object");
  CHECK(refused(R"({"room_id":"r","seq":1})") == "room snapshot: $.jid is missing");
  CHECK(refused(R"({"jid":"a@b","room_id":"r","seq":-1})") ==
        "room snapshot: $.seq is a number, expected a non-negative integer");
  CHECK(refused(R"({"jid":"a@b","room_id":"r","seq":1,"locked":"yes"})") ==
        "room snapshot: $.locked is a string, expected a boolean");
  CHECK(refused(R"({"jid":"a@b","room_id":"r","seq":1,"occupants":[{"nick":"x","role":"king","sessions":[]}]})") ==
        "room snapshot: $.occupants[0].role is an unknown role \"king\"");
  CHECK(refused(R"({"jid":"a@b","room_id":"r","seq":1,"occupants":[{"nick":"x","role":"participant","sessions":[{"id":1}]}]})") ==
        "room snapshot: $.occupants[0].sessions[0].id is a number, expected a string");
  CHECK(refused(R"({"jid":"a@b","room_id":"r","seq":1,"affiliations":{"x@y":{"affiliation":"boss"}}})") ==
        "room snapshot: $.affiliations[\"x@y\"].affiliation is an unknown affiliation \"boss\"");
  CHECK(refused(R"({"v":99,"jid":"a@b","room_id":"r","seq":1})").find("newer") != std::string::npos);
  // The minimal snapshot reads: a room with defaults.
  const core::Room minimal = events::decode_room(R"({"jid":"a@b","room_id":"r","seq":3})");
  CHECK(minimal.jid == "a@b");
  CHECK(minimal.seq == 3);
  CHECK(minimal.config == core::RoomConfig{});
}
