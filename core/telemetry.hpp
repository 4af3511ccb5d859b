#pragma once
// Talky-style client telemetry (POST /v1/telemetry): which event types a WebRTC
// client may report about itself, and bounds on the `data` it may attach. The core enforces
// them in decide_client_report (telemetry.cpp); the HTTP layer checks the same rules first so
// that it can refuse a whole batch before anything reaches the room loop, naming the field.
#include <cstddef>

#include "core/event.hpp"
#include "core/value.hpp"

namespace mucstream::core {

// Compact-JSON size and nesting bounds of a client-reported `data` object.
inline constexpr std::size_t kClientDataMaxBytes = 8192;
inline constexpr int kClientDataMaxDepth = 8;  // the data object itself is depth 1

// Talky's client vocabulary (started_speaking … ice_usage) and the media-state types
// (audio/video paused/resumed, screencapture started/ended). Room lifecycle, occupants,
// messages, configuration, RTT and P2P session events are the room service's own record:
// a client may not report them.
bool client_reportable(EventType);

// audio/video paused/resumed and screencapture started/ended: they change a session's
// MediaState and, whatever channel reports them (Jingle, presence, telemetry), are emitted
// only when the state changes.
bool is_media_state_event(EventType);

// The bytes of `v` written as compact JSON (strings counted with their escapes; doubles at
// most 24 characters), and its nesting depth (a scalar is 0, {} or [] is 1).
std::size_t json_size(const Value& v);
int json_depth(const Value& v);

}  // namespace mucstream::core
