#include "analytics/refusals.hpp"

namespace mucstream::analytics {

int http_status_of(core::ErrorCondition condition) {
  using C = core::ErrorCondition;
  switch (condition) {
    case C::item_not_found:
    case C::recipient_unavailable: return 404;
    case C::bad_request:
    case C::jid_malformed:
    case C::not_acceptable:
    case C::policy_violation: return 400;
    case C::forbidden:
    case C::not_allowed:
    case C::not_authorized:
    case C::registration_required: return 403;
    case C::conflict:
    case C::gone: return 409;
    case C::resource_constraint:
    case C::service_unavailable: return 503;
    case C::feature_not_implemented: return 501;
    case C::internal_server_error: return 500;
  }
  return 500;
}

HttpError refusal(const core::Error& error) {
  const std::string condition(core::to_string(error.condition));
  return HttpError(http_status_of(error.condition), error.text.empty() ? condition : error.text, condition);
}

}  // namespace mucstream::analytics
