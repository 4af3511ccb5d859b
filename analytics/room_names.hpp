#pragma once
// One room naming rule for every route (and so every mucctl command): a room is named by its
// id (UUID), its bare JID or its local part. A JID or local part may have named several
// rooms over time (a room JID is re-created after it ends); it names the live room when
// there is one, else the latest. Responses that resolve a name carry the room's `room_id`,
// `room` (JID) and `live` so a caller sees which lifetime it got.
#include <string>
#include <string_view>

#include "analytics/server.hpp"
#include "sql/read_store.hpp"

namespace mucstream::analytics {

// Which form `text` is. Throws ParamError(param) for text that is none of them.
sql::RoomName parse_room_name(std::string_view text, const char* param);

// The room `text` names, from the read side; 404 `not_found` when none.
sql::RoomIdentity resolve_room(sql::ReadStore& store, std::string_view text, const char* param);

// For routes a user token may use (Access::reader): a user token reads only rooms its
// subject may read (sql::ReadStore::user_may_read); 403 otherwise. Other roles pass.
void check_user_may_read(sql::ReadStore& store, const HttpRequest& req, const std::string& room_id);

}  // namespace mucstream::analytics
