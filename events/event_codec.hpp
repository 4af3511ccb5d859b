#pragma once
// The JSON form of each event type's `data` (docs/events.md): the one place the keys are
// spelled. The envelope (envelope.hpp), the materialiser's events.data column and the
// readers of stored events all go through it.
#include <optional>
#include <string>
#include <string_view>

#include "core/event_data.hpp"
#include "core/value.hpp"

namespace mucstream::events {

// Compact JSON text of `d` (always an object).
std::string encode_data(const core::EventData& d);

// `object`'s members read as the data of type `t`. Tolerant as stored data needs: a missing
// key, or one of another JSON type, leaves the field at its default; a non-object reads as
// all defaults; unknown keys are dropped, except in the open-ended parts (client telemetry,
// P2P stats figures, media events reported by clients), which keep them.
core::EventData read_data(core::EventType t, core::Value object);
// read_data() of JSON text; nullopt (and why in `error`) when the text is not JSON that
// decode_value() accepts.
std::optional<core::EventData> decode_data(core::EventType t, std::string_view json, std::string* error = nullptr);

}  // namespace mucstream::events
