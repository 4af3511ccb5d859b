#include "sql/replay.hpp"

#include "core/decide.hpp"
#include "events/envelope.hpp"
#include "events/log.hpp"
#include "sql/stored_event.hpp"

namespace mucstream::sql {

core::Service replay_service(pqxx::connection& conn, ReplayStats* stats) {
  ReplayStats st;
  core::Service svc;
  pqxx::work tx(conn);
  tx.exec0(
      "DECLARE mucstream_replay NO SCROLL CURSOR FOR"
      " SELECT " + std::string(kStoredEventColumns) +
      " FROM (SELECT e.id, e.type, e.room, e.room_id, e.seq, e.actor, e.peer, e.time,"
      "        CASE WHEN s.password_hash IS NULL THEN e.data"
      "             ELSE jsonb_set(e.data, '{config,password_hash}', to_jsonb(s.password_hash)) END AS data"
      "       FROM events e LEFT JOIN room_secrets s ON s.event_id = e.id) e"
      " JOIN rooms r ON r.id = e.room_id"
      " WHERE r.ended IS NULL ORDER BY e.room_id, e.seq");
  std::string room_id;
  std::uint64_t last_seq = 0;
  for (;;) {
    const pqxx::result rows = tx.exec("FETCH 10000 FROM mucstream_replay");
    if (rows.empty()) break;
    for (const auto& row : rows) {
      std::optional<core::Event> stored = event_from_row(row, "replay");
      if (!stored) continue;
      core::Event& e = *stored;
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
