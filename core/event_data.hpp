#pragma once
// The `data` of every event type as one plain struct each, so that the builder (decide), the
// reader (apply, the room report) and the codec (events/event_codec.*, the only place the
// JSON keys are spelled) all name a field through the compiler. docs/events.md describes each
// field. EventData holds exactly one of them; its alternatives are in EventType order, so
// type_of() is the variant's index and an Event's type and data cannot disagree.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/config.hpp"
#include "core/event_type.hpp"
#include "core/roles.hpp"
#include "core/value.hpp"

namespace mucstream::core::data {

struct RoomCreated {
  std::string creator{};  // bare JID, becomes owner
  RoomConfig config{};
  bool awaiting_configuration = false;  // XEP-0045 §10.1 creation lock
  std::string occupant_id_salt{};
  std::optional<std::string> by{};  // set when an administrator pre-created the room
  friend bool operator==(const RoomCreated&, const RoomCreated&) = default;
};

struct RoomDestroyed {
  std::string reason{};
  std::string alternate{};          // venue JID or empty
  std::optional<std::string> by{};  // absent when the service destroyed it (empty, shutdown)
  // Destroyed with purge: the room's message bodies are removed from the store (the events
  // stay, without bodies). Absent = false.
  std::optional<bool> purge{};
  friend bool operator==(const RoomDestroyed&, const RoomDestroyed&) = default;
};

struct RoomLocked {
  std::string by{};
  friend bool operator==(const RoomLocked&, const RoomLocked&) = default;
};
struct RoomUnlocked {
  std::string by{};
  friend bool operator==(const RoomUnlocked&, const RoomUnlocked&) = default;
};

struct OccupantJoined {
  std::string nick{};
  std::string jid{};  // real full JID
  std::string bare_jid{};
  Role role = Role::participant;
  Affiliation affiliation = Affiliation::none;
  std::string occupant_id{};
  Value client = Value::object();  // sanitised client info (see client_info.hpp)
  friend bool operator==(const OccupantJoined&, const OccupantJoined&) = default;
};

struct OccupantLeft {
  std::optional<std::string> by{};           // kicks, bans, lost membership
  std::optional<std::string> kick_reason{};  // with `by`
  std::string nick{};
  std::string reason = "left";
  std::optional<std::string> status{};  // the client's status text when leaving by itself
  friend bool operator==(const OccupantLeft&, const OccupantLeft&) = default;
};

struct MessageSent {
  std::string nick{};
  std::string occupant_id{};
  std::string jid{};      // sender's real full JID
  std::string payload{};  // the message's child elements, byte-for-byte
  // The sender's own id for the message (XEP-0359 origin-id, else the stanza's id
  // attribute): what XEP-0308 corrections and XEP-0333 markers from clients refer to.
  std::optional<std::string> client_id{};
  // XEP-0334 <no-store/> or <no-permanent-store/>: relayed, but neither history nor archive.
  std::optional<bool> no_store{};
  // A message the service posted (nick empty): the administrator or service that posted it.
  std::optional<std::string> by{};
  friend bool operator==(const MessageSent&, const MessageSent&) = default;
};

// Media and real-time-text on/off events share one shape. `extra` is what a client reported
// over telemetry beside it (an object, empty for the room's own observations).
struct MediaChange {
  std::string source{};              // jingle, presence, rtt, telemetry, left, room_destroyed, shutdown
  std::optional<std::string> sid{};  // the Jingle sid, for source jingle
  Value extra = Value::object();
  friend bool operator==(const MediaChange&, const MediaChange&) = default;
};
struct ScreencaptureStarted : MediaChange {};
struct ScreencaptureEnded : MediaChange {};
struct RttEnabled : MediaChange {};
struct RttDisabled : MediaChange {};
struct VideoPaused : MediaChange {};
struct VideoResumed : MediaChange {};
struct AudioPaused : MediaChange {};
struct AudioResumed : MediaChange {};

struct P2PSessionStarted {
  std::string sid{};
  std::vector<std::string> media{};  // audio, video, screen
  friend bool operator==(const P2PSessionStarted&, const P2PSessionStarted&) = default;
};

struct P2PSessionEnded {
  std::string sid{};
  std::string reason{};
  std::int64_t duration_ms = 0;
  friend bool operator==(const P2PSessionEnded&, const P2PSessionEnded&) = default;
};

struct P2PSessionStats {
  std::string sid{};
  Value figures = Value::object();  // the validated figures (rtt_ms, jitter_ms, …), as reported
  friend bool operator==(const P2PSessionStats&, const P2PSessionStats&) = default;
};

struct RoomConfigured {
  RoomConfig config{};
  std::string by{};
  friend bool operator==(const RoomConfigured&, const RoomConfigured&) = default;
};

struct AffiliationChanged {
  std::string jid{};  // bare
  Affiliation affiliation = Affiliation::none;
  std::string reason{};
  std::string by{};
  friend bool operator==(const AffiliationChanged&, const AffiliationChanged&) = default;
};

struct RoleChanged {
  std::string nick{};
  std::optional<Role> role{};  // nullopt only when read from odd data: the role then stays
  std::string reason{};
  std::string by{};
  friend bool operator==(const RoleChanged&, const RoleChanged&) = default;
};

struct SubjectChanged {
  std::string subject{};
  std::string nick{};
  friend bool operator==(const SubjectChanged&, const SubjectChanged&) = default;
};

struct NickChanged {
  std::string old_nick{};
  std::string new_nick{};
  friend bool operator==(const NickChanged&, const NickChanged&) = default;
};

struct PrivateMessageSent {
  std::string nick{};
  std::string to_nick{};
  friend bool operator==(const PrivateMessageSent&, const PrivateMessageSent&) = default;
};

// XEP-0308: a correction of an earlier message. The correction gets its own stanza-id (the
// event id); `target` is the original's stanza-id, whatever id the client referred to.
struct MessageCorrected {
  std::string target{};  // stanza-id of the original message
  std::string nick{};
  std::string occupant_id{};
  std::string jid{};      // the corrector's (= the author's) real full JID
  std::string payload{};  // the correcting message's children, byte-for-byte: the new text
  std::optional<std::string> client_id{};
  friend bool operator==(const MessageCorrected&, const MessageCorrected&) = default;
};

// XEP-0424 retraction by the author, or XEP-0425 moderation by a moderator or a service
// administrator. The original's body is removed from the store; the tombstone stays.
struct MessageRetracted {
  std::string target{};  // stanza-id of the retracted message
  bool moderated = false;
  std::optional<std::string> by{};       // moderated: the moderator's bare JID or the admin's name
  std::optional<std::string> by_nick{};  // moderated by an occupant: the moderator's nick
  std::string reason{};
  friend bool operator==(const MessageRetracted&, const MessageRetracted&) = default;
};

// XEP-0085 chat state, recorded only when the room or the service enables it.
struct ChatStateSent {
  std::string nick{};
  std::string state{};                   // active, composing, paused, inactive, gone
  std::optional<std::string> to_nick{};  // a private chat state
  friend bool operator==(const ChatStateSent&, const ChatStateSent&) = default;
};

// XEP-0333 displayed marker, recorded only when the room or the service enables it.
struct MessageDisplayed {
  std::string nick{};
  std::string target{};  // the id the marker names (a stanza-id in rooms)
  std::optional<std::string> to_nick{};
  friend bool operator==(const MessageDisplayed&, const MessageDisplayed&) = default;
};

// XEP-0045 §7.13: a visitor asks for voice; moderators get the approval form.
struct VoiceRequested {
  std::string nick{};
  std::string jid{};  // the requester's real full JID
  friend bool operator==(const VoiceRequested&, const VoiceRequested&) = default;
};

// XEP-0045 §7.8.2: a mediated invitation (actor = the inviter's session, or `by` an admin).
struct InvitationSent {
  std::string invitee{};  // bare JID
  std::string reason{};
  bool membership_granted = false;  // a members-only room made the invitee a member
  std::optional<std::string> by{};
  friend bool operator==(const InvitationSent&, const InvitationSent&) = default;
};

// XEP-0045 §7.8.2: the invitee declined; relayed to the inviter.
struct InvitationDeclined {
  std::string decliner{};  // bare JID
  std::string inviter{};   // JID the decline is addressed to
  std::string reason{};
  friend bool operator==(const InvitationDeclined&, const InvitationDeclined&) = default;
};

// Talky's client vocabulary: stored as the client reported it (an object, without `peer`).
struct ClientReported {
  Value fields = Value::object();
  friend bool operator==(const ClientReported&, const ClientReported&) = default;
};
struct StartedSpeaking : ClientReported {};
struct StoppedSpeaking : ClientReported {};
struct PeerStreamAdded : ClientReported {};
struct PeerStreamRemoved : ClientReported {};
struct PeerSessionAdded : ClientReported {};
struct PeerSessionRemoved : ClientReported {};
struct PeerSessionConnectionState : ClientReported {};
struct PeerSessionStats : ClientReported {};
struct PeerSessionIceStats : ClientReported {};
struct IceUsage : ClientReported {};

}  // namespace mucstream::core::data

