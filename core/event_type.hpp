#pragma once
// The names of everything that happens in a room (the event types) and their wire spelling;
// event_data.hpp gives each its `data` struct, event.hpp the event itself.
#include <optional>
#include <string_view>

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
  // The message lifecycle: corrections, retractions, chat states and markers (recorded
  // only when enabled), voice requests, invitations.
  message_corrected,
  message_retracted,
  chat_state_sent,
  message_displayed,
  voice_requested,
  invitation_sent,
  invitation_declined,
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

}  // namespace mucstream::core
