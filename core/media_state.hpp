#pragma once
// The apply() side of media-state events: audio/video paused/resumed, screencapture
// started/ended and rtt enabled/disabled set the acting session's MediaState, so decide()
// can emit them only on change, whichever channel (Jingle, presence, HTTP telemetry)
// reported them.
#include "core/event.hpp"
#include "core/state.hpp"

namespace mucstream::core::detail {

// Does `type` change MediaState? (the types apply_media_state handles)
bool changes_media_state(EventType type);
// The MediaState `m` becomes after an event of `type`.
MediaState media_after(MediaState m, EventType type);
// Sets the MediaState of the session `e.actor` in `r`; no-op when it is not there.
void apply_media_state(Room& r, const Event& e);

}  // namespace mucstream::core::detail
