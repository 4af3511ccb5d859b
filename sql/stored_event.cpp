#include "sql/stored_event.hpp"

#include "events/envelope.hpp"
#include "events/log.hpp"

namespace mucstream::sql {

std::optional<core::Event> event_from_row(const pqxx::row& row, const char* who) {
  core::Event e;
  e.id = row[0].as<std::string>();
  auto type = core::event_type_from_string(row[1].as<std::string>());
  if (!type) {
    events::log_warn(who, "skipping stored event {} of unknown type {}", e.id, row[1].c_str());
    return std::nullopt;
  }
  e.type = *type;
  e.room = row[2].as<std::string>();
  e.room_id = row[3].as<std::string>();
  e.seq = row[4].as<std::uint64_t>();
  if (!row[5].is_null()) e.actor = row[5].as<std::string>();
  if (!row[6].is_null()) e.peer = row[6].as<std::string>();
  e.time_ms = row[7].as<std::int64_t>();
  std::string err;
  auto data = events::decode_data(e.type, row[8].c_str(), &err);
  if (!data) {
    events::log_error(who, "stored event {} has unreadable data: {}", e.id, err);
    return std::nullopt;
  }
  e.data = std::move(*data);
  return e;
}

}  // namespace mucstream::sql
