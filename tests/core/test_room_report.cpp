// Room reports (core/room_report): figures computed by hand from small timelines.
// Times are seconds after T0; every duration in a report is in milliseconds.
#include <doctest/doctest.h>

#include "core/room_report.hpp"
#include "report_support.hpp"

using namespace mucstream::core;
using namespace mucstream::core::report_testing;

namespace {

// ann waits a minute for bob; ann's second device comes and goes; bob leaves and comes
// back; carol joins; everyone leaves; the room goes when empty.
Timeline meeting() {
  Timeline t;
  t.created(0);
  t.join(0, "a1", "ann");
  t.join(60, "b1", "bob");    // two people: the wait ends, the call starts
  t.join(90, "a2", "ann");    // ann's phone: 3 sessions, still 2 people
  t.leave(120, "a2");
  t.leave(180, "b1");         // ann alone: 120 s of call so far
  t.join(200, "b2", "bob");   // together again
  t.join(300, "c1", "carol"); // 3 people, 3 sessions
  t.leave(360, "a1");
  t.leave(420, "b2");         // carol alone: 120 + 220 = 340 s of call
  t.leave(480, "c1");
  t.destroy(480, "empty");
  return t;
}

}  // namespace

TEST_CASE("room report: waiting time, usable call time, peaks and time per participant") {
  const Value r = to_value(meeting().fold_all());
  CHECK(at(r, "ended").as_bool());
  CHECK(num(r, "ended_ms") == T0 + s(480));
  CHECK(at(r, "ended_reason").as_string() == "empty");
  CHECK(num(r, "duration_ms") == s(480));
  CHECK(num(r, "initial_wait_ms") == s(60));
  CHECK(num(r, "usable_ms") == s(340));
  CHECK(num(r, "peak_sessions") == 3);
  CHECK(num(r, "peak_participants") == 3);
  CHECK(num(r, "participants") == 3);
  CHECK(num(r, "sessions") == 5);
  CHECK(num(person(r, "ann"), "present_ms") == s(360));  // 0..360, the phone inside that
  CHECK(num(person(r, "ann"), "sessions") == 2);
  CHECK(num(person(r, "bob"), "present_ms") == s(120 + 220));
  CHECK(num(person(r, "carol"), "present_ms") == s(180));
  CHECK(person(r, "bob").get_string("userid") == "bob@x");
  CHECK(person(r, "bob").get_string("nick") == "bob");
  CHECK(at(person(r, "ann"), "speaking_ms").is_null());  // no speaking events in this room
  // In order of arrival.
  const auto& list = at(r, "participant_times").as_array();
  REQUIRE(list.size() == 3);
  CHECK(list[0].get_string("nick") == "ann");
  CHECK(list[2].get_string("nick") == "carol");
  CHECK(num(at(r, "p2p"), "count") == 0);
}

TEST_CASE("room report: nobody ever joined the first person") {
  Timeline t;
  t.created(0);
  t.join(0, "a1", "ann");
  t.leave(45, "a1");
  t.destroy(45, "empty");
  const Value r = to_value(t.fold_all());
  CHECK(at(r, "initial_wait_ms").is_null());
  CHECK(num(r, "usable_ms") == 0);
  CHECK(num(r, "peak_participants") == 1);
  CHECK(num(person(r, "ann"), "present_ms") == s(45));
}

TEST_CASE("room report: P2P sessions completed, failed and interrupted, with durations") {
  Timeline t;
  t.created(0);
  t.join(0, "a1", "ann");
  t.join(10, "b1", "bob");
  t.join(20, "c1", "carol");
  t.p2p_start(30, "s1", "a1", "b1", {"audio", "video"});
  t.p2p_end(90, "s1", "a1", "b1", "success");               // completed, 60 s
  t.p2p_start(100, "s2", "a1", "c1");
  t.p2p_end(100, "s2", "c1", "a1", "success");              // never had a duration: failed
  t.p2p_start(110, "s3", "b1", "c1");
  t.p2p_end(140, "s3", "b1", "c1", "connectivity-error");   // failed, 30 s
  t.p2p_start(150, "s4", "a1", "b1");
  t.leave(200, "b1");                                       // interrupted, 50 s
  t.p2p_end(201, "s4", "a1", "b1", "left");                 // the calls code's own end: already counted
  t.p2p_start(210, "s5", "a1", "c1");
  t.p2p_end(260, "s7", "c1", "a1", "success", 20000);       // start never seen: its stated 20 s
  t.leave(300, "a1", "room_destroyed");                     // interrupted by the room going, 90 s
  t.leave(300, "c1", "room_destroyed");
  t.destroy(300, "meeting over");
  const Value r = to_value(t.fold_all());
  const Value& p2p = at(r, "p2p");
  CHECK(num(p2p, "count") == 6);
  CHECK(num(p2p, "completed") == 2);
  CHECK(num(p2p, "failed") == 2);
  CHECK(num(p2p, "interrupted") == 2);
  CHECK(num(p2p, "open") == 0);
  CHECK(num(p2p, "total_ms") == s(60 + 0 + 30 + 50 + 90 + 20));
  CHECK(call(r, "s1").get_string("outcome") == "completed");
  CHECK(num(call(r, "s1"), "duration_ms") == s(60));
  CHECK(call(r, "s1").get_string("initiator") == "a1");
  CHECK(call(r, "s1").get_string("responder") == "b1");
  CHECK(at(call(r, "s1"), "media").as_array() == Value::Array{Value("audio"), Value("video")});
  CHECK(call(r, "s2").get_string("outcome") == "failed");
  CHECK(call(r, "s3").get_string("outcome") == "failed");
  CHECK(call(r, "s3").get_string("reason") == "connectivity-error");
  CHECK(call(r, "s4").get_string("outcome") == "interrupted");
  CHECK(call(r, "s4").get_string("reason") == "left");
  CHECK(num(call(r, "s4"), "duration_ms") == s(50));
  CHECK(num(call(r, "s4"), "ended_ms") == T0 + s(200));
  CHECK(call(r, "s5").get_string("outcome") == "interrupted");
  CHECK(call(r, "s5").get_string("reason") == "room_destroyed");
  CHECK(num(call(r, "s5"), "duration_ms") == s(90));
  CHECK(call(r, "s7").get_string("outcome") == "completed");
  CHECK(num(call(r, "s7"), "started_ms") == T0 + s(240));
}

