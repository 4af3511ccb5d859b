#pragma once
// core::Value as JSON text, for the open-ended JSON columns (event data's client-reported
// parts, room reports) and the tools that read them.
#include <optional>
#include <string>
#include <string_view>

#include "core/value.hpp"

namespace mucstream::events {

// Compact JSON text of `v` (NaN and infinities become null: JSON and jsonb have neither).
std::string encode_value(const core::Value& v);
// Parses JSON text into a Value; nullopt (and why in `error`) for malformed JSON, a NUL
// character or text that is not UTF-8 (a lone surrogate escape) in a string or key, or
// nesting deeper than 64 levels.
std::optional<core::Value> decode_value(std::string_view json, std::string* error = nullptr);

}  // namespace mucstream::events
