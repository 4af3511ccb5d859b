// Calls end with their parties: leaving, kick, ban, members-only, destroy and
// shutdown end P2P sessions, screen shares and real-time text before the occupant_left,
// so the log never holds a call whose party is gone. Also: client info on join, room ids
// unique over time.
#include "calls_support.hpp"

#include "core/client_info.hpp"

using namespace mucstream::core;
using namespace mucstream::core::testing;

namespace {

// in_call() plus: alice shares her screen and types with RTT, and bob has a second call
// (call2) with the owner, bob as initiator.
World busy_room() {
  World w = in_call();
  REQUIRE(w.run(jingle(kAlice, "bob", A::content_add, "call1", {"screen"})).events.size() == 1);
  REQUIRE(w.run(SetRtt{jid(kAlice), kRoom, true}).events.size() == 1);
  REQUIRE(w.run(jingle(kOwnerJid, "bob", A::session_accept, "call2", {"audio"})).events.size() == 1);
  return w;
}

data::MediaChange source(const char* s) { return data::MediaChange{.source = s}; }

void check_ended(const Event& e, const std::string& sid, const std::string& actor, const std::string& peer,
                 const std::string& reason, std::int64_t duration) {
  CHECK(e.type == EventType::p2p_session_ended);
  CHECK(e.actor == actor);
  CHECK(e.peer == peer);
  const data::P2PSessionEnded want{.sid = sid, .reason = reason, .duration_ms = duration};
  CHECK(e.data == EventData(want));
}

// Every P2P party is a session in the room (what apply-ability of the log means for calls).
void check_parties_present(const Room& r) {
  for (const auto& [sid, p] : r.p2p) {
    CAPTURE(sid);
    bool initiator = false, responder = false;
    for (const auto& [nick, o] : r.occupants)
      for (const auto& s : o.sessions) {
        initiator |= s.id == p.initiator;
        responder |= s.id == p.responder;
      }
    CHECK(initiator);
    CHECK(responder);
  }
}

}  // namespace

TEST_CASE("leave: a party leaving mid-call ends its calls, RTT and screen share before occupant_left") {
  World w = busy_room();
  const std::string alice = session_of(w, "alice"), bob = session_of(w, "bob"), owner = session_of(w, "owner");
  const std::int64_t call1_start = w.room().p2p.at("call1").started_ms;
  const std::int64_t call2_start = w.room().p2p.at("call2").started_ms;
  const std::int64_t t = w.now;
  Decision d = w.leave(kAlice);
  REQUIRE(d.ok());
  REQUIRE(types(d) == (std::vector{EventType::p2p_session_ended, EventType::rtt_disabled,
                                   EventType::screencapture_ended, EventType::occupant_left}));
  check_ended(d.events[0], "call1", alice, bob, "left", t - call1_start);
  CHECK(d.events[1].actor == alice);
  CHECK(media_change(d.events[1]) == source("left"));
  CHECK(d.events[2].actor == alice);
  CHECK(media_change(d.events[2]) == source("left"));
  CHECK(d.events[3].actor == alice);
  CHECK(std::get<data::OccupantLeft>(d.events[3].data).reason == "left");
  for (std::size_t i = 1; i < d.events.size(); ++i) CHECK(d.events[i].seq == d.events[i - 1].seq + 1);
  // bob's other call goes on.
  CHECK(w.room().p2p.size() == 1);
  CHECK(w.room().p2p.at("call2").initiator == bob);
  check_parties_present(w.room());
  CHECK(w.replay() == w.svc);

  // bob, with no RTT or screen share, leaving ends only call2 (he is its responder).
  const std::int64_t t2 = w.now;
  Decision b = w.leave(kBob);
  REQUIRE(types(b) == (std::vector{EventType::p2p_session_ended, EventType::occupant_left}));
  check_ended(b.events[0], "call2", bob, owner, "left", t2 - call2_start);
  CHECK(w.room().p2p.empty());
  CHECK(w.replay() == w.svc);
}

TEST_CASE("leave: changing nick is not leaving, calls and media state stay") {
  World w = busy_room();
  const Room before = w.room();
  Decision d = w.run(ChangeNick{jid(kAlice), kRoom, "alicia"});
  CHECK(types(d) == std::vector{EventType::nick_changed});
  CHECK(w.room().p2p == before.p2p);
  CHECK(media_of(w, "alicia").screen_sharing);
  CHECK(media_of(w, "alicia").rtt);
  // The renamed party still reports and hangs up.
  Value s = Value::object();
  s.set("rtt_ms", 20);
  CHECK(types(w.run(ReportP2PStats{jid(kAlice), kRoom, "call1", s})) == std::vector{EventType::p2p_session_stats});
  CHECK(types(w.run(terminate(kAlice, "bob", "call1"))) == std::vector{EventType::p2p_session_ended});
  CHECK(w.replay() == w.svc);
}

