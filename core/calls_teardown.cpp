// Media flags and their events, and ending calls when sessions leave or the room goes.
#include "core/calls.hpp"

namespace mucstream::core::detail {

EventType media_event(MediaFlag flag, bool on) {
  switch (flag) {
    case MediaFlag::audio_paused: return on ? EventType::audio_paused : EventType::audio_resumed;
    case MediaFlag::video_paused: return on ? EventType::video_paused : EventType::video_resumed;
    case MediaFlag::screen_sharing: return on ? EventType::screencapture_started : EventType::screencapture_ended;
    case MediaFlag::rtt: return on ? EventType::rtt_enabled : EventType::rtt_disabled;
  }
  return EventType::audio_paused;
}

bool media_flag(const MediaState& m, MediaFlag flag) {
  switch (flag) {
    case MediaFlag::audio_paused: return m.audio_paused;
    case MediaFlag::video_paused: return m.video_paused;
    case MediaFlag::screen_sharing: return m.screen_sharing;
    case MediaFlag::rtt: return m.rtt;
  }
  return false;
}

void set_media_flag(MediaState& m, MediaFlag flag, bool on) {
  switch (flag) {
    case MediaFlag::audio_paused: m.audio_paused = on; return;
    case MediaFlag::video_paused: m.video_paused = on; return;
    case MediaFlag::screen_sharing: m.screen_sharing = on; return;
    case MediaFlag::rtt: m.rtt = on; return;
  }
}

void emit_media_change(Emitter& e, const Session& s, MediaState& current, MediaFlag flag, bool on,
                       data::MediaChange change) {
  if (media_flag(current, flag) == on) return;  // only changes are events
  set_media_flag(current, flag, on);
  e.emit(s.id, media_data(media_event(flag, on), std::move(change)));
}

const Session* session_by_id(const Room& r, const std::string& id) {
  for (const auto& [nick, o] : r.occupants)
    for (const auto& s : o.sessions)
      if (s.id == id) return &s;
  return nullptr;
}

void CallTeardown::end(const P2PSession& p, const std::string& actor, const std::string& peer,
                       std::string_view reason) {
  if (!ended_.insert(p.sid).second) return;
  e_.emit(actor,
          data::P2PSessionEnded{.sid = p.sid, .reason = std::string(reason), .duration_ms = e_.now_ms() - p.started_ms},
          peer);
}

void CallTeardown::end_all(std::string_view reason) {
  for (const auto& [sid, p] : r_.p2p) end(p, p.initiator, p.responder, reason);
}

void CallTeardown::session_leaving(const Session& s, std::string_view left_reason) {
  const std::string_view source =
      left_reason == "room_destroyed" || left_reason == "shutdown" ? left_reason : std::string_view("left");
  for (const auto& [sid, p] : r_.p2p) {
    if (p.initiator == s.id) end(p, s.id, p.responder, source);
    else if (p.responder == s.id) end(p, s.id, p.initiator, source);
  }
  MediaState m = s.media;
  const data::MediaChange change{.source = std::string(source)};
  emit_media_change(e_, s, m, MediaFlag::rtt, false, change);
  emit_media_change(e_, s, m, MediaFlag::screen_sharing, false, change);
}

}  // namespace mucstream::core::detail
