#pragma once
// Drives the real core with random commands and hands every event to a sink as the room loop
// does (publish after apply), with snapshot rounds of the live rooms in between.
#include <set>
#include <string>

#include "core/sink.hpp"
#include "tests/events/random_rooms.hpp"

namespace mucstream::testing {

struct Feeder {
  Feeder(World& world, core::EventSink& s) : w(world), sink(s) {}
  World& w;
  core::EventSink& sink;
  std::size_t published = 0;          // events of w.log handed to the sink
  core::LogPosition last = 0;
  std::set<std::string> snapshotted;  // room JIDs with a snapshot from an earlier round

  // Publishes what the World logged since the last call.
  void publish_new() {
    for (; published < w.log.size(); ++published) last = sink.publish(w.log[published]);
  }
  // A snapshot round: each live room with probability `percent`, and removals of the rooms
  // gone since the previous round.
  void round(RoomGen& g, int percent = 100) {
    publish_new();
    sink.snapshot_begin(last);
    std::set<std::string> now;
    for (const auto& [jid_, r] : w.svc.rooms) {
      now.insert(jid_);
      if (g.upto(99) < percent) {
        sink.snapshot(r);
        snapshotted.insert(jid_);
      }
    }
    for (auto it = snapshotted.begin(); it != snapshotted.end();) {
      if (now.count(*it)) {
        ++it;
        continue;
      }
      sink.snapshot_removed(*it);
      it = snapshotted.erase(it);
    }
    sink.snapshot_end();
  }
};

}  // namespace mucstream::testing
