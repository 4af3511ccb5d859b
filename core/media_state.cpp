#include "core/media_state.hpp"

namespace mucstream::core::detail {

bool changes_media_state(EventType type) {
  switch (type) {
    case EventType::audio_paused:
    case EventType::audio_resumed:
    case EventType::video_paused:
    case EventType::video_resumed:
    case EventType::screencapture_started:
    case EventType::screencapture_ended:
    case EventType::rtt_enabled:
    case EventType::rtt_disabled: return true;
    default: return false;
  }
}

MediaState media_after(MediaState m, EventType type) {
  switch (type) {
    case EventType::audio_paused: m.audio_paused = true; break;
    case EventType::audio_resumed: m.audio_paused = false; break;
    case EventType::video_paused: m.video_paused = true; break;
    case EventType::video_resumed: m.video_paused = false; break;
    case EventType::screencapture_started: m.screen_sharing = true; break;
    case EventType::screencapture_ended: m.screen_sharing = false; break;
    case EventType::rtt_enabled: m.rtt = true; break;
    case EventType::rtt_disabled: m.rtt = false; break;
    default: break;
  }
  return m;
}

void apply_media_state(Room& r, const Event& e) {
  for (auto& [nick, o] : r.occupants)
    for (auto& s : o.sessions)
      if (s.id == e.actor) {
        s.media = media_after(s.media, e.type);
        return;
      }
}

}  // namespace mucstream::core::detail
