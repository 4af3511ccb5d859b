#include "analytics/room_names.hpp"

#include <variant>

#include "core/jid.hpp"

namespace mucstream::analytics {

sql::RoomName parse_room_name(std::string_view text, const char* param) {
  if (text.empty() || text.size() > 3071) throw ParamError(param, "not a room id, bare room JID or local part");
  if (const auto id = parse_uuid(text)) return {sql::RoomName::Kind::id, *id};
  const bool has_at = text.find('@') != std::string_view::npos;
  // A local part alone is checked as the node of a JID, so both forms obey the same rules.
  const std::string as_jid = has_at ? std::string(text) : std::string(text) + "@x.invalid";
  auto parsed = core::Jid::parse(as_jid);
  const core::Jid* j = std::get_if<core::Jid>(&parsed);
  if (j == nullptr || !j->is_bare() || j->node().empty())
    throw ParamError(param, "not a room id (UUID), bare room JID or room local part");
  if (has_at) return {sql::RoomName::Kind::jid, j->bare()};
  return {sql::RoomName::Kind::local_part, std::string(j->node())};
}

std::optional<sql::RoomIdentity> one_room(const sql::RoomName& name, const std::vector<sql::RoomIdentity>& rooms) {
  if (rooms.empty()) return std::nullopt;
  if (rooms.size() == 1) return rooms.front();
  std::string jids;
  for (const auto& r : rooms) jids += (jids.empty() ? "" : ", ") + r.jid;
  throw HttpError(409, "'" + name.text + "' names a room in several domains (" + jids +
                           "): name the room by its bare JID or its id");
}

std::string no_room_message(const sql::RoomName& name) {
  return (name.kind == sql::RoomName::Kind::id ? "no room with id " : "no room named ") + name.text;
}

sql::RoomIdentity resolve_room(sql::ReadStore& store, std::string_view text, const char* param) {
  const sql::RoomName name = parse_room_name(text, param);
  auto room = one_room(name, store.find_rooms(name));
  if (!room) throw HttpError(404, no_room_message(name));
  return *room;
}

void check_user_may_read(sql::ReadStore& store, const HttpRequest& req, const std::string& room_id) {
  if (!req.principal || req.principal->role != Role::user) return;
  if (!store.user_may_read(req.principal->subject, room_id))
    throw HttpError(403, req.principal->subject + " may not read this room");
}

}  // namespace mucstream::analytics
