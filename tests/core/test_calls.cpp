// Calls: Jingle P2P sessions, media state (Jingle and presence), screen capture
// and real-time text. Stats: test_calls_stats.cpp; departures: test_calls_leave.cpp.
#include "calls_support.hpp"

using namespace mucstream::core;
using namespace mucstream::core::testing;

TEST_CASE("calls: session-accept from the responder starts a P2P session with the initiator as actor") {
  World w = World::with_alice_and_bob();
  const std::int64_t t = w.now;
  // bob answers alice's session-initiate: the accept goes bob -> alice.
  Decision d = w.run(jingle(kBob, "alice", A::session_accept, "call1", {"video", "bogus", "audio", "video"}));
  REQUIRE(d.ok());
  REQUIRE(types(d) == std::vector{EventType::p2p_session_started});
  const Event& e = d.events[0];
  CHECK(e.actor == session_of(w, "alice"));
  CHECK(e.peer == session_of(w, "bob"));
  const data::P2PSessionStarted want{.sid = "call1", .media = {"audio", "video"}};  // known kinds, once each, fixed order
  CHECK(e.data == EventData(want));
  CHECK(d.deliveries.empty());  // the IQ itself is relayed by xmpp/, untouched
  const P2PSession& p = w.room().p2p.at("call1");
  CHECK(p.initiator == session_of(w, "alice"));
  CHECK(p.responder == session_of(w, "bob"));
  CHECK(p.started_ms == t);
  CHECK(p.media == std::vector<std::string>{"audio", "video"});
  CHECK(w.replay() == w.svc);

  // A retransmitted accept (or anyone reusing a live sid) is relayed but changes nothing.
  Decision again = w.run(jingle(kBob, "alice", A::session_accept, "call1", {"audio"}));
  CHECK(again.ok());
  CHECK(again.events.empty());
  Decision hijack = w.run(jingle(kOwnerJid, "bob", A::session_accept, "call1", {"screen"}));
  CHECK(hijack.ok());
  CHECK(hijack.events.empty());
  CHECK(w.room().p2p.at("call1").initiator == session_of(w, "alice"));

  // A session without RTP contents (e.g. a file transfer) is still a P2P session.
  Decision plain = w.run(jingle(kAlice, "owner", A::session_accept, "ft1"));
  REQUIRE(types(plain) == std::vector{EventType::p2p_session_started});
  CHECK(plain.events[0].actor == session_of(w, "owner"));
  CHECK(plain.events[0].peer == session_of(w, "alice"));
  CHECK(std::get<data::P2PSessionStarted>(plain.events[0].data).media.empty());
  CHECK(w.room().p2p.size() == 2);
}

TEST_CASE("calls: session-terminate ends a live session the sender is a party of, with reason and duration") {
  World w = in_call();
  const std::int64_t started = w.room().p2p.at("call1").started_ms;
  // Not a party: relayed, no event, the call goes on.
  Decision stranger = w.run(terminate(kOwnerJid, "alice", "call1", "success"));
  CHECK(stranger.ok());
  CHECK(stranger.events.empty());
  CHECK(w.room().p2p.contains("call1"));
  // Declined/cancelled before any accept: no call to end, no event, no error.
  Decision declined = w.run(terminate(kAlice, "owner", "never-accepted", "decline"));
  CHECK(declined.ok());
  CHECK(declined.events.empty());

  const std::int64_t t = w.now;
  Decision d = w.run(terminate(kBob, "alice", "call1", "busy"));  // the responder hangs up
  REQUIRE(types(d) == std::vector{EventType::p2p_session_ended});
  CHECK(d.events[0].actor == session_of(w, "bob"));
  CHECK(d.events[0].peer == session_of(w, "alice"));
  const data::P2PSessionEnded want{.sid = "call1", .reason = "busy", .duration_ms = t - started};
  CHECK(d.events[0].data == EventData(want));
  CHECK(w.room().p2p.empty());
  // The other party's terminate crosses it: the call is already over.
  CHECK(w.run(terminate(kAlice, "bob", "call1", "success")).events.empty());
  CHECK(w.replay() == w.svc);
}

