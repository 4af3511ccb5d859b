#pragma once
// Guards for JSON request bodies, checked before a parser or any recursive walk sees them.
#include <string_view>

namespace mucstream::analytics {

// Request bodies nest far less than this; deeper text is refused (ParamError on "body")
// so that a client cannot exhaust a server thread's stack with "[[[[…" (RapidJSON's DOM
// parser and our conversions recurse once per level).
inline constexpr int kMaxBodyNesting = 32;

// Throws ParamError("body", …) when arrays/objects in `text` nest deeper than `max_depth`.
// Brackets inside strings do not count.
void check_body_nesting(std::string_view text, int max_depth = kMaxBodyNesting);

}  // namespace mucstream::analytics