TEST_CASE("leave: a kicked party's calls end (reason left) before its occupant_left") {
  World w = busy_room();
  const std::string alice = session_of(w, "alice"), bob = session_of(w, "bob"), owner = session_of(w, "owner");
  Decision d = w.run(SetRole{kOwner, kRoom, "bob", Role::none, "Behave"});
  REQUIRE(types(d) ==
          (std::vector{EventType::p2p_session_ended, EventType::p2p_session_ended, EventType::occupant_left}));
  check_ended(d.events[0], "call1", bob, alice, "left", 4000);
  check_ended(d.events[1], "call2", bob, owner, "left", 1000);
  CHECK(std::get<data::OccupantLeft>(d.events[2].data).reason == "kicked");
  CHECK(w.room().p2p.empty());
  CHECK(media_of(w, "alice").screen_sharing);  // alice's own share is hers
  CHECK(w.replay() == w.svc);
}

TEST_CASE("leave: banning a user whose two nicks call each other ends that call once") {
  World w = World::with_alice_and_bob();
  REQUIRE(w.join("alice@example.com/tablet", "alice2").ok());
  REQUIRE(w.run(jingle("alice@example.com/tablet", "alice", A::session_accept, "self-call")).events.size() == 1);
  REQUIRE(w.run(SetRtt{jid("alice@example.com/tablet"), kRoom, true}).events.size() == 1);
  const std::string a1 = session_of(w, "alice"), a2 = session_of(w, "alice2");
  Decision d = w.run(SetAffiliation{kOwner, kRoom, jid("alice@example.com"), Affiliation::outcast, "spam"});
  REQUIRE(types(d) == (std::vector{EventType::affiliation_changed, EventType::p2p_session_ended,
                                   EventType::occupant_left, EventType::rtt_disabled, EventType::occupant_left}));
  check_ended(d.events[1], "self-call", a1, a2, "left", 2000);  // nick order: "alice" leaves first
  CHECK(d.events[3].actor == a2);
  CHECK(media_change(d.events[3]) == source("left"));
  CHECK(w.room().p2p.empty());
  CHECK(w.replay() == w.svc);
}

TEST_CASE("leave: turning members-only on ends the removed non-members' calls") {
  World w = in_call();
  const std::string alice = session_of(w, "alice"), bob = session_of(w, "bob");
  REQUIRE(w.run(SetAffiliation{kOwner, kRoom, jid("alice@example.com"), Affiliation::member, ""}).ok());
  ConfigChange c;
  c.members_only = true;
  Decision d = w.configure(kOwnerJid, c);
  REQUIRE(types(d) ==
          (std::vector{EventType::room_configured, EventType::p2p_session_ended, EventType::occupant_left}));
  check_ended(d.events[1], "call1", bob, alice, "left", 2000);  // bob, the non-member, leaves
  CHECK(d.events[2].actor == bob);
  CHECK(std::get<data::OccupantLeft>(d.events[2].data).reason == "members_only");
  CHECK(w.room().p2p.empty());
  CHECK(w.replay() == w.svc);
}

TEST_CASE("destroy: every live call ends with room_destroyed before anyone leaves") {
  World w = busy_room();
  const std::string alice = session_of(w, "alice"), bob = session_of(w, "bob"), owner = session_of(w, "owner");
  Decision d = w.run(DestroyRoom{kOwner, kRoom, "Meeting over", ""});
  REQUIRE(d.ok());
  REQUIRE(types(d) == (std::vector{EventType::p2p_session_ended, EventType::p2p_session_ended,
                                   EventType::rtt_disabled, EventType::screencapture_ended, EventType::occupant_left,
                                   EventType::occupant_left, EventType::occupant_left, EventType::room_destroyed}));
  // In sid order, actor = initiator, peer = responder.
  check_ended(d.events[0], "call1", alice, bob, "room_destroyed", 4000);
  check_ended(d.events[1], "call2", bob, owner, "room_destroyed", 1000);
  CHECK(d.events[2].actor == alice);
  CHECK(media_change(d.events[2]) == source("room_destroyed"));
  CHECK(d.events[3].actor == alice);
  CHECK(media_change(d.events[3]) == source("room_destroyed"));
  CHECK(d.events[4].actor == alice);
  CHECK(w.svc.find(kRoom) == nullptr);
  CHECK(w.replay() == w.svc);
}

