#pragma once
// One room naming rule for every route (and so every mucctl command): a room is named by its
// id (UUID), its bare JID or its local part. A JID or local part may have named several
// rooms over time (a room JID is re-created after it ends); it names the live room when
// there is one, else the latest. Responses that resolve a name carry the room's `room_id`,
// `room` (JID) and `live` so a caller sees which lifetime it got.
//
// A local part is a room of one domain: with a tenant token, the tenant's (row-level
// security shows no other); otherwise the one domain that has a room of that local part. When
// several domains have one, the name is ambiguous and answered 409 naming each bare JID:
// guessing would read another customer's room. (Live administration differs on purpose: a
// local part there is an address in the default domain, admin.cpp, since it may name a room
// that does not exist yet.)
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/server.hpp"
#include "sql/read_store.hpp"

namespace mucstream::analytics {

// Which form `text` is. Throws ParamError(param) for text that is none of them.
sql::RoomName parse_room_name(std::string_view text, const char* param);

// The room `name` means among `rooms` (what ReadStore::find_rooms found for it): none, or
// the one; 409 `conflict` naming every bare JID when a local part has rooms in several domains.
std::optional<sql::RoomIdentity> one_room(const sql::RoomName& name, const std::vector<sql::RoomIdentity>& rooms);

// The room `text` names, from the read side; 404 `not_found` when none, 409 when ambiguous.
sql::RoomIdentity resolve_room(sql::ReadStore& store, std::string_view text, const char* param);

// 404's message for a name that names no room.
std::string no_room_message(const sql::RoomName& name);

// For routes a user token may use (Access::reader): a user token reads only rooms its
// subject may read (sql::ReadStore::user_may_read); 403 otherwise. Other roles pass.
void check_user_may_read(sql::ReadStore& store, const HttpRequest& req, const std::string& room_id);

}  // namespace mucstream::analytics