TEST_CASE("calls: terminate reasons are Jingle condition names, none means success, others unknown") {
  World w = World::with_alice_and_bob();
  const std::pair<const char*, const char*> cases[] = {
      {"", "success"}, {"failed-transport", "failed-transport"}, {"timeout", "timeout"},
      {"left", "unknown"}, {"<script>", "unknown"}};
  for (const auto& [given, recorded] : cases) {
    CAPTURE(given);
    REQUIRE(w.run(jingle(kBob, "alice", A::session_accept, "s")).events.size() == 1);
    Decision d = w.run(terminate(kAlice, "bob", "s", given));
    REQUIRE(types(d) == std::vector{EventType::p2p_session_ended});
    CHECK(d.events[0].actor == session_of(w, "alice"));  // the initiator hangs up this time
    CHECK(d.events[0].peer == session_of(w, "bob"));
    CHECK(std::get<data::P2PSessionEnded>(d.events[0].data).reason == recorded);
    CHECK(std::get<data::P2PSessionEnded>(d.events[0].data).duration_ms == 1000);
  }
}

TEST_CASE("calls: Jingle that cannot be routed or is malformed is rejected without an event") {
  World w = in_call();
  ObserveJingle no_room = jingle(kBob, "alice", A::session_accept, "x");
  no_room.room = "nowhere@rooms.test";
  check_rejected(w, no_room, ErrorCondition::item_not_found);
  check_rejected(w, jingle("carol@example.com/c", "alice", A::session_accept, "x"), ErrorCondition::not_acceptable);
  check_rejected(w, jingle("alice@example.com/other", "bob", A::session_accept, "x"), ErrorCondition::not_acceptable);
  check_rejected(w, jingle(kBob, "nobody", A::session_accept, "x"), ErrorCondition::item_not_found);
  check_rejected(w, jingle(kBob, "bad\x02", A::session_accept, "x"), ErrorCondition::item_not_found);
  check_rejected(w, jingle(kBob, "bob", A::session_accept, "x"), ErrorCondition::bad_request);  // oneself
  check_rejected(w, jingle(kBob, "alice", A::session_accept, ""), ErrorCondition::bad_request);
  check_rejected(w, jingle(kBob, "alice", A::session_accept, std::string(129, 's')), ErrorCondition::bad_request);
  check_rejected(w, terminate("carol@example.com/c", "alice", "call1"), ErrorCondition::not_acceptable);
  check_rejected(w, mute("carol@example.com/c", "alice", true, "audio"), ErrorCondition::not_acceptable);
  CHECK(w.room().p2p.contains("call1"));
  Decision d = w.run(jingle(kBob, "alice", A::session_accept, std::string(128, 's')));  // the longest sid
  CHECK(types(d) == std::vector{EventType::p2p_session_started});
}

TEST_CASE("calls: a session may be a party of at most 16 live P2P sessions") {
  World w = World::with_alice_and_bob();
  for (int i = 0; i < 16; ++i) REQUIRE(w.run(jingle(kBob, "alice", A::session_accept, "s" + std::to_string(i))).events.size() == 1);
  check_rejected(w, jingle(kBob, "owner", A::session_accept, "s16"), ErrorCondition::resource_constraint);
  check_rejected(w, jingle(kOwnerJid, "alice", A::session_accept, "s16"), ErrorCondition::resource_constraint);
  REQUIRE(w.run(terminate(kBob, "alice", "s0")).events.size() == 1);
  CHECK(w.run(jingle(kBob, "owner", A::session_accept, "s16")).events.size() == 1);
}

TEST_CASE("calls: an occupant with several sessions receives the Jingle IQ at its newest session") {
  World w = World::with_alice_and_bob();
  REQUIRE(w.join("alice@example.com/phone", "alice").ok());
  Decision d = w.run(jingle(kBob, "alice", A::session_accept, "call1"));
  REQUIRE(types(d) == std::vector{EventType::p2p_session_started});
  CHECK(d.events[0].actor == session_of(w, "alice", 1));  // xmpp/ routes IQs to sessions.back()
  // Leaving from the laptop does not touch the phone's call.
  Decision left = w.leave(kAlice);
  CHECK(types(left) == std::vector{EventType::occupant_left});
  CHECK(w.room().p2p.contains("call1"));
  // One occupant is one party: the phone cannot open a session with its own nick.
  check_rejected(w, jingle("alice@example.com/phone", "alice", A::session_accept, "self"), ErrorCondition::bad_request);
}