TEST_CASE("shutdown: live calls end with reason shutdown, the persistent room keeps no call state") {
  ConfigChange p;
  p.persistent = true;
  World w = World::with_alice_and_bob(p);
  REQUIRE(w.run(jingle(kBob, "alice", A::session_accept, "call1", {"audio"})).ok());
  REQUIRE(w.run(AnnounceMedia{jid(kBob), kRoom, std::nullopt, std::nullopt, true}).ok());
  const std::string alice = session_of(w, "alice"), bob = session_of(w, "bob");
  Decision d = w.run(Shutdown{});
  REQUIRE(types(d) == (std::vector{EventType::p2p_session_ended, EventType::occupant_left,
                                   EventType::screencapture_ended, EventType::occupant_left,
                                   EventType::occupant_left}));
  check_ended(d.events[0], "call1", alice, bob, "shutdown", 2000);
  CHECK(d.events[2].actor == bob);
  CHECK(media_change(d.events[2]) == source("shutdown"));
  CHECK(w.room().p2p.empty());
  CHECK(w.room().occupants.empty());
  CHECK(w.replay() == w.svc);
}

TEST_CASE("persistent view: P2P sessions and media state do not survive a restart") {
  ConfigChange p;
  p.persistent = true;
  World w = World::with_alice_and_bob(p);
  REQUIRE(w.run(jingle(kBob, "alice", A::session_accept, "call1")).ok());
  REQUIRE(w.run(mute(kAlice, "bob", true, "")).ok());
  const Service kept = persistent_view(w.svc);
  const Room& r = kept.rooms.at(kRoom);
  CHECK(r.p2p.empty());
  CHECK(r.occupants.empty());  // media state lives on sessions, which are gone
  CHECK(r.config == w.room().config);
}

TEST_CASE("client info: known keys only, strings only, capped, type browser or mobile") {
  Value in = Value::object();
  in.set("type", "mobile");
  in.set("os", "Android 14");
  in.set("browser", "Conversations");
  in.set("useragent", std::string(600, 'u'));
  in.set("evil", "x");
  Value want = Value::object();
  want.set("type", "mobile");
  want.set("os", "Android 14");
  want.set("browser", "Conversations");
  want.set("useragent", std::string(512, 'u'));
  CHECK(sanitize_client_info(in) == want);

  Value odd = Value::object();
  odd.set("type", "desktop");        // not talky's vocabulary: dropped
  odd.set("os", 7);                  // not a string: dropped
  odd.set("browser", "");            // empty: dropped
  odd.set("useragent", Value::object());
  CHECK(sanitize_client_info(odd) == Value::object());
  CHECK(sanitize_client_info(Value("browser")) == Value::object());
  CHECK(sanitize_client_info(Value{}) == Value::object());
  // Capping never splits a UTF-8 character: 127 ASCII bytes then a 3-byte character.
  Value utf = Value::object();
  utf.set("os", std::string(127, 'o') + "\xe6\xbc\xa2");
  CHECK(sanitize_client_info(utf).get_string("os") == std::string(127, 'o'));
}

TEST_CASE("client info: a join stores the sanitised info on the session and in occupant_joined") {
  World w;
  w.instant_room();
  Join j;
  j.user = jid(kAlice);
  j.room = kRoom;
  j.nick = "alice";
  j.client = Value::object();
  j.client.set("type", "browser");
  j.client.set("os", "Linux");
  j.client.set("browser", "Firefox");
  j.client.set("useragent", "Mozilla/5.0");
  j.client.set("password", "hunter2");
  Decision d = w.run(j);
  REQUIRE(types(d) == std::vector{EventType::occupant_joined});
  Value want = j.client;
  want.as_object().pop_back();
  CHECK(std::get<data::OccupantJoined>(d.events[0].data).client == want);
  CHECK(w.room().occupant_by_nick("alice")->sessions[0].client == want);
  CHECK(w.replay() == w.svc);
}

TEST_CASE("room ids: a destroyed and re-created room JID gets a new room_id, old events change nothing") {
  World w = in_call();
  const std::string old_id = w.room().room_id;
  const Event old_accept = w.log.back();  // p2p_session_started of the first meeting
  REQUIRE(old_accept.type == EventType::p2p_session_started);
  REQUIRE(w.run(DestroyRoom{kOwner, kRoom, "", ""}).ok());
  const Event old_destroy = w.log.back();
  w.instant_room();
  REQUIRE(w.join(kAlice, "alice").ok());
  const std::string new_id = w.room().room_id;
  CHECK(new_id != old_id);
  for (const Event& e : w.log) CHECK((e.room_id == old_id) != (e.room_id == new_id));
  CHECK(w.log.back().seq == 4);  // the new meeting counts from 1: created, joined, configured, joined

  // Late or redelivered events of the first meeting do not touch the second.
  const Service before = w.svc;
  Service s = w.svc;
  apply(s, old_accept);
  apply(s, old_destroy);
  Event old_join = w.log.front();
  old_join.set_data(data::OccupantJoined{.nick = "owner"});
  apply(s, old_join);
  CHECK(s == before);
  CHECK(w.replay() == w.svc);
}
