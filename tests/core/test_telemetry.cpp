// Talky-style client telemetry: decide_client_report accepts a report about a live session
// of a live room (and a peer session of the same room), in the client vocabulary, with a
// bounded data object; media-state reports change MediaState only on change.
#include "core/telemetry.hpp"

#include "support.hpp"

using namespace mucstream::core;
using namespace mucstream::core::testing;

namespace {

std::string session_of(const World& w, const std::string& nick) {
  const Occupant* o = w.room().occupant_by_nick(nick);
  REQUIRE(o != nullptr);
  return o->sessions.at(0).id;
}

ClientReport report(const World& w, EventType type, const std::string& from, std::optional<std::string> peer = {},
                    Value data = Value::object()) {
  ClientReport c;
  c.room_id = w.room().room_id;
  c.session = session_of(w, from);
  if (peer) c.peer = session_of(w, *peer);
  c.type = type;
  c.data = std::move(data);
  return c;
}

Value stats() {
  Value v = Value::object();
  v.set("sid", "s1");
  v.set("name", "ice-connected");
  v.set("connectTime", 412);
  v.set("localCandidateType", "srflx");
  return v;
}

}  // namespace

TEST_CASE("telemetry: a client report becomes one event with actor, peer, data and the next seq") {
  World w = World::with_alice_and_bob();
  const std::uint64_t seq = w.room().seq;
  Decision d = w.run(report(w, EventType::peer_session_stats, "alice", "bob", stats()));
  REQUIRE(d.ok());
  REQUIRE(d.events.size() == 1);
  const Event& e = d.events[0];
  CHECK(e.type == EventType::peer_session_stats);
  CHECK(e.room == kRoom);
  CHECK(e.room_id == w.room().room_id);
  CHECK(e.seq == seq + 1);
  CHECK(e.actor == session_of(w, "alice"));
  CHECK(e.peer == session_of(w, "bob"));
  CHECK(e.data == EventData(data::PeerSessionStats{{.fields = stats()}}));
  CHECK(d.deliveries.empty());  // nobody in the room is told: it is a record, not a stanza
  CHECK(w.room().seq == seq + 1);
  // Without a peer: started_speaking is about the reporter alone.
  Decision s = w.run(report(w, EventType::started_speaking, "bob"));
  REQUIRE(s.ok());
  CHECK(s.events.at(0).actor == session_of(w, "bob"));
  CHECK_FALSE(s.events.at(0).peer.has_value());
}

TEST_CASE("telemetry: every type of talky's client vocabulary is accepted") {
  World w = World::with_alice_and_bob();
  for (EventType t : {EventType::started_speaking, EventType::stopped_speaking, EventType::peer_stream_added,
                      EventType::peer_stream_removed, EventType::peer_session_added, EventType::peer_session_removed,
                      EventType::peer_session_connection_state, EventType::peer_session_stats,
                      EventType::peer_session_ice_stats, EventType::ice_usage}) {
    CAPTURE(to_string(t));
    CHECK(client_reportable(t));
    Decision d = w.run(report(w, t, "alice", "bob"));
    REQUIRE(d.ok());
    CHECK(types(d) == std::vector{t});
  }
}

TEST_CASE("telemetry: what the room service records itself is not client-reportable") {
  World w = World::with_alice_and_bob();
  for (EventType t : {EventType::room_created, EventType::room_destroyed, EventType::room_locked,
                      EventType::room_unlocked, EventType::occupant_joined, EventType::occupant_left,
                      EventType::message_sent, EventType::p2p_session_started, EventType::p2p_session_ended,
                      EventType::p2p_session_stats, EventType::rtt_enabled, EventType::rtt_disabled,
                      EventType::room_configured, EventType::affiliation_changed, EventType::role_changed,
                      EventType::subject_changed, EventType::nick_changed, EventType::private_message_sent}) {
    CAPTURE(to_string(t));
    CHECK_FALSE(client_reportable(t));
    CHECK(condition(w.run(report(w, t, "alice"))) == ErrorCondition::forbidden);
  }
  CHECK(w.log.size() == 5);  // created, 3 joins, configured: nothing from the refusals
}

