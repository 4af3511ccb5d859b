// P2P stats (issue 6): placeholder until the validation lands.
#include "core/calls.hpp"
#include "core/features.hpp"

namespace mucstream::core::detail {

Decision decide_p2p_stats(const Service&, const ReportP2PStats&, Context&) {
  return Decision::fail(make_error(ErrorCondition::feature_not_implemented, "P2P stats are not built yet"));
}

}  // namespace mucstream::core::detail
