#pragma once
// What decide() returns: events that change state, deliveries that xmpp/ renders as
// stanzas, or an error for the requester. Deliveries are abstract (no XML here).
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/error.hpp"
#include "core/event.hpp"
#include "core/roles.hpp"

namespace mucstream::core {

// XEP-0045 status codes (§15.6) the core uses.
namespace status {
inline constexpr int kNonAnonymous = 100;
inline constexpr int kConfigChanged = 104;
inline constexpr int kSelf = 110;
inline constexpr int kLogged = 170;
inline constexpr int kRoomCreated = 201;
inline constexpr int kNickModified = 210;
inline constexpr int kBanned = 301;
inline constexpr int kNewNick = 303;
inline constexpr int kKicked = 307;
inline constexpr int kAffiliationChange = 321;
inline constexpr int kMembersOnly = 322;
inline constexpr int kShutdown = 332;
inline constexpr int kRemovedByError = 333;  // removed because of an error (a ghost)
}  // namespace status

// An occupant's presence (available or unavailable) as seen by one recipient session.
struct PresenceOut {
  std::string to;    // recipient full JID
  std::string room;  // from = room/nick
  std::string nick;
  bool available = true;
  Role role = Role::none;
  Affiliation affiliation = Affiliation::none;
  std::optional<std::string> real_jid;  // only when the recipient may see it
  std::vector<int> status;
  std::optional<std::string> new_nick;  // with 303
  std::string reason;                   // kick/ban/destroy reason
  std::string actor_nick;               // who kicked/banned, when known
  std::string occupant_id;              // XEP-0421
  std::string session_id;               // whose last presence payload (show/status) to relay
  std::optional<std::string> destroy_alternate;  // set (maybe empty) when the room was destroyed
  bool destroyed = false;

  friend bool operator==(const PresenceOut&, const PresenceOut&) = default;
};

enum class MessageKind {
  groupchat,   // a reflected room message; rendered once, only `to` changes
  private_,    // occupant to occupant (type chat, with muc#user x)
  history,     // a past groupchat message with an XEP-0203 delay
  subject,     // the subject message (after history on join, or on change)
  status,      // a room status message (e.g. 104 configuration changed)
  invite,      // mediated invitation (§7.8.2) to the invitee's real JID
  voice_request,  // §7.13: the approval form for `nick` (real JID from_jid) to a moderator
  decline,        // §7.8.2: from_jid declined the invitation; to the inviter, from the room
  moderation,  // XEP-0425: a moderator retracted `target` (nick = the moderator's, if an occupant)
};

struct MessageOut {
  MessageKind kind = MessageKind::groupchat;
  std::vector<std::string> to;  // recipient full (or bare, for invites) JIDs
  std::string room;
  std::string nick;          // from room/nick; empty = from the room itself
  std::string payload;       // client payload, byte-for-byte
  std::string stanza_id;     // XEP-0359 id by the room
  std::string occupant_id;   // XEP-0421
  std::string from_jid;      // real JID of the sender (history for those allowed; invites)
  std::int64_t time_ms = 0;  // original time, for delays
  std::string subject;       // for subject messages
  std::vector<int> status;   // for status messages
  std::string reason;        // invitation reason
  std::string password;      // invitation password (§7.8.2), clear text the inviter gave
  std::string target;        // moderation: stanza-id of the retracted message

  friend bool operator==(const MessageOut&, const MessageOut&) = default;
};

using Delivery = std::variant<PresenceOut, MessageOut>;

struct Decision {
  std::vector<Event> events;
  std::vector<Delivery> deliveries;
  std::optional<Error> error;

  bool ok() const { return !error.has_value(); }
  static Decision fail(Error e) {
    Decision d;
    d.error = std::move(e);
    return d;
  }
};

}  // namespace mucstream::core
