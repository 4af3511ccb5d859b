#pragma once
// Reading the message lifecycle off the wire: the sender's own id for a message (XEP-0359
// origin-id, else the id attribute), XEP-0308 corrections, XEP-0424 retractions and
// XEP-0425 moderation requests, in their current and their older (fastening) forms.
#include <optional>
#include <string>
#include <variant>

#include "core/error.hpp"

namespace gloox {
class Tag;
}

namespace mucstream::xmpp {

// origin-id, else the stanza's id attribute; nullopt when neither is there.
std::optional<std::string> client_id_of(const gloox::Tag& message);

// The id a groupchat message's <replace/> names, or nullopt when it corrects nothing.
std::optional<std::string> replaced_id(const gloox::Tag& message);

// What a groupchat message or an IQ asks to retract.
struct RetractRequest {
  std::string id;  // may be empty: the core refuses it
  bool moderate = false;
  std::string reason;
};

// A groupchat message's <retract id=…/> (XEP-0424 :1, or :0 inside <apply-to/>) or a
// moderation carried in a message (the :0 <apply-to><moderate/> some clients send).
std::optional<RetractRequest> retract_in_message(const gloox::Tag& message);

// An IQ payload: <moderate xmlns='urn:xmpp:message-moderate:1' id=…><retract/><reason/>
// </moderate>, or <apply-to xmlns='urn:xmpp:fasten:0' id=…><moderate xmlns=…:0>…</apply-to>.
// nullopt when the payload is neither; an error when it is one without a retraction.
std::optional<std::variant<RetractRequest, core::Error>> moderation_iq(const gloox::Tag& payload);

}  // namespace mucstream::xmpp
