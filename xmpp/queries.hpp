#pragma once
// Answers read from room state without a decision: disco#info / disco#items (XEP-0030,
// XEP-0045 §6), pings (XEP-0199, XEP-0410), affiliation and role lists (§9.5, §10.5) and
// the owner configuration form (§10.2).
#include <optional>
#include <string>

#include "core/config.hpp"
#include "core/state.hpp"
#include "xmpp/decoder.hpp"

namespace mucstream::xmpp {

// The verdict on a decoded query: a result (with this payload, maybe empty), an error, or
// nothing to send (answers to routed IQs, which the occupant IQ router handles).
struct QueryAnswer {
  enum class Verdict { none, result, error };
  Verdict verdict = Verdict::none;
  std::string payload;              // result: the IQ result's child element(s)
  std::optional<core::Error> error;  // error: the condition to reply with
};
// `archive`: the service serves room archives (XEP-0313), advertised on rooms that keep one.
QueryAnswer answer(const Decoded& d, const core::Service& svc, const core::ServiceConfig& cfg, bool archive = false);

// The reply stanza for a verdict ("" for none), and both steps in one (tests, tools).
std::string render_answer(const Envelope& env, const QueryAnswer&);
std::string answer_query(const Decoded& d, const core::Service& svc, const core::ServiceConfig& cfg);

// The muc#roomconfig form of a room, as an owner's muc#owner get receives it.
std::string config_form(const core::Room& r, const core::ServiceConfig& cfg);

}  // namespace mucstream::xmpp
