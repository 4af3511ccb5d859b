#pragma once
// The wire form of a core::Event (docs/envelope.md): one JSON object per Kafka message,
//   {"v":1,"id":"<uuidv7>","type":"occupant_joined","room":"<bare jid>","room_id":"<uuid>",
//    "seq":N,"actor":"<session uuid>"|"","peer":"<session uuid>"|null,
//    "time":"2026-11-22T03:04:05.123Z","data":{…}}
// `data` is written and read by event_codec.hpp; encode_value/decode_value (json_value.hpp)
// serve the open-ended JSON columns.
// Encoding streams through RapidJSON's Writer (no DOM). Decoding validates everything the
// materialiser and PostgreSQL rely on and returns a reason instead of throwing.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/event.hpp"
#include "core/time.hpp"
#include "events/event_codec.hpp"
#include "events/json_value.hpp"

namespace mucstream::events {

// Appends the envelope of `e` to `out`.
void encode_into(std::string& out, const core::Event& e);
std::string encode(const core::Event& e);

struct Decoded {
  std::optional<core::Event> event;
  std::string error;  // why the input was refused; empty when event is set
  explicit operator bool() const { return event.has_value(); }
};
Decoded decode(std::string_view json);

// The envelope's "time": RFC 3339 with milliseconds, read and written by core/time.
using core::format_time;
using core::parse_time;
// 8-4-4-4-12 lowercase or uppercase hex.
bool is_uuid(std::string_view);

}  // namespace mucstream::events
