#pragma once
// A room's whole state as JSON, for fast restart: the snapshot a restore starts from before
// applying the log's events after it (seq > the snapshot's seq). Every field of core::Room
// is kept, occupants and their sessions included; derived indexes are rebuilt on decode.
// The one place the snapshot's keys are spelled (its config uses the events' keys).
#include <string>
#include <string_view>

#include "core/state.hpp"

namespace mucstream::events {

// Compact JSON text of `r`.
std::string encode_room(const core::Room& r);

// The room `json` holds. Throws std::runtime_error naming what is wrong (malformed JSON, a
// missing jid/room_id/seq, a member of the wrong JSON type, an unknown role or affiliation).
// Keys it does not know are ignored and absent optional ones keep their defaults, so an
// older snapshot still reads.
core::Room decode_room(std::string_view json);

}  // namespace mucstream::events
