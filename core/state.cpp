#include "core/state.hpp"

#include "core/nick_skeleton.hpp"

namespace mucstream::core {

Affiliation Room::affiliation_of(const std::string& bare_jid) const {
  auto it = affiliations.find(bare_jid);
  return it == affiliations.end() ? Affiliation::none : it->second.affiliation;
}

const Occupant* Room::occupant_by_nick(const std::string& nick) const {
  auto it = occupants.find(nick);
  return it == occupants.end() ? nullptr : &it->second;
}

const Occupant* Room::occupant_by_session_jid(const std::string& full_jid) const {
  auto it = nick_by_session_jid.find(full_jid);
  return it == nick_by_session_jid.end() ? nullptr : occupant_by_nick(it->second);
}

const Session* Room::session_by_jid(const std::string& full_jid) const {
  const Occupant* o = occupant_by_session_jid(full_jid);
  if (o == nullptr) return nullptr;
  for (const auto& s : o->sessions)
    if (s.full_jid == full_jid) return &s;
  return nullptr;
}

const Occupant* Room::occupant_by_bare_jid(const std::string& bare_jid) const {
  for (const auto& [nick, o] : occupants)
    if (o.bare_jid == bare_jid) return &o;
  return nullptr;
}

const Occupant* Room::look_alike(const std::string& skeleton, const std::string& bare_jid) const {
  if (nick_by_skeleton.nicks.size() == occupants.size()) {
    auto [from, to] = nick_by_skeleton.nicks.equal_range(skeleton);
    for (auto it = from; it != to; ++it)
      if (const Occupant* o = occupant_by_nick(it->second); o != nullptr && o->bare_jid != bare_jid) return o;
    return nullptr;
  }
  for (const auto& [nick, o] : occupants)
    if (o.bare_jid != bare_jid && nick_skeleton(nick) == skeleton) return &o;
  return nullptr;
}

std::size_t Room::owner_count() const {
  std::size_t n = 0;
  for (const auto& [jid, a] : affiliations) n += a.affiliation == Affiliation::owner;
  return n;
}

std::size_t Room::session_count() const {
  std::size_t n = 0;
  for (const auto& [nick, o] : occupants) n += o.sessions.size();
  return n;
}

const Room* Service::find(const std::string& room_jid) const {
  auto it = rooms.find(room_jid);
  return it == rooms.end() ? nullptr : &it->second;
}

const Room* Service::find_by_id(const std::string& room_id) const {
  auto it = jid_by_room_id.find(room_id);
  if (it == jid_by_room_id.end()) return nullptr;
  const Room* r = find(it->second);
  return r != nullptr && r->room_id == room_id ? r : nullptr;
}

Service persistent_view(const Service& s) {
  Service out;
  for (const auto& [jid, room] : s.rooms) {
    if (!room.config.persistent) continue;
    Room r = room;
    r.occupants.clear();
    r.nick_by_session_jid.clear();
    r.nick_by_skeleton.nicks.clear();
    r.p2p.clear();  // calls and media state die with the sessions (media lives on Session)
    out.jid_by_room_id.emplace(r.room_id, jid);
    out.rooms.emplace(jid, std::move(r));
  }
  return out;
}

}  // namespace mucstream::core
