// Room reports of calls that WebRTC clients reported over HTTP telemetry (talky's
// peer_session_added/removed, peer_session_connection_state, peer_stream_added), alone and
// together with what the room observed in Jingle. Times are seconds after T0.
#include <doctest/doctest.h>

#include "core/room_report.hpp"
#include "report_support.hpp"

using namespace mucstream::core;
using namespace mucstream::core::report_testing;

namespace {

Value fields(std::initializer_list<std::pair<const char*, Value>> kv) {
  Value v = Value::object();
  for (const auto& [k, x] : kv) v.set(k, x);
  return v;
}

// ann and bob call each other and only their clients say so: both report the peer session
// (each from its side), ann's client reports the streams, bob hangs up, then ann's client
// says the same.
Timeline telemetry_call() {
  Timeline t;
  t.created(0);
  t.join(0, "a1", "ann");
  t.join(10, "b1", "bob");
  t.client(20, EventType::peer_session_added, "a1", fields({{"sid", "j1"}, {"isInitiator", true}}), "b1");
  t.client(21, EventType::peer_session_added, "b1", fields({{"sid", "j1"}, {"isInitiator", false}}), "a1");
  t.client(22, EventType::peer_stream_added, "a1", fields({{"sid", "j1"}, {"video", true}, {"audio", true}}), "b1");
  t.client(23, EventType::peer_session_connection_state, "a1",
           fields({{"sid", "j1"}, {"connectionState", "connected"}}), "b1");
  t.client(80, EventType::peer_session_removed, "b1", fields({{"sid", "j1"}}), "a1");
  t.client(81, EventType::peer_session_removed, "a1", fields({{"sid", "j1"}}), "b1");
  return t;
}

}  // namespace

TEST_CASE("room report: a call only the clients' telemetry reported is a P2P session of the report") {
  const Value r = to_value(telemetry_call().fold_all());
  const Value& p2p = at(r, "p2p");
  CHECK(num(p2p, "count") == 1);  // both parties reported it: one session
  CHECK(num(p2p, "completed") == 1);
  CHECK(num(p2p, "total_ms") == s(60));
  const Value& c = call(r, "j1");
  CHECK(c.get_string("initiator") == "a1");
  CHECK(c.get_string("responder") == "b1");
  CHECK(c.get_string("source") == "telemetry");
  CHECK(c.get_string("reason") == "removed");
  CHECK(c.get_string("outcome") == "completed");
  CHECK(num(c, "started_ms") == T0 + s(20));
  CHECK(num(c, "ended_ms") == T0 + s(80));  // the first hang-up ends it; ann's later word changes nothing
  CHECK(at(c, "media").as_array() == Value::Array{Value("audio"), Value("video")});
}

TEST_CASE("room report: reported connection states make telemetry calls failed or interrupted") {
  Timeline t;
  t.created(0);
  t.join(0, "a1", "ann");
  t.join(0, "b1", "bob");
  t.join(0, "c1", "carol");
  // ICE failed, then the client removed the session: failed although it lasted 30 s.
  t.client(10, EventType::peer_session_added, "a1", fields({{"sid", "f1"}}), "b1");
  t.client(20, EventType::peer_session_connection_state, "a1", fields({{"sid", "f1"}, {"connectionState", "failed"}}));
  t.client(40, EventType::peer_session_removed, "a1", fields({{"sid", "f1"}}));
  // Interrupted, then connected again: talky counted it interrupted.
  t.client(50, EventType::peer_session_added, "b1", fields({{"sid", "i1"}, {"isInitiator", false}}), "c1");
  t.client(55, EventType::peer_session_connection_state, "b1",
           fields({{"sid", "i1"}, {"connectionState", "interrupted"}}));
  t.client(56, EventType::peer_session_connection_state, "b1", fields({{"sid", "i1"}, {"connectionState", "connected"}}));
  t.client(70, EventType::peer_session_removed, "c1", fields({{"sid", "i1"}, {"reason", "success"}}));
  // Ended cleanly, then the other client's `failed` arrives: the outcome follows it.
  t.client(80, EventType::peer_session_added, "a1", fields({{"sid", "l1"}}), "c1");
  t.client(90, EventType::peer_session_removed, "a1", fields({{"sid", "l1"}}));
  t.client(91, EventType::peer_session_connection_state, "c1", fields({{"sid", "l1"}, {"connectionState", "failed"}}));
  // A party leaves the room: interrupted, as for Jingle sessions.
  t.client(100, EventType::peer_session_added, "a1", fields({{"sid", "g1"}}), "b1");
  t.leave(130, "b1");
  t.client(131, EventType::peer_session_removed, "a1", fields({{"sid", "g1"}}));
  // Nothing to go on: no sid, an unknown sid, a reporter no longer in the room.
  t.client(140, EventType::peer_session_added, "a1", fields({{"isInitiator", true}}), "c1");
  t.client(141, EventType::peer_session_removed, "a1", fields({{"sid", "nobody"}}));
  t.client(142, EventType::peer_session_connection_state, "a1", fields({{"sid", "nobody"}, {"connectionState", "failed"}}));
  t.client(143, EventType::peer_session_added, "b1", fields({{"sid", "late"}}), "c1");
  const Value r = to_value(t.fold_all());
  const Value& p2p = at(r, "p2p");
  CHECK(num(p2p, "count") == 4);
  CHECK(num(p2p, "failed") == 2);
  CHECK(num(p2p, "interrupted") == 2);
  CHECK(num(p2p, "completed") == 0);
  CHECK(call(r, "f1").get_string("outcome") == "failed");
  CHECK(num(call(r, "f1"), "duration_ms") == s(30));
  CHECK(call(r, "i1").get_string("outcome") == "interrupted");
  CHECK(call(r, "i1").get_string("reason") == "success");  // the client's reason, kept as reported
  CHECK(call(r, "i1").get_string("initiator") == "c1");     // bob was not the initiator
  CHECK(call(r, "i1").get_string("responder") == "b1");
  CHECK(call(r, "l1").get_string("outcome") == "failed");
  CHECK(call(r, "g1").get_string("outcome") == "interrupted");
  CHECK(call(r, "g1").get_string("reason") == "left");
  CHECK(num(call(r, "g1"), "duration_ms") == s(30));
}

