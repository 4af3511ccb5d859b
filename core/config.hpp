#pragma once
// Room configuration (XEP-0045 §10.2, the muc#roomconfig fields) and the service-wide
// limits and defaults a deployment sets.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mucstream::core {

enum class Whois { moderators, anyone };  // muc#roomconfig_whois: who sees real JIDs

struct RoomConfig {
  std::string name;
  std::string description;
  bool persistent = false;
  bool is_public = true;
  bool members_only = false;
  bool moderated = false;
  // Salted password hash (core/crypto.hpp); empty = no password. The clear text never lands here.
  std::string password_hash;
  std::uint32_t max_occupants = 0;  // 0 = unlimited
  std::uint32_t history_length = 20;
  Whois whois = Whois::moderators;
  bool occupants_may_change_subject = false;
  bool occupants_may_invite = false;
  bool allow_private_messages = true;
  // XEP-0313 archive of the room's messages (muc#roomconfig_enablearchiving).
  bool enable_archiving = true;
  // XEP-0045 §7.8.2/§9.3: in a members-only room, an invitation by someone allowed to invite
  // makes the invitee a member (as Prosody does).
  bool invite_grants_membership = true;
  // XEP-0085 chat states and XEP-0333 displayed markers become events (they are always
  // relayed and counted; recording each keystroke is opt-in).
  bool record_chat_states = false;

  bool password_protected() const { return !password_hash.empty(); }
  friend bool operator==(const RoomConfig&, const RoomConfig&) = default;
};

// A configuration change request as an owner's form (or the admin API) submits it: every
// field optional, the password in clear text (hashed by the core before it becomes an event).
struct ConfigChange {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<bool> persistent;
  std::optional<bool> is_public;
  std::optional<bool> members_only;
  std::optional<bool> moderated;
  std::optional<bool> password_protected;
  std::optional<std::string> password;  // clear text; applied when password_protected is on
  std::optional<std::uint32_t> max_occupants;
  std::optional<std::uint32_t> history_length;
  std::optional<Whois> whois;
  std::optional<bool> occupants_may_change_subject;
  std::optional<bool> occupants_may_invite;
  std::optional<bool> allow_private_messages;
  std::optional<bool> enable_archiving;
  std::optional<bool> invite_grants_membership;
  std::optional<bool> record_chat_states;
  std::optional<bool> locked;  // the talky lock, settable from the owner form too
};

// History bounded by bytes as well as by count, so a few large messages cannot hold memory:
// per room, and for every room of the service together (the oldest entries of any room go
// first). apply() enforces both; 0 turns a bound off.
struct HistoryLimits {
  std::size_t room_bytes = std::size_t{1} << 20;         // 1 MiB
  std::size_t total_bytes = std::size_t{256} << 20;      // 256 MiB
  // Messages per room whose ids and authors are remembered for XEP-0308 corrections and
  // XEP-0424/0425 retractions (core/recent_messages.hpp), whatever the history length.
  std::size_t recent_per_room = 1000;
  friend bool operator==(const HistoryLimits&, const HistoryLimits&) = default;
};

struct ServiceConfig {
  std::string domain = "rooms.localhost";
  RoomConfig default_room;             // what a new room starts with
  std::uint32_t max_history_length = 100;  // upper bound an owner may configure
  HistoryLimits history;                   // byte bounds, whatever the length
  std::uint32_t max_occupants_limit = 10000;
  std::uint32_t max_rooms = 100000;
  // XEP-0045 §10.1: a room created by a join stays locked (only its owner may enter) until
  // the owner configures it or accepts the default configuration (an instant room). Off,
  // the room opens at once, as with Prosody's muc_room_locking = false (its default).
  bool lock_new_rooms = true;
  // Room creation by joining is for `admins` only (the admin API may always create).
  bool only_admins_create_rooms = false;
  // Bare JIDs, normalised (Jid::bare), that may create rooms by joining while
  // only_admins_create_rooms is on. They have no other privilege.
  std::vector<std::string> admins;
  std::size_t max_subject_bytes = 1024;
  std::size_t max_name_bytes = 256;
  // Lifecycle (rooms.record_chat_states, rooms.idle_timeout_minutes): chat states and
  // displayed markers become events in every room (else only where the room's
  // record_chat_states is on); rooms with no message and no join for this long are
  // destroyed (0 = never). The setting is in minutes; kept in ms so tests need not wait one.
  bool record_chat_states = false;
  std::int64_t idle_timeout_ms = 0;
};

}  // namespace mucstream::core
