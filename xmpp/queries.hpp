#pragma once
// Answers read from room state without a decision: disco#info / disco#items (XEP-0030,
// XEP-0045 §6), pings (XEP-0199, XEP-0410), affiliation and role lists (§9.5, §10.5) and
// the owner configuration form (§10.2).
#include <string>

#include "core/config.hpp"
#include "core/state.hpp"
#include "xmpp/decoder.hpp"

namespace mucstream::xmpp {

// The reply stanza (result or error) for a decoded query.
std::string answer_query(const Decoded& d, const core::Service& svc, const core::ServiceConfig& cfg);

// The muc#roomconfig form of a room, as an owner's muc#owner get receives it.
std::string config_form(const core::Room& r, const core::ServiceConfig& cfg);

}  // namespace mucstream::xmpp