TEST_CASE("room report: a sid seen in Jingle and in telemetry is one session, ended by Jingle") {
  Timeline t;
  t.created(0);
  t.join(0, "a1", "ann");
  t.join(0, "b1", "bob");
  t.p2p_start(10, "s1", "a1", "b1", {"audio"});
  t.client(11, EventType::peer_session_added, "b1", fields({{"sid", "s1"}, {"isInitiator", false}}), "a1");
  t.client(12, EventType::peer_stream_added, "b1", fields({{"sid", "s1"}, {"video", true}}), "a1");
  t.client(30, EventType::peer_session_removed, "b1", fields({{"sid", "s1"}}), "a1");  // the room's record decides
  t.p2p_end(50, "s1", "a1", "b1", "success");
  // The client's report comes first, then the room sees the session-accept.
  t.client(60, EventType::peer_session_added, "a1", fields({{"sid", "s2"}}), "b1");
  t.p2p_start(61, "s2", "a1", "b1", {"audio", "screen"});
  t.p2p_end(90, "s2", "b1", "a1", "success");
  // bob's client posts its report of s1 after the room saw s1 end: still the one session.
  t.client(95, EventType::peer_session_added, "b1", fields({{"sid", "s1"}, {"isInitiator", false}}), "a1");
  const Value r = to_value(t.fold_all());
  CHECK(num(at(r, "p2p"), "count") == 2);
  const Value& s1 = call(r, "s1");
  CHECK(s1.get_string("source") == "jingle");
  CHECK(num(s1, "duration_ms") == s(40));
  CHECK(s1.get_string("outcome") == "completed");
  CHECK(at(s1, "media").as_array() == Value::Array{Value("audio"), Value("video")});
  const Value& s2 = call(r, "s2");
  CHECK(s2.get_string("source") == "telemetry");
  CHECK(num(s2, "started_ms") == T0 + s(60));
  CHECK(num(s2, "duration_ms") == s(30));
  CHECK(s2.get_string("reason") == "success");
  CHECK(at(s2, "media").as_array() == Value::Array{Value("audio"), Value("screen")});
}

TEST_CASE("room report: telemetry calls fold the same in separate batches through the stored state") {
  const Timeline t = telemetry_call();
  const RoomReport whole = t.fold_all();
  for (std::size_t cut = 0; cut <= t.events.size(); ++cut) {
    CAPTURE(cut);
    RoomReport r;
    for (std::size_t i = 0; i < cut; ++i) r = fold(std::move(r), t.events[i]);
    r = state_from_value(state_to_value(r));
    for (std::size_t i = 0; i < t.events.size(); ++i) r = fold(std::move(r), t.events[i]);  // redelivery included
    CHECK(r == whole);
  }
  // A state stored before telemetry calls were folded (no source, no states) reads as Jingle's.
  Timeline jingle;
  jingle.created(0);
  jingle.join(0, "a1", "ann");
  jingle.join(0, "b1", "bob");
  jingle.p2p_start(5, "s1", "a1", "b1");
  Value old = state_to_value(jingle.fold_all());
  for (auto& [key, calls] : old.as_object()) {
    if (key != "p2p") continue;
    for (Value& c : calls.as_array())
      std::erase_if(c.as_object(), [](const auto& kv) { return kv.first == "src" || kv.first == "cs"; });
  }
  CHECK(state_from_value(old) == jingle.fold_all());
}
