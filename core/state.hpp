#pragma once
// Room state. Changed only by apply(); read by decide() and by xmpp/ for queries
// (disco, owner forms, member lists).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/config.hpp"
#include "core/history.hpp"
#include "core/recent_messages.hpp"
#include "core/roles.hpp"
#include "core/value.hpp"

namespace mucstream::core {

// What a session currently sends, as observed from Jingle session-info, presence
// announcements and RTT; paused/resumed events are emitted only on change.
struct MediaState {
  bool audio_paused = false;
  bool video_paused = false;
  bool screen_sharing = false;
  bool rtt = false;  // XEP-0301 real-time text enabled

  friend bool operator==(const MediaState&, const MediaState&) = default;
};

// One connection of a user in a room: talky's "session" and a row of the users table.
struct Session {
  std::string id;        // session id (from the IdSource), actor of this session's events
  std::string full_jid;  // the user's real full JID
  std::int64_t joined_ms = 0;
  Value client;          // client info (type, os, browser, useragent) as announced on join
  MediaState media;

  friend bool operator==(const Session&, const Session&) = default;
};

// A nick in a room, held by one bare JID through one or more sessions (XEP-0045 §7.2.9
// lets several resources of the same user share a nick).
struct Occupant {
  std::string nick;
  std::string bare_jid;
  std::string occupant_id;  // XEP-0421: stable per user and room, reveals nothing
  Role role = Role::participant;
  std::vector<Session> sessions;

  friend bool operator==(const Occupant&, const Occupant&) = default;
};

struct AffiliationEntry {
  Affiliation affiliation = Affiliation::none;
  std::string reason;  // e.g. why someone was banned
  friend bool operator==(const AffiliationEntry&, const AffiliationEntry&) = default;
};

// A Jingle session between two occupants' sessions, from session-accept until
// session-terminate, either party leaving, or the room going.
struct P2PSession {
  std::string sid;        // the Jingle sid
  std::string initiator;  // session id
  std::string responder;  // session id
  std::int64_t started_ms = 0;
  std::vector<std::string> media;  // "audio", "video", "screen"

  friend bool operator==(const P2PSession&, const P2PSession&) = default;
};

struct Room {
  std::string jid;      // bare room JID, normalised
  std::string room_id;  // unique per lifetime of the JID
  std::uint64_t seq = 0;  // seq of the last applied event
  std::int64_t created_ms = 0;
  // The time of the room's last message or join (its creation before any): what the idle
  // timeout measures. 0 = unknown (a snapshot written before it was kept): never idle
  // until the next message or join.
  std::int64_t last_activity_ms = 0;
  std::string occupant_id_salt;  // per room; keeps occupant ids unlinkable across rooms
  RoomConfig config;
  bool awaiting_configuration = false;  // XEP-0045 §10.1: locked until the owner configures
  bool locked = false;                  // the talky lock: only owners/admins/members may join
  std::map<std::string, AffiliationEntry> affiliations;  // bare JID -> non-none affiliation
  std::string subject;
  std::string subject_nick;
  std::map<std::string, Occupant> occupants;  // by nick
  History history;
  RecentMessages recent;  // ids and authors of recent messages (corrections, retractions)
  std::map<std::string, P2PSession> p2p;  // live P2P sessions by Jingle sid
  // Derived index kept by apply(): session full JID -> nick, so routing a stanza from a
  // session does not scan the occupants.
  std::unordered_map<std::string, std::string> nick_by_session_jid;
  // Derived index kept by apply(): look-alike skeleton (core/nick_skeleton.hpp) -> nicks.
  // Rooms built another way (snapshots, tests) start without it; apply() rebuilds it at
  // the room's next event, and lookups scan the occupants meanwhile.
  struct SkeletonIndex {
    std::unordered_multimap<std::string, std::string> nicks;
    // Derived: equal rooms may differ in whether it is built yet.
    friend bool operator==(const SkeletonIndex&, const SkeletonIndex&) { return true; }
  } nick_by_skeleton;

  Affiliation affiliation_of(const std::string& bare_jid) const;
  const Occupant* occupant_by_nick(const std::string& nick) const;
  // The occupant one of whose sessions is this full JID, or nullptr.
  const Occupant* occupant_by_session_jid(const std::string& full_jid) const;
  const Session* session_by_jid(const std::string& full_jid) const;
  // The nick a bare JID holds in the room, or nullptr.
  const Occupant* occupant_by_bare_jid(const std::string& bare_jid) const;
  // An occupant of another bare JID whose nick has this skeleton, or nullptr.
  const Occupant* look_alike(const std::string& skeleton, const std::string& bare_jid) const;
  std::size_t owner_count() const;
  std::size_t session_count() const;

  friend bool operator==(const Room&, const Room&) = default;
};

struct Service {
  std::map<std::string, Room> rooms;  // by bare room JID
  // Derived index kept by apply() and persistent_view(): room id -> bare room JID, so a
  // report that names only the room id (HTTP telemetry) finds its room without scanning
  // every live room on the loop (a scan cost ~200 µs with 10,000 rooms).
  std::unordered_map<std::string, std::string> jid_by_room_id;
  // Derived: the counted bytes of every room's history, kept by apply() once known. A
  // Service assembled by other means (restore) starts without it; apply() counts it when
  // the service-wide history bound first needs it.
  struct HistoryTotal {
    std::optional<std::size_t> bytes;
    friend bool operator==(const HistoryTotal&, const HistoryTotal&) { return true; }
  } history_total;

  const Room* find(const std::string& room_jid) const;
  // The live room with this room id, or nullptr (a destroyed room's id finds nothing).
  const Room* find_by_id(const std::string& room_id) const;
  friend bool operator==(const Service&, const Service&) = default;
};

// The state that survives a restart: persistent rooms with their configuration,
// affiliations, bans, subject and lock, without occupants (their sessions are gone).
Service persistent_view(const Service&);

}  // namespace mucstream::core
