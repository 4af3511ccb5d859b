#pragma once
// Client info a session announces on join (type, os, browser, useragent): it becomes a row
// of the users table, so only known keys with bounded string values get through.
#include "core/value.hpp"

namespace mucstream::core {

// Known keys only, strings only, each capped in length (cut at a UTF-8 character boundary);
// `type` is kept only when it is "browser" or "mobile". Anything else is dropped, so the
// result is always an object.
Value sanitize_client_info(const Value& client);

}  // namespace mucstream::core