TEST_CASE("room report: speaking time per participant and intervals still open when the report is read") {
  Timeline t;
  t.created(0);
  t.join(0, "a1", "ann");
  t.join(10, "b1", "bob");
  t.speak(20, "a1", true);
  t.speak(30, "a1", true);   // repeated start: one interval
  t.speak(50, "a1", false);  // ann 30 s
  t.speak(60, "b1", true);
  t.speak(70, "a1", true);
  t.speak(80, "b1", false);  // bob 20 s
  t.leave(100, "a1");        // still speaking when leaving: ann 30 + 30 s
  t.speak(101, "a1", false); // after leaving: nothing changes
  t.join(120, "c1", "carol");
  t.speak(130, "b1", true);  // never stopped
  t.p2p_start(140, "s1", "b1", "c1");
  t.add(data::NickChanged{.old_nick = "carol", .new_nick = "caroline"}, 170, "c1");
  t.add(data::MessageSent{}, 500, "b1");  // not part of a report: the report stays as of 170
  const Value r = to_value(t.fold_all());
  CHECK_FALSE(at(r, "ended").as_bool());
  CHECK(at(r, "ended_ms").is_null());
  CHECK(num(r, "as_of_ms") == T0 + s(170));
  CHECK(num(r, "duration_ms") == s(170));
  CHECK(num(person(r, "ann"), "speaking_ms") == s(60));
  CHECK(num(person(r, "bob"), "speaking_ms") == s(20 + 40));  // the open interval up to 170
  CHECK(num(person(r, "carol"), "speaking_ms") == 0);
  CHECK(person(r, "carol").get_string("nick") == "caroline");
  CHECK(num(person(r, "ann"), "present_ms") == s(100));
  CHECK(num(person(r, "bob"), "present_ms") == s(160));
  CHECK(num(person(r, "carol"), "present_ms") == s(50));
  CHECK(num(r, "usable_ms") == s(90 + 50));
  CHECK(num(r, "initial_wait_ms") == s(10));
  CHECK(num(at(r, "p2p"), "open") == 1);
  CHECK(call(r, "s1").get_string("outcome") == "open");
  CHECK(at(call(r, "s1"), "ended_ms").is_null());
  CHECK(num(call(r, "s1"), "duration_ms") == s(30));

  // The room goes without anyone stopping or leaving first: everything closes at its end.
  t.destroy(200, "shutdown");
  const Value ended = to_value(t.fold_all());
  CHECK(num(person(ended, "bob"), "speaking_ms") == s(20 + 70));
  CHECK(num(person(ended, "bob"), "present_ms") == s(190));
  CHECK(num(ended, "usable_ms") == s(90 + 80));
  CHECK(call(ended, "s1").get_string("outcome") == "interrupted");
  CHECK(num(call(ended, "s1"), "duration_ms") == s(60));
}

TEST_CASE("room report: folding in separate batches through the stored state equals one fold") {
  for (const Timeline& t : {meeting()}) {
    const RoomReport whole = t.fold_all();
    for (std::size_t cut1 = 0; cut1 <= t.events.size(); ++cut1) {
      for (std::size_t cut2 = cut1; cut2 <= t.events.size(); ++cut2) {
        CAPTURE(cut1);
        CAPTURE(cut2);
        Value stored = state_to_value(RoomReport{});
        // Three batches, the state persisted (as a Value) between them as the materialiser does.
        for (auto [from, to] : {std::pair{std::size_t{0}, cut1}, {cut1, cut2}, {cut2, t.events.size()}}) {
          RoomReport r = state_from_value(stored);
          for (std::size_t i = from; i < to; ++i) r = fold(std::move(r), t.events[i]);
          stored = state_to_value(r);
        }
        CHECK(state_from_value(stored) == whole);
        CHECK(to_value(state_from_value(stored)) == to_value(whole));
      }
    }
  }
}

TEST_CASE("room report: a redelivered event, another room's event or an unknown state change nothing") {
  const Timeline t = meeting();
  RoomReport r;
  for (std::size_t i = 0; i < 6; ++i) r = fold(std::move(r), t.events[i]);
  const RoomReport before = r;
  for (std::size_t i = 0; i < 6; ++i) r = fold(std::move(r), t.events[i]);  // the batch again
  CHECK(r == before);
  Event other = t.events[6];
  other.room_id = "another-room";
  CHECK(fold(r, other) == before);
  // A state written by a future version reads as empty rather than as wrong figures.
  Value future = state_to_value(before);
  future.set("v", 99);
  CHECK(state_from_value(future) == RoomReport{});
}
