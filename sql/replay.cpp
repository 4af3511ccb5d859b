#include "sql/replay.hpp"

#include "core/decide.hpp"
#include "events/envelope.hpp"
#include "events/log.hpp"

namespace mucstream::sql {

core::Service replay_service(pqxx::connection& conn, ReplayStats* stats) {
  ReplayStats st;
  core::Service svc;
  pqxx::work tx(conn);
  tx.exec0(
      "DECLARE mucstream_replay NO SCROLL CURSOR FOR"
      " SELECT e.id, e.type, e.room, e.room_id, e.seq, e.actor, e.peer,"
      "        (extract(epoch FROM e.time) * 1000)::bigint, e.data::text"
      " FROM events e JOIN rooms r ON r.id = e.room_id"
      " WHERE r.ended IS NULL ORDER BY e.room_id, e.seq");
  std::string room_id;
  std::uint64_t last_seq = 0;
  for (;;) {
    const pqxx::result rows = tx.exec("FETCH 10000 FROM mucstream_replay");
    if (rows.empty()) break;
    for (const auto& row : rows) {
      core::Event e;
      e.id = row[0].as<std::string>();
      auto type = core::event_type_from_string(row[1].as<std::string>());
      if (!type) {
        events::log_warn("replay", "skipping stored event {} of unknown type {}", e.id, row[1].c_str());
        continue;
      }
      e.type = *type;
      e.room = row[2].as<std::string>();
      e.room_id = row[3].as<std::string>();
      e.seq = row[4].as<std::uint64_t>();
      if (!row[5].is_null()) e.actor = row[5].as<std::string>();
      if (!row[6].is_null()) e.peer = row[6].as<std::string>();
      e.time_ms = row[7].as<std::int64_t>();
      std::string err;
      auto data = events::decode_value(row[8].c_str(), &err);
      if (!data) {
        events::log_error("replay", "stored event {} has unreadable data: {}", e.id, err);
        continue;
      }
      e.data = std::move(*data);
      if (e.room_id != room_id) {
        room_id = e.room_id;
        last_seq = 0;
      }
      if (e.seq != last_seq + 1) {
        ++st.gaps;
        events::log_error("replay", "room {} ({}): events {}..{} are missing from the store", e.room, e.room_id,
                          last_seq + 1, e.seq - 1);
      }
      last_seq = e.seq;
      core::apply(svc, e);
      ++st.events;
    }
  }
  tx.exec0("CLOSE mucstream_replay");
  tx.commit();
  core::Service out = core::persistent_view(svc);
  st.rooms = out.rooms.size();
  if (stats) *stats = st;
  return out;
}

}  // namespace mucstream::sql
