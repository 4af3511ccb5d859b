#pragma once
// Commands: what someone asks the room service to do. xmpp/ decodes stanzas into them and
// the admin API builds them; both go through the same decide().
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/event.hpp"

#include "core/config.hpp"
#include "core/jid.hpp"
#include "core/roles.hpp"
#include "core/room_sweep.hpp"
#include "core/value.hpp"

namespace mucstream::core {

// Who asks: an XMPP user (real full JID) or a service administrator (mucctl / admin API),
// who has owner rights in every room.
struct Requester {
  Jid jid;
  bool service_admin = false;
  std::string admin_name;  // recorded in event data as "by" for admin actions

  static Requester user(Jid j) { return Requester{std::move(j), false, {}}; }
  static Requester admin(std::string name) { return Requester{Jid{}, true, std::move(name)}; }
};

// XEP-0045 §7.2.15 history management; absent fields mean "no limit from the client".
struct HistoryRequest {
  std::optional<std::uint32_t> max_chars;
  std::optional<std::uint32_t> max_stanzas;
  std::optional<std::uint32_t> seconds;
  std::optional<std::int64_t> since_ms;
};

// A presence a user sent to room/nick, read literally from the wire. Whether it is a join,
// a presence update, a nick change or a leave is the room's decision: decide() classifies
// it against the room state (classify_presence) and runs that feature, as Prosody's
// muc.lib.lua does. The narrower commands below stay for callers that mean one of them.
struct Presence {
  Jid user;          // real full JID
  std::string room;  // bare room JID (normalised)
  std::string nick;  // the resource of the address, as sent
  bool available = true;
  std::string status;  // unavailable: the client's status text, relayed
  bool muc_x = false;  // carries <x xmlns='http://jabber.org/protocol/muc'/>: asks to (re-)enter
  std::optional<std::string> password;
  HistoryRequest history;
  Value client;  // client info announced with the presence (used when it is a join)
};

struct Join {
  Jid user;  // real full JID
  std::string room;  // bare room JID (normalised)
  std::string nick;  // as sent; the core normalises and validates it
  std::optional<std::string> password;
  HistoryRequest history;
  Value client;  // client info announced on join (type, os, browser, useragent)
};

struct Leave {
  Jid user;
  std::string room;
  std::string status;  // the client's status text, relayed in the unavailable presence
};

// A presence from a joined session that is not a join or leave (show/status change).
struct UpdatePresence {
  Jid user;
  std::string room;
};

struct ChangeNick {
  Jid user;
  std::string room;
  std::string new_nick;
};

struct SendGroupchat {
  Jid user;
  std::string room;
  std::string payload;  // the message's children, relayed byte-for-byte
  bool has_body = true;
  // XEP-0334 <no-store/> or <no-permanent-store/>: relayed, kept out of history and archive.
  bool no_store = false;
  // The sender's own id for the message: XEP-0359 origin-id, else the stanza's id attribute.
  std::optional<std::string> client_id = std::nullopt;
  // XEP-0308: this message corrects the one with this id (its client id or stanza-id).
  std::optional<std::string> replaces = std::nullopt;
};

struct SendPrivate {
  Jid user;
  std::string room;
  std::string to_nick;
  std::string payload;
  bool has_body = true;  // false: a chat state or marker alone, relayed without an event
};

struct ChangeSubject {
  Jid user;
  std::string room;
  std::string subject;
};

struct Invite {
  Jid user;
  std::string room;
  Jid invitee;
  std::string reason;
  std::string password;  // §7.8.2: the room password the inviter passes on (clear text, not stored)
};

// §8 kick (role none), voice (participant/visitor), §9 moderator grants.
struct SetRole {
  Requester by;
  std::string room;
  std::string nick;
  Role role;
  std::string reason;
};

// §9/§10 ban (outcast), member/admin/owner lists.
struct SetAffiliation {
  Requester by;
  std::string room;
  Jid target;  // bare
  Affiliation affiliation;
  std::string reason;
};

// Owner configuration (§10.2). An empty change on a room awaiting configuration is the
// §10.1.2 instant-room acceptance.
struct Configure {
  Requester by;
  std::string room;
  ConfigChange change;
};

// §10.1.3: the owner cancels the initial configuration of a new room; the room goes.
struct CancelConfiguration {
  Requester by;
  std::string room;
};

// Admin-created room (mucctl / API): exists before anyone joins, owned by `owner`.
struct CreateRoom {
  Requester by;
  std::string room;
  Jid owner;  // bare
  ConfigChange change;
};

struct SetLock {
  Requester by;
  std::string room;
  bool locked;
};

struct DestroyRoom {
  Requester by;
  std::string room;
  std::string reason;
  std::string alternate_venue;  // a room JID occupants are pointed to, may be empty
  bool purge = false;           // also remove the room's message bodies from the store
};

// Destroys every live room `sweep` selects (room_sweep.hpp), in one decision. Only a
// service administrator. `reason` empty: default_sweep_reason.
struct DestroyRooms {
  Requester by;
  RoomSweep sweep;
  std::string reason;
};

// --- The message lifecycle around rooms (room_lifecycle.cpp).

// XEP-0085 chat state or XEP-0333 displayed marker seen in a message the room relayed
// (groupchat, or private to `to_nick`). Observed after the relay: recorded as an event only
// when the room's record_chat_states or the service's record_chat_states is on.
struct ObserveChatState {
  Jid user;
  std::string room;
  std::optional<std::string> to_nick;  // a private message's recipient
  std::string state;                   // active, composing, paused, inactive, gone; empty: none
  std::optional<std::string> displayed;  // XEP-0333 <displayed id=…/>: the id it names
};

// XEP-0045 §7.13: a visitor asks for voice; the approval form goes to every moderator.
struct RequestVoice {
  Jid user;
  std::string room;
};

// XEP-0045 §7.8.2: the invitee declines; the decline goes to the inviter, from the room.
struct DeclineInvitation {
  Jid user;     // the decliner (any JID: declining needs no presence in the room)
  std::string room;
  Jid inviter;  // where the decline goes
  std::string reason;
};

// Rooms with no message and no join for the service's idle timeout are destroyed (reason
// "idle"), decided at the context's time. A timer in the room loop runs it.
struct ExpireIdle {};

// --- Calls. The component observes signalling; it never alters what it relays.

// A Jingle (XEP-0166/0167) action seen in an IQ that `user` sent to `to_nick` through the room.
struct ObserveJingle {
  enum class Action { session_accept, session_terminate, mute, unmute, content_add, content_remove };
  Jid user;
  std::string room;
  std::string to_nick;
  Action action = Action::session_accept;
  std::string sid;
  std::vector<std::string> media;  // accept/content-add/remove: "audio" | "video" | "screen"
  std::string reason;              // terminate: the Jingle <reason/> condition name
  std::string mute_name;           // mute/unmute: "audio" | "video" ("" = both)
};

// Media state announced in presence (Jitsi-style audiomuted/videomuted, or the mucstream
// media element); absent fields are "not announced", not "off".
struct AnnounceMedia {
  Jid user;
  std::string room;
  std::optional<bool> audio_paused;
  std::optional<bool> video_paused;
  std::optional<bool> screen_sharing;
};

// Periodic WebRTC stats for a P2P session, from the mucstream stats extension.
struct ReportP2PStats {
  Jid user;
  std::string room;
  std::string sid;
  Value stats;  // rtt_ms, jitter_ms, packet_loss, bitrate_in/out, resolution, fps, candidate types
};

// XEP-0301 real-time text switched on (first <rtt event='init'|'new'>) or off ('cancel').
struct SetRtt {
  Jid user;
  std::string room;
  bool enabled = true;
};

// Talky-style client telemetry (POST /v1/telemetry): `session` reports `type` in the room
// with id `room_id`; the HTTP layer has checked the caller may speak for `session`.
struct ClientReport {
  std::string room_id;
  std::string session;
  std::optional<std::string> peer;  // another session in the same room, when the event names one
  EventType type = EventType::peer_session_stats;
  Value data;
};

// XEP-0424 retraction by the author (a groupchat message carrying <retract/>), or XEP-0425
// moderation (`moderate`: a moderator's IQ, or a service administrator through the admin
// API) of anyone's message.
struct RetractMessage {
  Requester by;
  std::string room;
  std::string target;  // the message's stanza-id (the author may also name it by their client id)
  bool moderate = false;
  std::string reason;   // moderation: why, shown to the occupants
  std::string payload;  // author retraction: the message's children, relayed (retract, fallback body)
};

// The service is going away (SIGTERM): everyone leaves with status 332.
struct Shutdown {};

// A session the room believes present whose client is gone (its server bounced what the
// room sent, or it did not answer a ping after a restart): it leaves with reason "ghost"
// and the others see status 333.
struct RemoveGhost {
  std::string room;      // bare room JID
  std::string full_jid;  // the session's real full JID
};

// A message from the service itself into a live room (POST /v1/rooms/{room}/messages): sent
// from the room's bare JID (no nick), relayed to every occupant and kept in history and the
// archive like any other message. Only a service administrator (admin or service token).
struct PostMessage {
  Requester by;
  std::string room;     // bare room JID
  std::string payload;  // the message's children, e.g. <body>…</body>
};

using Command = std::variant<Presence, Join, Leave, UpdatePresence, ChangeNick, SendGroupchat, SendPrivate, ChangeSubject,
                             Invite, SetRole, SetAffiliation, Configure, CancelConfiguration, CreateRoom, SetLock,
                             DestroyRoom, ObserveJingle, AnnounceMedia, ReportP2PStats, SetRtt, ClientReport,
                             Shutdown, RemoveGhost, ObserveChatState, RequestVoice, DeclineInvitation, ExpireIdle,
                             RetractMessage, PostMessage, DestroyRooms>;

}  // namespace mucstream::core
