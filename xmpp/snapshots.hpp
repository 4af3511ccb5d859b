#pragma once
// Snapshot rounds for fast restart (the protocol is core/sink.hpp's): every interval, the
// rooms changed since their last snapshot go to the sink at their current state and the
// rooms gone since to snapshot_removed(), a bounded number per loop turn so a round over
// many rooms never stalls the loop.
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/sink.hpp"
#include "core/state.hpp"

namespace mucstream::xmpp {

class SnapshotRounds {
 public:
  // interval_ms 0: no rounds.
  SnapshotRounds(std::int64_t interval_ms, std::size_t rooms_per_step)
      : interval_ms_(interval_ms), per_step_(rooms_per_step == 0 ? 1 : rooms_per_step) {}

  void changed(const std::string& room_jid) { dirty_.insert(room_jid); }
  // Every live room: after construction and after a restore, nothing is known to be in a snapshot.
  void all_changed(const core::Service& s);

  // Starts a round when one is due, then passes up to rooms_per_step rooms to the sink;
  // `upto` is the last position published so far. True while a round is in progress.
  bool step(std::int64_t mono_ms, core::LogPosition upto, const core::Service& s, core::EventSink& sink);
  bool in_round() const { return in_round_; }
  std::uint64_t rounds() const { return rounds_; }

 private:
  std::int64_t interval_ms_;
  std::size_t per_step_;
  std::int64_t next_ms_ = -1;  // first round: one interval after the first step
  bool in_round_ = false;
  std::unordered_set<std::string> dirty_;
  std::vector<std::string> round_;  // this round's rooms, taken from the end
  std::uint64_t rounds_ = 0;
};

}  // namespace mucstream::xmpp
