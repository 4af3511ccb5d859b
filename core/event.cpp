#include "core/event.hpp"

#include <array>

namespace mucstream::core {
namespace {
constexpr std::array<std::string_view, kEventTypeCount> kNames = {
    "room_created",          "room_destroyed",      "room_locked",         "room_unlocked",
    "occupant_joined",       "occupant_left",       "message_sent",        "screencapture_started",
    "screencapture_ended",   "rtt_enabled",         "rtt_disabled",        "p2p_session_started",
    "p2p_session_ended",     "p2p_session_stats",   "video_paused",        "video_resumed",
    "audio_paused",          "audio_resumed",       "room_configured",     "affiliation_changed",
    "role_changed",          "subject_changed",     "nick_changed",        "private_message_sent",
    "message_corrected",     "message_retracted",   "chat_state_sent",     "message_displayed",
    "voice_requested",       "invitation_sent",     "invitation_declined",
    "started_speaking",      "stopped_speaking",    "peer_stream_added",   "peer_stream_removed",
    "peer_session_added",    "peer_session_removed", "peer_session_connection_state",
    "peer_session_stats",    "peer_session_ice_stats", "ice_usage",
};
}  // namespace

std::string_view to_string(EventType t) { return kNames[static_cast<std::size_t>(t)]; }

std::optional<EventType> event_type_from_string(std::string_view s) {
  if (s == "screencapture_stopped") return EventType::screencapture_ended;  // talky's alias
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == s) return static_cast<EventType>(i);
  return std::nullopt;
}

}  // namespace mucstream::core