TEST_CASE("calls: XEP-0167 mute and unmute pause and resume audio and video, only on change") {
  World w = in_call();
  const std::string alice = session_of(w, "alice");
  const data::MediaChange src{.source = "jingle", .sid = "call1"};

  Decision d = w.run(mute(kAlice, "bob", true, "audio"));
  REQUIRE(types(d) == std::vector{EventType::audio_paused});
  CHECK(d.events[0].actor == alice);
  CHECK_FALSE(d.events[0].peer.has_value());
  CHECK(media_change(d.events[0]) == src);
  CHECK(media_of(w, "alice").audio_paused);
  CHECK_FALSE(media_of(w, "alice").video_paused);
  CHECK(w.run(mute(kAlice, "bob", true, "audio")).events.empty());  // no change, no event

  // An empty name mutes both: only video changes.
  CHECK(types(w.run(mute(kAlice, "bob", true, ""))) == std::vector{EventType::video_paused});
  CHECK(types(w.run(mute(kAlice, "bob", false, ""))) ==
        (std::vector{EventType::audio_resumed, EventType::video_resumed}));
  CHECK(w.run(mute(kAlice, "bob", false, "video")).events.empty());
  // A content name mucstream cannot map to a medium: relayed, no event.
  Decision voice = w.run(mute(kAlice, "bob", true, "voice"));
  CHECK(voice.ok());
  CHECK(voice.events.empty());
  CHECK(media_of(w, "alice") == MediaState{});
  // bob's state is his own.
  CHECK(types(w.run(mute(kBob, "alice", true, "video"))) == std::vector{EventType::video_paused});
  CHECK(media_of(w, "bob").video_paused);
  CHECK_FALSE(media_of(w, "alice").video_paused);
  CHECK(w.replay() == w.svc);
}

TEST_CASE("calls: a screen-share content-add starts screen capture, content-remove ends it, only on change") {
  World w = in_call();
  Decision other = w.run(jingle(kAlice, "bob", A::content_add, "call1", {"video"}));
  CHECK(other.ok());
  CHECK(other.events.empty());  // a video content is not a screen share
  Decision d = w.run(jingle(kAlice, "bob", A::content_add, "call1", {"screen"}));
  REQUIRE(types(d) == std::vector{EventType::screencapture_started});
  CHECK(d.events[0].actor == session_of(w, "alice"));
  CHECK(media_change(d.events[0]).source == "jingle");
  CHECK(media_change(d.events[0]).sid == "call1");
  CHECK(media_of(w, "alice").screen_sharing);
  CHECK(w.run(jingle(kAlice, "bob", A::content_add, "call1", {"screen"})).events.empty());
  Decision off = w.run(jingle(kAlice, "bob", A::content_remove, "call1", {"audio", "screen"}));
  REQUIRE(types(off) == std::vector{EventType::screencapture_ended});
  CHECK(off.events[0].actor == session_of(w, "alice"));
  CHECK_FALSE(media_of(w, "alice").screen_sharing);
  CHECK(w.run(jingle(kAlice, "bob", A::content_remove, "call1", {"screen"})).events.empty());
  CHECK(w.replay() == w.svc);
}

