#pragma once
// The event vocabulary: everything that happens in a room, as data. Events are the only
// way room state changes (see apply.hpp); docs/events.md documents each type's `data`.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/value.hpp"

namespace mucstream::core {

enum class EventType {
  // The talky set.
  room_created,
  room_destroyed,
  room_locked,
  room_unlocked,
  occupant_joined,
  occupant_left,
  message_sent,
  screencapture_started,
  screencapture_ended,
  rtt_enabled,
  rtt_disabled,
  p2p_session_started,
  p2p_session_ended,
  p2p_session_stats,
  video_paused,
  video_resumed,
  audio_paused,
  audio_resumed,
  // What replay needs beyond the talky set.
  room_configured,
  affiliation_changed,
  role_changed,
  subject_changed,
  nick_changed,
  private_message_sent,
  // Talky's wider client vocabulary, reported by WebRTC clients over HTTP telemetry
  // (POST /v1/telemetry); stored as reported, no room state.
  started_speaking,
  stopped_speaking,
  peer_stream_added,
  peer_stream_removed,
  peer_session_added,
  peer_session_removed,
  peer_session_connection_state,
  peer_session_stats,
  peer_session_ice_stats,
  ice_usage,
};

inline constexpr int kEventTypeCount = static_cast<int>(EventType::ice_usage) + 1;

std::string_view to_string(EventType);
// Also accepts talky's alias "screencapture_stopped" for screencapture_ended.
std::optional<EventType> event_type_from_string(std::string_view);

// Schema version of the envelope and of every `data` layout; bump on incompatible change.
inline constexpr int kEventSchemaVersion = 1;

struct Event {
  std::string id;       // globally unique, time-ordered (UUIDv7 from the IdSource)
  EventType type = EventType::room_created;
  std::string room;     // bare room JID
  std::string room_id;  // unique per room lifetime: a re-created JID gets a new id
  std::uint64_t seq = 0;  // 1, 2, 3 … within one room_id
  std::string actor;    // occupant session id; empty when the service or an admin acted
  std::optional<std::string> peer;  // the other session, for two-party events
  std::int64_t time_ms = 0;         // Unix time in milliseconds
  Value data;                       // type-specific, see docs/events.md

  friend bool operator==(const Event&, const Event&) = default;
};

}  // namespace mucstream::core
