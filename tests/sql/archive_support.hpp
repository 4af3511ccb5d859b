#pragma once
// Event logs for archive tests, written by hand: one room lifetime whose events carry
// UUIDv7 ids and times one millisecond apart, as the core emits them.
#include <string>

#include "core/event.hpp"
#include "events/ids.hpp"

namespace mucstream::testing {

class RoomLog {
 public:
  RoomLog(events::UuidV7Ids& ids, std::string room, std::int64_t start_ms)
      : ids_(ids), room_(std::move(room)), t_(start_ms), room_id_(ids.next_id(start_ms)) {}

  core::Event make(core::EventData d, std::string actor = "") {
    core::Event e;
    e.time_ms = ++t_;
    e.id = ids_.next_id(e.time_ms);
    e.room = room_;
    e.room_id = room_id_;
    e.seq = ++seq_;
    e.actor = std::move(actor);
    e.set_data(std::move(d));
    return e;
  }
  core::Event created(bool archiving = true) {
    core::RoomConfig c;
    c.enable_archiving = archiving;
    return make(core::data::RoomCreated{.creator = "ann@example.com", .config = c});
  }
  core::Event configured(bool archiving) {
    core::RoomConfig c;
    c.enable_archiving = archiving;
    return make(core::data::RoomConfigured{.config = c, .by = "ann@example.com"});
  }
  core::Event message(const std::string& nick, const std::string& body, bool no_store = false) {
    core::data::MessageSent m;
    m.nick = nick;
    m.occupant_id = "occ-" + nick;
    m.jid = nick + "@example.com/phone";
    m.payload = "<body>" + body + "</body>";
    m.client_id = "client-" + std::to_string(seq_ + 1);  // never the body: tests look for bodies
    if (no_store) m.no_store = true;
    return make(m, session_);
  }
  core::Event corrected(const std::string& target, const std::string& nick, const std::string& body) {
    core::data::MessageCorrected c;
    c.target = target;
    c.nick = nick;
    c.jid = nick + "@example.com/phone";
    c.payload = "<body>" + body + "</body><replace xmlns='urn:xmpp:message-correct:0' id='x'/>";
    return make(c, session_);
  }
  core::Event retracted(const std::string& target, bool moderated = false, std::string reason = "") {
    core::data::MessageRetracted r;
    r.target = target;
    r.moderated = moderated;
    if (moderated) r.by_nick = "mod";
    r.reason = std::move(reason);
    return make(r, session_);
  }
  core::Event destroyed(bool purge) {
    core::data::RoomDestroyed d;
    d.reason = "destroyed";
    if (purge) d.purge = true;
    return make(d);
  }
  const std::string& room_id() const { return room_id_; }
  std::int64_t now() const { return t_; }

 private:
  events::UuidV7Ids& ids_;
  std::string room_;
  std::int64_t t_;
  std::string room_id_;
  std::uint64_t seq_ = 0;
  std::string session_ = "00000000-0000-7000-8000-000000000001";
};

}  // namespace mucstream::testing
