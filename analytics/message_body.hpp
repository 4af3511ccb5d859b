#pragma once
// The text of a message's <body/> from its stored payload (the message's children as the
// room relayed them), for back-ends that want the text without parsing XMPP.
#include <optional>
#include <string>
#include <string_view>

namespace mucstream::analytics {

// The character data of the first <body> child (its XML entities and character references
// decoded), or nullopt when the payload has no body. Markup inside a body is not XMPP and is
// not expected; the payload itself stays available for anything richer.
std::optional<std::string> body_text(std::string_view payload);

}  // namespace mucstream::analytics