TEST_CASE("calls: media announced in presence pauses and resumes, only on change, absent means unchanged") {
  World w = World::with_alice_and_bob();
  const std::string alice = session_of(w, "alice");
  const data::MediaChange src{.source = "presence"};
  AnnounceMedia a{jid(kAlice), kRoom, true, false, std::nullopt};
  Decision d = w.run(a);  // audio muted (a change), video on (as it was)
  REQUIRE(types(d) == std::vector{EventType::audio_paused});
  CHECK(d.events[0].actor == alice);
  CHECK_FALSE(d.events[0].peer.has_value());
  CHECK(media_change(d.events[0]) == src);
  CHECK(d.deliveries.empty());  // the presence itself is broadcast by the presence update path
  CHECK(w.run(a).events.empty());  // every presence repeats the state: no event without a change
  // Not announcing a field is not "off".
  CHECK(w.run(AnnounceMedia{jid(kAlice), kRoom, std::nullopt, std::nullopt, std::nullopt}).events.empty());
  CHECK(media_of(w, "alice").audio_paused);
  Decision all = w.run(AnnounceMedia{jid(kAlice), kRoom, false, true, true});
  CHECK(types(all) ==
        (std::vector{EventType::audio_resumed, EventType::video_paused, EventType::screencapture_started}));
  for (const Event& e : all.events) {
    CHECK(e.actor == alice);
    CHECK(media_change(e) == src);
  }
  CHECK(media_of(w, "alice") == MediaState{false, true, true, false});
  CHECK(types(w.run(AnnounceMedia{jid(kAlice), kRoom, std::nullopt, std::nullopt, false})) ==
        std::vector{EventType::screencapture_ended});
  // Jingle and presence describe the same state: a presence repeating a Jingle mute is silent.
  REQUIRE(w.run(jingle(kBob, "alice", A::session_accept, "call1")).ok());
  CHECK(types(w.run(mute(kBob, "alice", true, "audio"))) == std::vector{EventType::audio_paused});
  CHECK(w.run(AnnounceMedia{jid(kBob), kRoom, true, std::nullopt, std::nullopt}).events.empty());
  check_rejected(w, AnnounceMedia{jid("carol@example.com/c"), kRoom, true, true, true}, ErrorCondition::not_acceptable);
  check_rejected(w, AnnounceMedia{jid(kAlice), "nowhere@rooms.test", true, true, true}, ErrorCondition::item_not_found);
  CHECK(w.replay() == w.svc);
}

TEST_CASE("calls: real-time text is enabled by the first rtt and disabled by cancel, only on change") {
  World w = World::with_alice_and_bob();
  const data::MediaChange src{.source = "rtt"};
  Decision on = w.run(SetRtt{jid(kAlice), kRoom, true});
  REQUIRE(types(on) == std::vector{EventType::rtt_enabled});
  CHECK(on.events[0].actor == session_of(w, "alice"));
  CHECK_FALSE(on.events[0].peer.has_value());
  CHECK(media_change(on.events[0]) == src);
  CHECK(media_of(w, "alice").rtt);
  CHECK(w.run(SetRtt{jid(kAlice), kRoom, true}).events.empty());  // every later <rtt/> edit
  Decision off = w.run(SetRtt{jid(kAlice), kRoom, false});
  REQUIRE(types(off) == std::vector{EventType::rtt_disabled});
  CHECK(media_change(off.events[0]) == src);
  CHECK_FALSE(media_of(w, "alice").rtt);
  CHECK(w.run(SetRtt{jid(kAlice), kRoom, false}).events.empty());
  check_rejected(w, SetRtt{jid("carol@example.com/c"), kRoom, true}, ErrorCondition::not_acceptable);
  check_rejected(w, SetRtt{jid(kAlice), "nowhere@rooms.test", true}, ErrorCondition::item_not_found);
  CHECK(w.replay() == w.svc);
}

TEST_CASE("calls: apply starts a P2P session only under a fresh sid between two present sessions") {
  // The same event types also arrive from talky telemetry; apply must not let them replace
  // a live call or create one whose party can never leave.
  World w = in_call();
  const Service before = w.svc;
  Event forged = w.log.back();  // the p2p_session_started of call1
  REQUIRE(forged.type == EventType::p2p_session_started);
  forged.seq += 1;
  forged.actor = session_of(w, "owner");  // same sid, other parties
  Service s = w.svc;
  apply(s, forged);
  CHECK(s.rooms.at(kRoom).p2p == before.rooms.at(kRoom).p2p);
  std::get<data::P2PSessionStarted>(forged.data).sid = "ghost";
  forged.peer = "no-such-session";
  apply(s, forged);
  CHECK_FALSE(s.rooms.at(kRoom).p2p.contains("ghost"));
  forged.peer = forged.actor;  // a session with itself
  apply(s, forged);
  CHECK_FALSE(s.rooms.at(kRoom).p2p.contains("ghost"));
  forged.peer = session_of(w, "bob");
  apply(s, forged);
  CHECK(s.rooms.at(kRoom).p2p.contains("ghost"));
}
