#pragma once
// core::Value from an already parsed RapidJSON value, for code that holds a document (the
// HTTP API's request bodies): the same conversion and refusals as decode_value(), with no
// detour through text. Include from .cpp files that use RapidJSON.
#include <rapidjson/document.h>

#include <optional>
#include <string>

#include "core/value.hpp"

namespace mucstream::events {

// Why a JSON value was refused: where (e.g. "data.s", "$[2]") and what.
struct JsonRefusal {
  std::string path;
  std::string what;  // "string with a NUL character", "data nested deeper than 64 levels", …
  std::string message() const { return what + " at " + path; }
};

// nullopt (with `why`) for what PostgreSQL's jsonb cannot store: NUL characters or text that
// is not UTF-8 (a lone surrogate escape) in strings or keys, nesting deeper than 64 levels. `path` names `json` in the refusal.
std::optional<core::Value> value_from_json(const rapidjson::Value& json, const std::string& path, JsonRefusal* why);

}  // namespace mucstream::events
