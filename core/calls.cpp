// Calls: Jingle P2P sessions, media state announced in presence, and XEP-0301
// real-time text. P2P stats are in calls_stats.cpp, ending calls on departure in
// calls_teardown.cpp.
//
// The component observes signalling it relays; it never alters it. So decide_jingle fails
// only when the IQ cannot be routed (no such room, the sender is not an occupant, no such
// nick, addressed to oneself) or is malformed (no sid) or abusive (too many live sessions);
// anything else is an observation that yields an event or nothing, and the IQ goes through
// either way. A terminate for a session that was never accepted (a declined or cancelled
// call), a retransmitted accept, or a mute that changes nothing are normal and silent.
#include <algorithm>
#include <array>

#include "core/calls.hpp"
#include "core/features.hpp"

namespace mucstream::core::detail {
namespace {

// Jingle sids are client-chosen keys of room state: bound them.
constexpr std::size_t kMaxSidBytes = 128;
// One session may be a party of at most this many live P2P sessions; more is a client
// opening sessions in a loop, not a call.
constexpr std::size_t kMaxLiveP2PPerSession = 16;

// XEP-0166 §7.4 reason conditions. Anything else is recorded as "unknown" so a client
// cannot write free text into analysts' tables (or pose as "left"/"room_destroyed").
constexpr std::array<std::string_view, 17> kJingleReasons = {
    "alternative-session", "busy", "cancel", "connectivity-error", "decline", "expired",
    "failed-application", "failed-transport", "general-error", "gone", "incompatible-parameters",
    "media-error", "security-error", "success", "timeout", "unsupported-applications",
    "unsupported-transports"};

std::string jingle_reason(const std::string& r) {
  if (r.empty()) return "success";  // a terminate without <reason/> is an ordinary hang-up
  return std::find(kJingleReasons.begin(), kJingleReasons.end(), r) != kJingleReasons.end() ? r : "unknown";
}

// The media kinds of a session, known kinds only, each once, in a fixed order.
std::vector<std::string> media_kinds(const std::vector<std::string>& media) {
  std::vector<std::string> out;
  for (const char* kind : {"audio", "video", "screen"})
    if (std::find(media.begin(), media.end(), kind) != media.end()) out.emplace_back(kind);
  return out;
}

bool has_screen(const std::vector<std::string>& media) {
  return std::find(media.begin(), media.end(), "screen") != media.end();
}

std::size_t live_sessions_of(const Room& r, const std::string& session) {
  return static_cast<std::size_t>(std::count_if(r.p2p.begin(), r.p2p.end(), [&](const auto& kv) {
    return kv.second.initiator == session || kv.second.responder == session;
  }));
}

Error not_in_room() { return reject(ErrorCondition::not_acceptable, "You are not an occupant of this room"); }

// The room and the sender's session, or the routing error.
struct Sender {
  const Room* room = nullptr;
  const Occupant* occupant = nullptr;
  const Session* session = nullptr;
  std::optional<Error> error;
};

Sender sender_of(const Service& svc, const std::string& room, const Jid& user) {
  Sender s;
  s.room = room_or_null(svc, room);
  if (s.room == nullptr) {
    s.error = reject(ErrorCondition::item_not_found, "No such room");
    return s;
  }
  const std::string full = user.full();
  s.occupant = s.room->occupant_by_session_jid(full);
  s.session = s.room->session_by_jid(full);
  if (s.occupant == nullptr || s.session == nullptr) s.error = not_in_room();
  return s;
}

Decision accept(const Room& r, const Session& responder, const Session& initiator, const ObserveJingle& c,
                Context& ctx) {
  Decision d;
  if (r.p2p.contains(c.sid)) return d;  // a retransmitted accept (or a reused sid): the live call stays
  if (live_sessions_of(r, responder.id) >= kMaxLiveP2PPerSession ||
      live_sessions_of(r, initiator.id) >= kMaxLiveP2PPerSession)
    return Decision::fail(reject(ErrorCondition::resource_constraint, "Too many open P2P sessions"));
  Emitter e(d, ctx, r);
  // session-accept travels responder -> initiator: the recipient initiated the call.
  e.emit(initiator.id, data::P2PSessionStarted{.sid = c.sid, .media = media_kinds(c.media)}, responder.id);
  return d;
}

Decision terminate(const Room& r, const Session& sender, const ObserveJingle& c, Context& ctx) {
  Decision d;
  auto it = r.p2p.find(c.sid);
  if (it == r.p2p.end()) return d;  // declined or cancelled before accept: no call to end
  const P2PSession& p = it->second;
  if (p.initiator != sender.id && p.responder != sender.id) return d;  // not theirs to end
  Emitter e(d, ctx, r);
  e.emit(sender.id,
         data::P2PSessionEnded{.sid = p.sid, .reason = jingle_reason(c.reason), .duration_ms = ctx.now_ms - p.started_ms},
         p.initiator == sender.id ? p.responder : p.initiator);
  return d;
}

data::MediaChange jingle_source(const std::string& sid) { return data::MediaChange{.source = "jingle", .sid = sid}; }

// XEP-0167 §6 mute/unmute; the name is the content's, which clients name after its media.
Decision mute(const Room& r, const Session& sender, const ObserveJingle& c, bool on, Context& ctx) {
  Decision d;
  const bool audio = c.mute_name.empty() || c.mute_name == "audio";
  const bool video = c.mute_name.empty() || c.mute_name == "video";
  Emitter e(d, ctx, r);
  MediaState m = sender.media;
  if (audio) emit_media_change(e, sender, m, MediaFlag::audio_paused, on, jingle_source(c.sid));
  if (video) emit_media_change(e, sender, m, MediaFlag::video_paused, on, jingle_source(c.sid));
  return d;
}

Decision screen_content(const Room& r, const Session& sender, const ObserveJingle& c, bool on, Context& ctx) {
  Decision d;
  if (!has_screen(c.media)) return d;
  Emitter e(d, ctx, r);
  MediaState m = sender.media;
  emit_media_change(e, sender, m, MediaFlag::screen_sharing, on, jingle_source(c.sid));
  return d;
}

}  // namespace

Decision decide_jingle(const Service& svc, const ObserveJingle& c, Context& ctx) {
  const Sender s = sender_of(svc, c.room, c.user);
  if (s.error) return Decision::fail(*s.error);
  const Room& r = *s.room;
  auto prepared = prepare_nick(c.to_nick);
  const Occupant* to =
      std::holds_alternative<std::string>(prepared) ? r.occupant_by_nick(std::get<std::string>(prepared)) : nullptr;
  if (to == nullptr || to->sessions.empty())
    return Decision::fail(reject(ErrorCondition::item_not_found, "No occupant with that nickname"));
  if (to == s.occupant)
    return Decision::fail(reject(ErrorCondition::bad_request, "A Jingle session needs another occupant"));
  if (c.sid.empty() || c.sid.size() > kMaxSidBytes)
    return Decision::fail(reject(ErrorCondition::bad_request, "The Jingle sid is missing or too long"));
  // The session the IQ is routed to. An occupant with several sessions gets IQs at its most
  // recent one, as xmpp/ routes them (route_to_occupant: sessions.back()).
  const Session& recipient = to->sessions.back();
  using A = ObserveJingle::Action;
  switch (c.action) {
    case A::session_accept: return accept(r, *s.session, recipient, c, ctx);
    case A::session_terminate: return terminate(r, *s.session, c, ctx);
    case A::mute: return mute(r, *s.session, c, true, ctx);
    case A::unmute: return mute(r, *s.session, c, false, ctx);
    case A::content_add: return screen_content(r, *s.session, c, true, ctx);
    case A::content_remove: return screen_content(r, *s.session, c, false, ctx);
  }
  return Decision{};
}

Decision decide_media_announce(const Service& svc, const AnnounceMedia& c, Context& ctx) {
  const Sender s = sender_of(svc, c.room, c.user);
  if (s.error) return Decision::fail(*s.error);
  Decision d;
  Emitter e(d, ctx, *s.room);
  MediaState m = s.session->media;
  const data::MediaChange data{.source = "presence"};
  // Absent fields are "not announced": they leave the flag as it is.
  if (c.audio_paused) emit_media_change(e, *s.session, m, MediaFlag::audio_paused, *c.audio_paused, data);
  if (c.video_paused) emit_media_change(e, *s.session, m, MediaFlag::video_paused, *c.video_paused, data);
  if (c.screen_sharing) emit_media_change(e, *s.session, m, MediaFlag::screen_sharing, *c.screen_sharing, data);
  return d;
}

Decision decide_rtt(const Service& svc, const SetRtt& c, Context& ctx) {
  const Sender s = sender_of(svc, c.room, c.user);
  if (s.error) return Decision::fail(*s.error);
  Decision d;
  Emitter e(d, ctx, *s.room);
  MediaState m = s.session->media;
  // XEP-0301 <rtt event='init'|'new'> on, 'cancel' off
  emit_media_change(e, *s.session, m, MediaFlag::rtt, c.enabled, data::MediaChange{.source = "rtt"});
  return d;
}

}  // namespace mucstream::core::detail