TEST_CASE("telemetry: the room must be live and the session and peer in it") {
  World w = World::with_alice_and_bob();
  ClientReport c = report(w, EventType::peer_session_added, "alice", "bob");

  ClientReport unknown_room = c;
  unknown_room.room_id = "00000000-0000-7000-8000-000000000000";
  CHECK(condition(w.run(unknown_room)) == ErrorCondition::item_not_found);

  ClientReport stranger = c;
  stranger.session = "00000000-0000-7000-8000-0000000000ff";
  CHECK(condition(w.run(stranger)) == ErrorCondition::forbidden);

  ClientReport ghost_peer = c;
  ghost_peer.peer = "00000000-0000-7000-8000-0000000000ff";
  CHECK(condition(w.run(ghost_peer)) == ErrorCondition::bad_request);

  ClientReport self_peer = c;
  self_peer.peer = c.session;
  CHECK(condition(w.run(self_peer)) == ErrorCondition::bad_request);

  // A session of another room is not a peer here, nor may it report into this room.
  REQUIRE(w.join("carol@example.com/c", "carol", {}, "other@rooms.test").ok());
  const std::string carol = w.room("other@rooms.test").occupant_by_nick("carol")->sessions[0].id;
  ClientReport cross_peer = c;
  cross_peer.peer = carol;
  CHECK(condition(w.run(cross_peer)) == ErrorCondition::bad_request);
  ClientReport cross_session = c;
  cross_session.session = carol;
  cross_session.peer.reset();
  CHECK(condition(w.run(cross_session)) == ErrorCondition::forbidden);

  // Bob leaves: his session is gone, as a reporter and as a peer.
  const std::string bob = session_of(w, "bob");
  REQUIRE(w.leave("bob@example.com/b").ok());
  CHECK(condition(w.run(c)) == ErrorCondition::bad_request);
  ClientReport from_bob = c;
  from_bob.session = bob;
  from_bob.peer.reset();
  CHECK(condition(w.run(from_bob)) == ErrorCondition::forbidden);

  // The room is destroyed and created again under the same JID: the old id is dead.
  const std::string old_id = w.room().room_id;
  REQUIRE(w.run(DestroyRoom{kOwner, kRoom, "", ""}).ok());
  w.instant_room();
  ClientReport stale = report(w, EventType::started_speaking, "owner");
  stale.room_id = old_id;
  CHECK(condition(w.run(stale)) == ErrorCondition::item_not_found);
  CHECK(w.run(report(w, EventType::started_speaking, "owner")).ok());
}

TEST_CASE("telemetry: data must be an object, at most 8 KiB and 8 levels deep") {
  World w = World::with_alice_and_bob();
  CHECK(condition(w.run(report(w, EventType::ice_usage, "alice", {}, Value("text")))) == ErrorCondition::bad_request);
  CHECK(condition(w.run(report(w, EventType::ice_usage, "alice", {}, Value::array()))) == ErrorCondition::bad_request);

  Value big = Value::object();
  big.set("blob", std::string(kClientDataMaxBytes - 11, 'x'));  // {"blob":"…"} = 8192 bytes
  CHECK(json_size(big) == kClientDataMaxBytes);
  CHECK(w.run(report(w, EventType::ice_usage, "alice", {}, big)).ok());
  big.set("blob", std::string(kClientDataMaxBytes - 10, 'x'));
  CHECK(condition(w.run(report(w, EventType::ice_usage, "alice", {}, big))) == ErrorCondition::bad_request);
  Value quotes = Value::object();  // escapes count: 3000 quotes are 6000 bytes of JSON
  quotes.set("q", std::string(3000, '"'));
  quotes.set("r", std::string(3000, '\n'));
  CHECK(json_size(quotes) > kClientDataMaxBytes);
  CHECK(condition(w.run(report(w, EventType::ice_usage, "alice", {}, quotes))) == ErrorCondition::bad_request);

  // Depth: {"a":{"a":…}} with 8 objects passes, 9 do not.
  auto nested = [](int levels) {
    Value v = Value::object();
    for (int i = 1; i < levels; ++i) {
      Value outer = Value::object();
      outer.set("a", std::move(v));
      v = std::move(outer);
    }
    return v;
  };
  CHECK(json_depth(nested(8)) == 8);
  CHECK(w.run(report(w, EventType::ice_usage, "alice", {}, nested(8))).ok());
  CHECK(condition(w.run(report(w, EventType::ice_usage, "alice", {}, nested(9)))) == ErrorCondition::bad_request);
}

