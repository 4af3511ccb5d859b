#pragma once
// Event logs for the data-lifecycle tests, written by hand: rooms with sessions that join
// with client details, talk, change nick and leave, at chosen times, as the core emits them
// (UUIDv7 ids, seq per room). Occupant ids and client ids are opaque, as the service's are,
// so a search for a person's JID or nick finds only what really names them.
#include <pqxx/pqxx>

#include <map>
#include <string>
#include <vector>

#include "core/event.hpp"
#include "events/ids.hpp"

namespace mucstream::testing {

class LifecycleRoom {
 public:
  LifecycleRoom(events::UuidV7Ids& ids, std::string room, std::int64_t start_ms)
      : ids_(ids), room_(std::move(room)), t_(start_ms), room_id_(ids.next_id(start_ms)) {}

  core::Event make(core::EventData d, std::string actor = "", std::int64_t step_ms = 1000) {
    core::Event e;
    t_ += step_ms;
    e.time_ms = t_;
    e.id = ids_.next_id(e.time_ms);
    e.room = room_;
    e.room_id = room_id_;
    e.seq = ++seq_;
    e.actor = std::move(actor);
    e.set_data(std::move(d));
    return e;
  }
  core::Event created(const std::string& creator) {
    return make(core::data::RoomCreated{.creator = creator, .config = core::RoomConfig{}});
  }
  // A new session of `bare` under `nick`; returns its join event (the session id is its actor).
  core::Event joined(const std::string& bare, const std::string& nick) {
    core::data::OccupantJoined j;
    j.nick = nick;
    j.jid = bare + "/laptop";
    j.bare_jid = bare;
    j.occupant_id = "occ" + std::to_string(++sessions_);
    core::Value client = core::Value::object();
    client.set("type", "browser");
    client.set("os", "Linux");
    client.set("browser", "Firefox");
    client.set("useragent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0");
    j.client = client;
    return make(j, ids_.next_id(t_));
  }
  core::Event message(const core::Event& join, const std::string& body) {
    const auto& j = std::get<core::data::OccupantJoined>(join.data);
    core::data::MessageSent m;
    m.nick = nick_of(join);
    m.occupant_id = j.occupant_id;
    m.jid = j.jid;
    m.payload = "<body>" + body + "</body>";
    m.client_id = "c" + std::to_string(seq_ + 1);
    return make(m, join.actor);
  }
  core::Event nick_changed(const core::Event& join, const std::string& to) {
    core::data::NickChanged n{.old_nick = nick_of(join), .new_nick = to};
    nicks_[join.actor] = to;
    return make(n, join.actor);
  }
  core::Event left(const core::Event& join) {
    core::data::OccupantLeft l;
    l.nick = nick_of(join);
    return make(l, join.actor);
  }
  core::Event affiliation(const std::string& bare, const std::string& by) {
    core::data::AffiliationChanged a;
    a.jid = bare;
    a.affiliation = core::Affiliation::member;
    a.by = by;
    return make(a);
  }
  core::Event destroyed() { return make(core::data::RoomDestroyed{.reason = "empty"}); }
  const std::string& room_id() const { return room_id_; }

 private:
  std::string nick_of(const core::Event& join) const {
    auto it = nicks_.find(join.actor);
    return it != nicks_.end() ? it->second : std::get<core::data::OccupantJoined>(join.data).nick;
  }
  events::UuidV7Ids& ids_;
  std::string room_;
  std::int64_t t_;
  std::string room_id_;
  std::uint64_t seq_ = 0;
  int sessions_ = 0;
  std::map<std::string, std::string> nicks_;
};

// Every row of every table (partitions included) in which some column, as text, contains
// `needle` case-insensitively: "table.column: N" lines, empty when nothing does.
inline std::string search_database(pqxx::connection& c, const std::string& needle) {
  pqxx::nontransaction tx(c);
  std::string hits;
  const pqxx::result cols = tx.exec(
      "SELECT c.table_name, c.column_name FROM information_schema.columns c"
      " JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name"
      " WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' ORDER BY 1, 2");
  for (const auto& col : cols) {
    const std::string table = col[0].as<std::string>(), column = col[1].as<std::string>();
    const auto n = tx.exec_params1("SELECT count(*) FROM " + tx.quote_name(table) + " WHERE strpos(lower(" +
                                       tx.quote_name(column) + "::text), lower($1)) > 0",
                                   needle)[0]
                       .as<std::int64_t>();
    if (n > 0) hits += table + "." + column + ": " + std::to_string(n) + "\n";
  }
  return hits;
}

}  // namespace mucstream::testing
