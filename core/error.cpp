#include "core/error.hpp"

namespace mucstream::core {

std::string_view to_string(ErrorCondition c) {
  switch (c) {
    case ErrorCondition::bad_request: return "bad-request";
    case ErrorCondition::conflict: return "conflict";
    case ErrorCondition::feature_not_implemented: return "feature-not-implemented";
    case ErrorCondition::forbidden: return "forbidden";
    case ErrorCondition::gone: return "gone";
    case ErrorCondition::internal_server_error: return "internal-server-error";
    case ErrorCondition::item_not_found: return "item-not-found";
    case ErrorCondition::jid_malformed: return "jid-malformed";
    case ErrorCondition::not_acceptable: return "not-acceptable";
    case ErrorCondition::not_allowed: return "not-allowed";
    case ErrorCondition::not_authorized: return "not-authorized";
    case ErrorCondition::policy_violation: return "policy-violation";
    case ErrorCondition::recipient_unavailable: return "recipient-unavailable";
    case ErrorCondition::registration_required: return "registration-required";
    case ErrorCondition::resource_constraint: return "resource-constraint";
    case ErrorCondition::service_unavailable: return "service-unavailable";
  }
  return "undefined-condition";
}

std::string_view to_string(ErrorType t) {
  switch (t) {
    case ErrorType::auth: return "auth";
    case ErrorType::cancel: return "cancel";
    case ErrorType::continue_: return "continue";
    case ErrorType::modify: return "modify";
    case ErrorType::wait: return "wait";
  }
  return "cancel";
}

Error make_error(ErrorCondition c, std::string text) {
  // Error types as XEP-0045's examples give them (and RFC 6120 §8.3.3 otherwise).
  ErrorType t = ErrorType::cancel;
  switch (c) {
    case ErrorCondition::forbidden:
    case ErrorCondition::not_authorized:
    case ErrorCondition::registration_required: t = ErrorType::auth; break;
    case ErrorCondition::bad_request:
    case ErrorCondition::jid_malformed:
    case ErrorCondition::not_acceptable:
    case ErrorCondition::policy_violation: t = ErrorType::modify; break;
    case ErrorCondition::resource_constraint:
    case ErrorCondition::recipient_unavailable:
    case ErrorCondition::internal_server_error: t = ErrorType::wait; break;
    default: t = ErrorType::cancel; break;
  }
  return Error{c, t, std::move(text)};
}

}  // namespace mucstream::core