namespace mucstream::core {

// One alternative per EventType, in the enum's order.
using EventData = std::variant<
    data::RoomCreated, data::RoomDestroyed, data::RoomLocked, data::RoomUnlocked, data::OccupantJoined,
    data::OccupantLeft, data::MessageSent, data::ScreencaptureStarted, data::ScreencaptureEnded, data::RttEnabled,
    data::RttDisabled, data::P2PSessionStarted, data::P2PSessionEnded, data::P2PSessionStats, data::VideoPaused,
    data::VideoResumed, data::AudioPaused, data::AudioResumed, data::RoomConfigured, data::AffiliationChanged,
    data::RoleChanged, data::SubjectChanged, data::NickChanged, data::PrivateMessageSent, data::MessageCorrected,
    data::MessageRetracted, data::ChatStateSent, data::MessageDisplayed, data::VoiceRequested, data::InvitationSent,
    data::InvitationDeclined, data::StartedSpeaking,
    data::StoppedSpeaking, data::PeerStreamAdded, data::PeerStreamRemoved, data::PeerSessionAdded,
    data::PeerSessionRemoved, data::PeerSessionConnectionState, data::PeerSessionStats, data::PeerSessionIceStats,
    data::IceUsage>;

static_assert(std::variant_size_v<EventData> == kEventTypeCount, "one data struct per event type");

inline EventType type_of(const EventData& d) { return static_cast<EventType>(d.index()); }

// The default-constructed data of type `t` (what a reader starts from before filling fields).
EventData empty_data(EventType t);
// A media or RTT on/off type (audio_paused … rtt_disabled) carrying `m`.
EventData media_data(EventType t, data::MediaChange m);
// A client-reported type (started_speaking … ice_usage) carrying the client's object.
EventData client_data(EventType t, Value fields);

}  // namespace mucstream::core
