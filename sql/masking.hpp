#pragma once
// Room-name masking (talky's maskRoomNames; docs/operations.md, "Data lifecycle and
// privacy"): with privacy.mask_room_names the materialiser stores every room JID, room title
// and description only as a keyed hash, so analytics work (counts, durations, reports, per
// room) without PostgreSQL ever holding a meeting's name. The same name under the same key
// always gives the same mask, so a room keeps one identity across batches, restarts and
// materialisers; without the key the mask cannot be recomputed from a guessed name.
//   room JID     standup@rooms.example   ->  r-<24 hex>@rooms.example (the domain stays)
//   title, description in room_created / room_configured  ->  t-<24 hex>, d-<24 hex>
//   room_destroyed's alternate venue (a room JID)          ->  masked as a room JID
// Masking happens to each decoded event before it is written: the Kafka topic keeps the
// clear names (the component's log; give analysts no access to it).
#include <functional>
#include <string>
#include <string_view>

#include "core/event.hpp"

namespace mucstream::sql {

class RoomMask {
 public:
  // `keyed_hash` is HMAC-SHA256 under the mask key, returning the raw digest (core::Crypto's
  // hmac_sha256 with the key bound).
  explicit RoomMask(std::function<std::string(std::string_view message)> keyed_hash);

  std::string room_jid(std::string_view bare_jid) const;
  void apply(core::Event& e) const;

 private:
  std::string hashed(char kind, std::string_view text) const;  // "<kind>-<24 hex>"
  std::function<std::string(std::string_view)> keyed_hash_;
};

}  // namespace mucstream::sql
