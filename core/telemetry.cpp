// Talky-style client telemetry (POST /v1/telemetry): a WebRTC client reports an
// event about its own session in a live room, perhaps naming another session of the same
// room as its peer. The HTTP layer has checked that the caller's token speaks for `session`;
// here the room decides whether the report fits what it knows now.
#include "core/telemetry.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "core/calls.hpp"
#include "core/features.hpp"
#include "core/room_ops.hpp"

namespace mucstream::core {

bool client_reportable(EventType t) {
  switch (t) {
    case EventType::started_speaking:
    case EventType::stopped_speaking:
    case EventType::peer_stream_added:
    case EventType::peer_stream_removed:
    case EventType::peer_session_added:
    case EventType::peer_session_removed:
    case EventType::peer_session_connection_state:
    case EventType::peer_session_stats:
    case EventType::peer_session_ice_stats:
    case EventType::ice_usage: return true;
    default: return is_media_state_event(t);
  }
}

bool is_media_state_event(EventType t) {
  switch (t) {
    case EventType::audio_paused:
    case EventType::audio_resumed:
    case EventType::video_paused:
    case EventType::video_resumed:
    case EventType::screencapture_started:
    case EventType::screencapture_ended: return true;
    default: return false;
  }
}

namespace {
std::size_t string_size(const std::string& s) {
  std::size_t n = 2;
  for (unsigned char c : s) {
    if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') n += 2;
    else if (c < 0x20) n += 6;  // \u00XX
    else n += 1;
  }
  return n;
}
}  // namespace

std::size_t json_size(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::null: return 4;
    case Value::Kind::boolean: return v.as_bool() ? 4 : 5;
    case Value::Kind::integer: {
      char buf[24];
      return static_cast<std::size_t>(std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v.as_int())));
    }
    case Value::Kind::number: return 24;  // an upper bound of the shortest round-trip form
    case Value::Kind::string: return string_size(v.as_string());
    case Value::Kind::array: {
      const auto& a = v.as_array();
      std::size_t n = 2 + (a.empty() ? 0 : a.size() - 1);
      for (const auto& x : a) n += json_size(x);
      return n;
    }
    case Value::Kind::object: {
      const auto& o = v.as_object();
      std::size_t n = 2 + (o.empty() ? 0 : o.size() - 1);
      for (const auto& [k, x] : o) n += string_size(k) + 1 + json_size(x);
      return n;
    }
  }
  return 0;
}

int json_depth(const Value& v) {
  int deepest = 0;
  if (v.is_array())
    for (const auto& x : v.as_array()) deepest = std::max(deepest, json_depth(x));
  else if (v.is_object())
    for (const auto& [k, x] : v.as_object()) deepest = std::max(deepest, json_depth(x));
  else
    return 0;
  return deepest + 1;
}

namespace detail {
namespace {

// The media flag a media-state type sets, and to what.
std::pair<MediaFlag, bool> media_change(EventType t) {
  switch (t) {
    case EventType::audio_paused: return {MediaFlag::audio_paused, true};
    case EventType::audio_resumed: return {MediaFlag::audio_paused, false};
    case EventType::video_paused: return {MediaFlag::video_paused, true};
    case EventType::video_resumed: return {MediaFlag::video_paused, false};
    case EventType::screencapture_started: return {MediaFlag::screen_sharing, true};
    default: return {MediaFlag::screen_sharing, false};  // screencapture_ended
  }
}

}  // namespace

Decision decide_client_report(const Service& s, const ClientReport& c, Context& ctx) {
  const std::string type(to_string(c.type));
  if (!client_reportable(c.type))
    return Decision::fail(reject(ErrorCondition::forbidden,
                                 type + " is recorded by the room service itself; clients may not report it"));
  if (!c.data.is_object()) return Decision::fail(reject(ErrorCondition::bad_request, "data must be a JSON object"));
  if (json_depth(c.data) > kClientDataMaxDepth)
    return Decision::fail(reject(ErrorCondition::bad_request,
                                 "data is nested deeper than " + std::to_string(kClientDataMaxDepth) + " levels"));
  if (json_size(c.data) > kClientDataMaxBytes)
    return Decision::fail(reject(ErrorCondition::bad_request,
                                 "data is larger than " + std::to_string(kClientDataMaxBytes) + " bytes"));
  const Room* room = s.find_by_id(c.room_id);
  if (room == nullptr) return Decision::fail(reject(ErrorCondition::item_not_found, "no live room has id " + c.room_id));
  const Session* self = session_by_id(*room, c.session);
  if (self == nullptr)
    return Decision::fail(reject(ErrorCondition::forbidden, "session " + c.session + " is not in room " + room->jid));
  if (c.peer) {
    if (*c.peer == c.session) return Decision::fail(reject(ErrorCondition::bad_request, "a session is not its own peer"));
    if (session_by_id(*room, *c.peer) == nullptr)
      return Decision::fail(
          reject(ErrorCondition::bad_request, "peer session " + *c.peer + " is not in room " + room->jid));
  }
  Decision d;
  EventData data;
  if (is_media_state_event(c.type)) {
    // The same only-on-change rule as Jingle and presence announcements: a session that is
    // already paused (or sharing its screen) gets no second event, whoever reports it.
    const auto [flag, on] = media_change(c.type);
    if (media_flag(self->media, flag) == on) return d;
    data::MediaChange change{.source = "telemetry"};  // beside calls' jingle / presence
    change.extra = c.data;                             // the client's report, kept as reported
    data = media_data(c.type, std::move(change));
  } else {
    data = client_data(c.type, c.data);
  }
  Emitter e(d, ctx, *room);
  e.emit(c.session, std::move(data), c.peer);
  return d;
}

}  // namespace detail
}  // namespace mucstream::core
