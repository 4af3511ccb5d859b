#pragma once
// Stanza errors (RFC 6120 §8.3) as the core reports them; xmpp/ renders them on the wire.
#include <string>
#include <string_view>

namespace mucstream::core {

enum class ErrorCondition {
  bad_request,
  conflict,
  feature_not_implemented,
  forbidden,
  gone,
  internal_server_error,
  item_not_found,
  jid_malformed,
  not_acceptable,
  not_allowed,
  not_authorized,
  policy_violation,
  recipient_unavailable,
  registration_required,
  resource_constraint,
  service_unavailable,
};

enum class ErrorType { auth, cancel, continue_, modify, wait };

struct Error {
  ErrorCondition condition;
  ErrorType type;
  std::string text;  // human-readable, English

  friend bool operator==(const Error&, const Error&) = default;
};

std::string_view to_string(ErrorCondition);  // the RFC 6120 element name, e.g. "item-not-found"
std::string_view to_string(ErrorType);       // "auth", "cancel", ...

// The condition + type pairs XEP-0045 prescribes, so every feature reports the same way.
Error make_error(ErrorCondition, std::string text);

}  // namespace mucstream::core
