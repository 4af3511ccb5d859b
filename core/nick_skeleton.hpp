#pragma once
// Look-alike nicknames: two nicks that a reader cannot tell apart ("alice", "ALICE",
// Cyrillic "аlice", "alice" + NO-BREAK SPACE, "álice") share one skeleton, and a room
// refuses a nick whose skeleton another user's nick already has (conflict).
//
// The skeleton follows the RFC 8266 nickname profile's comparison (non-ASCII spaces mapped
// to U+0020, leading/trailing spaces trimmed, runs collapsed, case folded, NFKC), then the
// UTS #39 confusable skeleton, then drops combining marks and folds case again, so accents
// and confusables of different case compare equal too. It is only ever compared, never
// shown: the displayed nick stays what the user sent.
#include <string>
#include <string_view>

namespace mucstream::core {

// UTF-8 in, UTF-8 out; deterministic for a given ICU version. Never fails: text ICU cannot
// read yields the input unchanged.
std::string nick_skeleton(std::string_view nick);

}  // namespace mucstream::core
