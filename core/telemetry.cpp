// Talky-style client telemetry (POST /v1/telemetry), issue 6.
// Placeholder until the telemetry work lands: every report is refused.
#include "core/features.hpp"

namespace mucstream::core::detail {

Decision decide_client_report(const Service&, const ClientReport&, Context&) {
  Decision d;
  d.error = make_error(ErrorCondition::feature_not_implemented, "client telemetry is not built yet");
  return d;
}

}  // namespace mucstream::core::detail
