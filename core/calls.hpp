#pragma once
// Internal helpers of the calls feature, shared by calls*.cpp and by every path
// that takes a session out of a room (leave, kick, ban, members-only, destroy, shutdown):
// a departing session's P2P sessions, screen share and real-time text end *before* its
// occupant_left, so the event log never holds a call whose party is gone.
#include <set>
#include <string>
#include <string_view>

#include "core/room_ops.hpp"

namespace mucstream::core::detail {

// The per-session media flags that have an on/off event pair.
enum class MediaFlag { audio_paused, video_paused, screen_sharing, rtt };

// The event type that turns `flag` on or off (audio_paused/audio_resumed, …,
// screencapture_started/ended, rtt_enabled/disabled).
EventType media_event(MediaFlag flag, bool on);
bool media_flag(const MediaState& m, MediaFlag flag);
void set_media_flag(MediaState& m, MediaFlag flag, bool on);

// Emits the event that moves `flag` of session `s` to `on`, only when that is a change of
// `current` (which is updated, so several changes in one decision compare against each
// other). `change` is the event's data.
void emit_media_change(Emitter& e, const Session& s, MediaState& current, MediaFlag flag, bool on,
                       data::MediaChange change);

// Ends calls for sessions leaving within one decision. It remembers which P2P sessions it
// already ended, so two departing parties of one call (or a room-wide end followed by the
// leaves) never end the same sid twice.
class CallTeardown {
 public:
  CallTeardown(Emitter& e, const Room& r) : e_(e), r_(r) {}

  // Every live P2P session of the room ends with `reason` (room_destroyed, shutdown);
  // actor = initiator, peer = responder. Sessions end in sid order.
  void end_all(std::string_view reason);
  // Before `s` leaves with occupant_left reason `left_reason`: each live P2P session it is a
  // party of ends (actor = `s`, peer = the other party), then rtt_disabled if RTT was on and
  // screencapture_ended if it was sharing. The reason (p2p) and source (media) is the
  // departure: "room_destroyed" or "shutdown" when the room or service goes, else "left"
  // (leaving, kick, ban, lost membership alike; occupant_left says which).
  void session_leaving(const Session& s, std::string_view left_reason);

 private:
  void end(const P2PSession& p, const std::string& actor, const std::string& peer, std::string_view reason);
  Emitter& e_;
  const Room& r_;
  std::set<std::string> ended_;
};

// The session with this id in the room, or nullptr (P2P parties are named by session id).
const Session* session_by_id(const Room& r, const std::string& id);

}  // namespace mucstream::core::detail
