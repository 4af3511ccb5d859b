// PgReadStore's message reads: a room named by id, JID or local part; whether a user may read
// a room; an archive page; a user's conversations.
#include "sql/archive_query.hpp"
#include "sql/pg_read_pool.hpp"

namespace mucstream::sql {
using namespace pg;

namespace {

// A JID names the live room when there is one, else the latest (rooms_jid index); a local
// part the same for each JID that has it (rare enough in a request to read rooms by name).
const char* const kRoomById = "SELECT id::text, jid, ended IS NULL FROM rooms WHERE id = $1::uuid";
const char* const kRoomByJid =
    "SELECT id::text, jid, ended IS NULL FROM rooms WHERE jid = $1 ORDER BY (ended IS NULL) DESC, created DESC LIMIT 1";
const std::string kRoomByName =
    "SELECT DISTINCT ON (jid) id::text, jid, ended IS NULL FROM rooms WHERE name = $1 "
    "ORDER BY jid, (ended IS NULL) DESC, created DESC LIMIT " + std::to_string(kMaxRoomCandidates);

// A session in that room lifetime, its creator, or its latest affiliation change for that
// JID granting member, admin or owner.
const char* const kMayRead =
    "SELECT EXISTS (SELECT 1 FROM users WHERE userid = $1 AND room_id = $2::uuid) "
    "OR EXISTS (SELECT 1 FROM rooms WHERE id = $2::uuid AND creator = $1) "
    "OR coalesce((SELECT data->>'affiliation' IN ('member', 'admin', 'owner') FROM events "
    "             WHERE room_id = $2::uuid AND type = 'affiliation_changed' AND data->>'jid' = $1 "
    "             ORDER BY time DESC, seq DESC LIMIT 1), false)";

// The user's rooms (users_userid index), each with its newest archive row (the last entry of
// the archive's primary key), newest message first, else latest join.
const char* const kUserRoomsFrom =
    "FROM (SELECT room_id, max(created) AS last_joined, count(*) AS sessions FROM users WHERE userid = $1 "
    "      GROUP BY room_id) m "
    "JOIN rooms r ON r.id = m.room_id ";
const std::string kUserRooms =
    std::string("SELECT r.id::text, r.jid, r.name, ") + MS_EPOCH_US("r.created") + ", " + MS_EPOCH_US("r.ended") +
    ", " + MS_EPOCH_US("m.last_joined") +
    ", m.sessions, a.stanza_id::text, (extract(epoch from a.time) * 1000)::bigint, a.nick, a.occupant_id, "
    "coalesce(a.payload, ''), (extract(epoch from a.edited) * 1000)::bigint, "
    "(extract(epoch from a.retracted) * 1000)::bigint, coalesce(a.moderated, false) " +
    kUserRoomsFrom +
    "LEFT JOIN LATERAL (SELECT * FROM archive WHERE archive.room_id = m.room_id ORDER BY stanza_id DESC LIMIT 1) a "
    "ON true "
    "ORDER BY coalesce(a.time, m.last_joined) DESC, r.id DESC LIMIT $2 OFFSET $3";
const std::string kUserRoomsCount = std::string("SELECT count(*) ") + kUserRoomsFrom;

}  // namespace

std::vector<RoomIdentity> PgReadStore::find_rooms(const RoomName& name) {
  const std::string sql = name.kind == RoomName::Kind::id    ? kRoomById
                          : name.kind == RoomName::Kind::jid ? kRoomByJid
                                                             : kRoomByName;
  return impl_->run([&](pqxx::read_transaction& tx) {
    std::vector<RoomIdentity> out;
    for (const auto& r : tx.exec_params(sql, name.text))
      out.push_back(RoomIdentity{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<bool>()});
    return out;
  });
}

bool PgReadStore::user_may_read(const std::string& userid, const std::string& room_id) {
  return impl_->run([&](pqxx::read_transaction& tx) { return tx.exec_params(kMayRead, userid, room_id)[0][0].as<bool>(); });
}

core::ArchiveResult PgReadStore::archive(const core::ArchiveQuery& q, std::uint32_t max_cap) {
  return impl_->run([&](pqxx::read_transaction& tx) { return query_archive(tx, q, max_cap); });
}

Page<UserRoomRow> PgReadStore::user_rooms(const UserRoomsQuery& q) {
  return impl_->run([&](pqxx::read_transaction& tx) {
    Page<UserRoomRow> page;
    const long long offset = (q.page - 1) * q.per_page;
    for (const auto& r : tx.exec_params(kUserRooms, q.userid, static_cast<long long>(q.per_page), offset)) {
      UserRoomRow u;
      u.room_id = r[0].as<std::string>();
      u.jid = r[1].as<std::string>();
      u.name = r[2].as<std::string>();
      u.created = r[3].as<long long>();
      u.ended = opt_time(r[4]);
      u.last_joined = r[5].as<long long>();
      u.sessions = r[6].as<long long>();
      if (!r[7].is_null()) {
        core::ArchivedMessage m;
        m.stanza_id = r[7].as<std::string>();
        m.time_ms = r[8].as<long long>();
        m.nick = r[9].as<std::string>();
        m.occupant_id = r[10].as<std::string>();
        m.payload = r[11].as<std::string>();
        if (!r[12].is_null()) m.edited_ms = r[12].as<long long>();
        if (!r[13].is_null()) m.retracted_ms = r[13].as<long long>();
        m.moderated = r[14].as<bool>();
        u.latest = std::move(m);
      }
      page.items.push_back(std::move(u));
    }
    page.total = tx.exec_params(kUserRoomsCount, q.userid)[0][0].as<long long>();
    return page;
  });
}

}  // namespace mucstream::sql
