// Calls: Jingle P2P sessions, media state, P2P stats and real-time text (issue 6).
// Placeholder until the calls work lands: every call command is refused.
#include "core/features.hpp"

namespace mucstream::core::detail {
namespace {
Decision not_yet() {
  Decision d;
  d.error = make_error(ErrorCondition::feature_not_implemented, "call observation is not built yet");
  return d;
}
}  // namespace

Decision decide_jingle(const Service&, const ObserveJingle&, Context&) { return not_yet(); }
Decision decide_media_announce(const Service&, const AnnounceMedia&, Context&) { return not_yet(); }
Decision decide_p2p_stats(const Service&, const ReportP2PStats&, Context&) { return not_yet(); }
Decision decide_rtt(const Service&, const SetRtt&, Context&) { return not_yet(); }

}  // namespace mucstream::core::detail