TEST_CASE("telemetry: media state reports set the session's MediaState and are emitted only on change") {
  World w = World::with_alice_and_bob();
  auto media = [&](const std::string& nick) { return w.room().occupant_by_nick(nick)->sessions.at(0).media; };
  CHECK(types(w.run(report(w, EventType::audio_paused, "alice"))) == std::vector{EventType::audio_paused});
  CHECK(media("alice").audio_paused);
  CHECK_FALSE(media("bob").audio_paused);
  Decision again = w.run(report(w, EventType::audio_paused, "alice"));
  CHECK(again.ok());
  CHECK(again.events.empty());  // already paused: accepted, nothing new to record
  CHECK(w.run(report(w, EventType::audio_resumed, "bob")).events.empty());  // never paused
  CHECK(types(w.run(report(w, EventType::audio_resumed, "alice"))) == std::vector{EventType::audio_resumed});
  CHECK_FALSE(media("alice").audio_paused);

  CHECK(types(w.run(report(w, EventType::video_paused, "bob"))) == std::vector{EventType::video_paused});
  CHECK(types(w.run(report(w, EventType::screencapture_started, "bob"))) ==
        std::vector{EventType::screencapture_started});
  CHECK(w.run(report(w, EventType::screencapture_started, "bob")).events.empty());
  CHECK(media("bob") == MediaState{false, true, true, false});
  CHECK(types(w.run(report(w, EventType::screencapture_ended, "bob"))) == std::vector{EventType::screencapture_ended});
  CHECK(types(w.run(report(w, EventType::video_resumed, "bob"))) == std::vector{EventType::video_resumed});
  CHECK(media("bob") == MediaState{});
  CHECK(w.run(report(w, EventType::video_paused, "alice")).ok());

  // Event-sourced: replaying the log rebuilds the same rooms, media state included.
  CHECK(w.replay() == w.svc);
}

TEST_CASE("telemetry: json_size is the compact JSON length") {
  Value v = Value::object();
  v.set("n", Value{});
  v.set("t", true);
  v.set("f", false);
  v.set("i", -42);
  v.set("s", "a\"b\\c\x01");
  Value a = Value::array();
  a.as_array().push_back(1);
  a.as_array().push_back("x");
  v.set("a", a);
  // {"n":null,"t":true,"f":false,"i":-42,"s":"a\"b\\c\u0001","a":[1,"x"]}
  CHECK(json_size(v) == std::string(R"({"n":null,"t":true,"f":false,"i":-42,"s":"a\"b\\c\u0001","a":[1,"x"]})").size());
  CHECK(json_size(Value::object()) == 2);
  CHECK(json_depth(Value(1)) == 0);
  CHECK(json_depth(Value::array()) == 1);
}

TEST_CASE("telemetry: rooms are found by id through an index that replay and restarts rebuild") {
  World w;
  ConfigChange p;
  p.persistent = true;
  w.instant_room("owner@example.com/desk", "owner", p);
  const std::string id = w.room().room_id;
  CHECK(w.svc.find_by_id(id) == w.svc.find(kRoom));
  CHECK(w.svc.find_by_id("no-such-id") == nullptr);
  // What a restart restores (persistent rooms without occupants) still finds it by id.
  const Service restored = persistent_view(w.svc);
  REQUIRE(restored.find_by_id(id) != nullptr);
  CHECK(restored.find_by_id(id)->jid == kRoom);
  // Destroyed and created again: the new id finds the new room, the old id nothing.
  REQUIRE(w.run(DestroyRoom{kOwner, kRoom, "", ""}).ok());
  CHECK(w.svc.find_by_id(id) == nullptr);
  w.instant_room();
  CHECK(w.svc.find_by_id(w.room().room_id) == w.svc.find(kRoom));
  CHECK(w.svc.find_by_id(id) == nullptr);
  CHECK(w.svc.jid_by_room_id.size() == 1);
  CHECK(w.replay() == w.svc);
}

TEST_CASE("telemetry: one media state per session, whichever channel reports it") {
  World w = World::with_alice_and_bob();
  AnnounceMedia muted;
  muted.user = jid("alice@example.com/a");
  muted.room = kRoom;
  muted.audio_paused = true;
  Decision by_presence = w.run(muted);
  REQUIRE(by_presence.ok());
  CHECK(types(by_presence) == std::vector{EventType::audio_paused});
  // The client reports the same mute over HTTP: already paused, nothing recorded.
  Decision by_http = w.run(report(w, EventType::audio_paused, "alice"));
  CHECK(by_http.ok());
  CHECK(by_http.events.empty());
  // It unmutes over HTTP: recorded, marked as telemetry, and presence then agrees.
  Value note = Value::object();
  note.set("trackId", "mic-1");
  Decision unmute = w.run(report(w, EventType::audio_resumed, "alice", {}, note));
  REQUIRE(types(unmute) == std::vector{EventType::audio_resumed});
  const auto& resumed = std::get<data::AudioResumed>(unmute.events[0].data);
  CHECK(resumed.source == "telemetry");
  CHECK(resumed.extra.get_string("trackId") == "mic-1");
  muted.audio_paused = false;
  CHECK(w.run(muted).events.empty());
  CHECK(w.replay() == w.svc);
}
