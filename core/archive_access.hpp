#pragma once
// Who may read a room's archive (XEP-0313 on a MUC room), decided from room state alone.
//
// The rule follows Prosody's mod_muc_mam and the room's own entry rules (XEP-0045 §7.2):
// - banned users (outcast) never;
// - the room's current occupants (any session of the asker's bare JID) always;
// - members-only and talky-locked rooms: members, admins and owners;
// - password-protected rooms: occupants, admins and owners (the password is the entry
//   ticket; an archive query carries none);
// - any other room: anyone not banned, as anyone may join it and read along.
// A room still awaiting its first configuration is invisible to all but its owners.
// A room with archiving switched off is served like Prosody does: what was archived while
// it was on stays readable; nothing new is added (the store skips it).
//
// Real JIDs in results, and `with` naming a real bare JID, only for askers who may see
// real JIDs (XEP-0045 §5.1.2): the room is non-anonymous, or the asker is a moderator,
// or would be one on joining (admins and owners).
#include <cstdint>
#include <string>
#include <variant>

#include "core/archive.hpp"
#include "core/error.hpp"
#include "core/jid.hpp"
#include "core/state.hpp"

namespace mucstream::core {

struct ArchiveGrant {
  bool real_jids = false;  // results may carry the senders' real JIDs
  std::string room_id;     // the live room's id
  std::int64_t min_seq = 0;  // the room's seq now: the answer must reach it
};

// May `asker` (a full or bare JID) read the archive of `room_jid`? item-not-found when
// there is no such live room (or it is still being configured and the asker is not an
// owner), forbidden when the rules above refuse.
std::variant<ArchiveGrant, Error> check_archive_access(const Service&, const std::string& room_jid, const Jid& asker);

// The access check for a query, which it completes: room_id and min_seq filled, archive
// ids normalised to lower case. Also refuses (forbidden) `with` a real bare JID for an
// asker who may not see real JIDs, and (item-not-found) ids that cannot be archive ids:
// every archive id is a UUID, so no such message exists.
std::variant<ArchiveGrant, Error> prepare_archive_query(const Service&, const Jid& asker, ArchiveQuery& q);

// True when `id` is a UUID in its text form (8-4-4-4-12 hex digits); lower-cases it.
bool normalise_archive_id(std::string& id);

}  // namespace mucstream::core
