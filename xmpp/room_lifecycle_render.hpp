#pragma once
// Rendering of the room's lifecycle messages: the §7.13 voice request form a moderator
// gets, and the §7.8.2 decline the inviter gets.
#include <string>

#include "core/decision.hpp"

namespace mucstream::xmpp {

// Appends what follows `<message to='…` (from the closing quote of `to` on) for a
// voice_request or decline MessageOut.
void render_lifecycle_message(const core::MessageOut& m, std::string& tail);

}  // namespace mucstream::xmpp
