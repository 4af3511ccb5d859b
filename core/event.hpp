#pragma once
// The event vocabulary: everything that happens in a room, as data. Events are the only
// way room state changes (apply() in decide.hpp); docs/events.md documents each type's `data`.
#include <cstdint>
#include <optional>
#include <string>

#include "core/event_data.hpp"
#include "core/event_type.hpp"

namespace mucstream::core {

struct Event {
  std::string id;       // globally unique, time-ordered (UUIDv7 from the IdSource)
  EventType type = EventType::room_created;  // = type_of(data), set by set_data(); the envelope and the events row are typed from data
  std::string room;     // bare room JID
  std::string room_id;  // unique per room lifetime: a re-created JID gets a new id
  std::uint64_t seq = 0;  // 1, 2, 3 … within one room_id
  std::string actor;    // occupant session id; empty when the service or an admin acted
  std::optional<std::string> peer;  // the other session, for two-party events
  std::int64_t time_ms = 0;         // Unix time in milliseconds
  EventData data;                   // type-specific, see docs/events.md

  // Sets data and the type it belongs to together.
  void set_data(EventData d) {
    type = type_of(d);
    data = std::move(d);
  }

  friend bool operator==(const Event&, const Event&) = default;
};

}  // namespace mucstream::core
