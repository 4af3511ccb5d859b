#include "xmpp/snapshots.hpp"

namespace mucstream::xmpp {

void SnapshotRounds::all_changed(const core::Service& s) {
  for (const auto& [jid, r] : s.rooms) dirty_.insert(jid);
}

bool SnapshotRounds::step(std::int64_t mono_ms, core::LogPosition upto, const core::Service& s, core::EventSink& sink) {
  if (interval_ms_ <= 0) return false;
  if (!in_round_) {
    if (next_ms_ < 0) next_ms_ = mono_ms + interval_ms_;
    if (mono_ms < next_ms_) return false;
    next_ms_ = mono_ms + interval_ms_;
    // Rooms changing from here on are dirty for the next round; those taken now are
    // written at their state when their turn comes, which includes any later change.
    round_.assign(dirty_.begin(), dirty_.end());
    dirty_.clear();
    in_round_ = true;
    sink.snapshot_begin(upto);
  }
  for (std::size_t n = 0; n < per_step_ && !round_.empty(); ++n) {
    const std::string jid = std::move(round_.back());
    round_.pop_back();
    if (const core::Room* r = s.find(jid)) sink.snapshot(*r);
    else sink.snapshot_removed(jid);
  }
  if (!round_.empty()) return true;
  in_round_ = false;
  ++rounds_;
  sink.snapshot_end();
  return false;
}

}  // namespace mucstream::xmpp
